"""Names found by the frame of a sentence around them: a verb that takes a person before (找了, 跟, 多亏了,
感谢, 是…接待的), an office's 的 (审批科的) or a role (网格员), and something only a person does after (说,
答应, 接待, 帮我, 态度, 三次, a title).

A name the dictionary does not know needs one side of the frame; a word that is also a name (高峰, 江河,
国庆) needs both, so that 高峰期, 向前走 and 国庆节 stay words.
"""

import re

from drafting.feedback.name_words import (
    AMBIGUOUS_SURNAMES,
    COMPOUND_SURNAMES,
    CUES,
    KNOWN_WORD,
    NATURE_ENDS,
    PERSON_NOUNS,
    PLACE_SUFFIXES,
    TITLES,
    VERY_COMMON_WORD,
    frequency,
    is_surname_start,
    plausible_name,
    tagger,
)

# Verbs and prepositions whose object or partner is a person (找了崔明亮, 跟郑晓丽说, 多亏了覃海波,
# 我和符丽丽).
PERSON_VERBS = """我和 我跟 他和 她和 找了 找过 找 跟 让 问了 问过 告诉 通知 转告 感谢 谢谢 表扬 多亏了 多亏
麻烦 联系 替 帮 陪 批评 投诉 举报 夸 点名""".split()
# Words that take a person as often as a thing (是武立新接待的, 由明永福负责): only a person's deed or a title
# after the name confirms it.
WEAK_VERBS = ("是", "由", "被", "给", "向", "和", "请")
# Offices and places of work whose 的 may come before a person (审批科的建华, 窗口的高峰, 村里的春生).
OFFICE_ENDS = tuple("科室处部组班队局院所站办厅窗口村社区中心公司厂店校里")
# Jobs and roles not ending in 员 or 师 that come before a name (保安付海军, 片警, 电工).
ROLE_WORDS = tuple("""保安 门卫 保洁 司机 片警 辅警 民警 协警 电工 木工 社工 护工 瓦工 焊工 厨子 大夫 村医
楼长 栋长 组长 队长 班长 会计 出纳 邻居 房东 车主 家长 同学 同事 领导 爱人 老伴 丈夫 妻子 儿子 女儿 孙子
孙女 媳妇 女婿 老公 老婆 哥哥 姐姐 弟弟 妹妹""".split())
# What a person does right after their name: speak, promise, receive, help, scold, be judged
# (武立新接待的, 向前答应, 金花帮我, 高峰态度很差, 江河三次).
PERSON_DEEDS = tuple("""说 讲 答应 承诺 告诉 表示 解释 回复 回答 接待 负责 帮 替 骂 推 打了 吼 态度 办事 上班
值班 同志 点赞 签字 签了 来了 来修 来处理 过来 不在 不接 没接 三番五次 的妈妈 的爸爸 的奶奶 的爷爷 的孩子
的儿子 的女儿 的老婆 的丈夫 的家人 的家长""".split())
# Deeds sure enough to mark a word as a person at the start of a sentence (金花帮我…, 向前答应…);
# of those, the deeds only a person does (an organisation too says: 银行说).
KIND_DEEDS = ("答应", "承诺", "接待", "帮我", "帮我们", "帮忙", "骂", "吼")
SURE_DEEDS = ("说", "讲", "告诉", *KIND_DEEDS)
# Last characters of an organisation, which says and promises as a person does (银行说, 公司答应).
ORGANISATION_ENDS = tuple("司院局所站行厂店校馆会委处科办部队堂")
# Adverbs of habit after a role's name (网格员白雪每天…): the name is the subject.
HABITS = ("每天", "天天", "每次", "每周", "每个月", "经常", "总是", "一直", "从来", "老是", "已经", "正在",
          "在", "也", "都", "还", "又", "就")
_TIMES = r"[一二两三四五六七八九十几\d]+[次回趟遍]"
_CANDIDATE = r"(?P<n>[\u4e00-\u9fff]{2,4}?)"
_BEFORE = (rf"(?P<v>{'|'.join(sorted(PERSON_VERBS, key=len, reverse=True))})"
           rf"|(?P<w>{'|'.join(WEAK_VERBS)})"
           rf"|(?P<o>[\u4e00-\u9fff]?(?:{'|'.join(OFFICE_ENDS)})的)"
           rf"|(?P<r>{'|'.join(ROLE_WORDS)}|[\u4e00-\u9fff][员师])"
           r"|(?P<s>^|(?<=[。；;！？!?，,\s：:]))")
_AFTER = (rf"(?P<d>{'|'.join(sorted(PERSON_DEEDS, key=len, reverse=True))}|{_TIMES})"
          rf"|(?P<t>{'|'.join(sorted(TITLES, key=len, reverse=True))})"
          rf"|(?P<h>{'|'.join(HABITS)})"
          r"|(?P<b>[，,。；;！？!?]|$)")
_FRAMED = re.compile(rf"(?:{_BEFORE}){_CANDIDATE}(?={_AFTER})")
# The same frame with only a sentence's start before it (向 is also a person verb: 向前答应…).
_STARTED = re.compile(rf"(?P<s>^|(?<=[。；;！？!?，,\s：:])){_CANDIDATE}(?={_AFTER})")
# A role, then 是 and the person who holds it (我们这栋楼的楼长是项美华，).
_ROLE_IS = re.compile(rf"(?:{'|'.join(ROLE_WORDS)}|[\u4e00-\u9fff][员师长])是{_CANDIDATE}"
                      r"(?=[，,。；;！？!?]|$)")
# A person said to hold a job (春生是我们村的电工).
_IS_ROLE = re.compile(rf"(?:^|(?<=[。；;！？!?，,\s])){_CANDIDATE}是[^。，,；;！？!?]{{0,12}}?"
                      rf"(?:{'|'.join(ROLE_WORDS)}|[\u4e00-\u9fff][员师])(?=[，,。；;！？!?\s]|$)")


def framed_names(text: str) -> list[tuple[int, int]]:
    """Spans of names that a sentence's frame marks, left to right, as found on the characters."""
    spans = [match.span("n") for match in _ROLE_IS.finditer(text)
             if _shaped(match.group("n")) and _known_person(match.group("n"))]
    spans += [match.span("n") for match in _IS_ROLE.finditer(text) if _given_or_word(match.group("n"))]
    for match in _overlapping(text):
        name, after = match.group("n"), text[match.end("n"):]
        groups = match.groupdict()
        before = next((kind for kind in "vwor" if groups.get(kind)), "s")
        if text[:match.start("n") + 1].endswith(TITLES):  # 李师傅修车: 傅 ends a title
            continue
        # 王阿姨, 陈老师: a surname and the start of a title
        if _fits(name, before, _after_kind(after), after) and not (name[1:] + after).startswith(TITLES):
            spans.append(match.span("n"))
    return spans


def _given_or_word(name: str) -> bool:
    """A name, a word a person may be called (金花) or a given name jieba tags (建华), not a person noun."""
    if name in PERSON_NOUNS or name in CUES or name.endswith((*ROLE_WORDS, *TITLES)):
        return False
    if _shaped(name):
        return _known_person(name) or _word_like_name(name)
    return _given_name(name)


def _given_name(name: str) -> bool:
    """A given name alone, which jieba tags as a person's or a proper noun (建华, 春生 is a noun)."""
    tag = tagger().dt.word_tag_tab.get(name) or "x"
    return len(name) == 2 and tag in {"nr", "nz", "nrfg"} and name[0] != name[1]


def _overlapping(text: str) -> list[re.Match[str]]:
    """Every frame match, one starting at each character (the regex alone would skip overlapping ones)."""
    matches = []
    for start in range(len(text)):
        for pattern in (_FRAMED, _STARTED):
            match = pattern.match(text, start)
            if match is not None:
                matches.append(match)
    return matches


def _after_kind(after: str) -> str:
    """Which kind of frame follows the candidate: a deed, a title, a habit, a break."""
    match = re.match(_AFTER, after)
    if match is None:
        return ""
    return next(kind for kind in "dthb" if match.group(kind) is not None)


def _fits(name: str, before: str, after: str, rest: str) -> bool:
    """The candidate is a name in this frame (before: a person verb v, a weak one w, an office's 的 o, a role
    r, a sentence's start s; after: a deed d, a title t, a habit h, a break b)."""
    if not after or _not_a_person(name) or before == "w" and after not in "dt":
        return False
    sure = after == "d" and rest.startswith(SURE_DEEDS)
    if name[0] in AMBIGUOUS_SURNAMES and not (before == "s" and sure and _word_like_name(name)):
        return False  # 和李老师, 都挺负责; but 向前答应
    if not _shaped(name):
        return _given_name(name) and _given_fits(name, before, after, sure)
    if _known_person(name):  # 武立新接待的, 信访办的易水生，
        return after in "dt" and (before != "s" or len(name) > 2 or sure) \
            or before in "vwor" and after in "bh"
    return _word_like_name(name) and _word_fits(name, before, after, rest)


def _not_a_person(name: str) -> bool:
    """A word for people or organisations, or one that starts with a role (门卫刘师傅)."""
    return name in PERSON_NOUNS or name in TITLES or name in CUES or name.endswith(ROLE_WORDS) \
        or name.startswith(ROLE_WORDS) or name.endswith(ORGANISATION_ENDS)


def _given_fits(name: str, before: str, after: str, sure: bool) -> bool:
    """A given name alone (审批科的建华说, 红旗主任说): an office or a person verb before it and a title or a
    sure deed after it, or a title after a name jieba tags as a person's."""
    named = tagger().dt.word_tag_tab.get(name) == "nr"
    return before in "vwo" and (after == "t" or sure) or before == "s" and named and after == "t"


def _word_fits(name: str, before: str, after: str, rest: str) -> bool:
    """A word that is also a name (高峰, 金花, 国庆) in a frame on both sides, or, unless it is a very common
    word (普通医生), at a sentence's start before a title (田野老师, if jieba knows it as a name) or a sure
    deed (向前答应, 金花帮我)."""
    if before in "vor":
        return after in "dth"
    tag = tagger().dt.word_tag_tab.get(name) or "x"
    sure = after == "d" and rest.startswith(SURE_DEEDS)
    if frequency(name) >= VERY_COMMON_WORD:  # 普通医生
        return False
    return tag in {"nr", "nz"} and after == "t" or tag in {"nr", "nz", "t"} and sure \
        or tag == "n" and rest.startswith(KIND_DEEDS)


def _shaped(name: str) -> bool:
    """A surname and one or two characters (two after 欧阳…) that read as a given name."""
    place = name.endswith(PLACE_SUFFIXES) and not name.endswith(NATURE_ENDS)
    return is_surname_start(name) and plausible_name(name, places=False, closed=True) and not place \
        and (len(name) < 4 or name.startswith(COMPOUND_SURNAMES))


def _known_person(name: str) -> bool:
    """A name the dictionary does not know as a word, or knows as a person's."""
    tag = tagger().dt.word_tag_tab.get(name)
    return frequency(name) < KNOWN_WORD and (tag is None or tag.startswith("nr"))


def _word_like_name(name: str) -> bool:
    """A two-character word a person may be called (高峰, 江河, 金花, 国庆, 向前): a noun, a name or a time,
    never a verb, a pronoun or a function word."""
    tag = tagger().dt.word_tag_tab.get(name) or "x"
    return len(name) == 2 and tag[:1] in {"n", "t"}
