"""Names found by the frame of a sentence around them: a verb that takes a person before (找了, 跟, 多亏了,
感谢, 是…接待的), an office's 的 (审批科的) or a role (网格员), and something only a person does after (说,
答应, 接待, 帮我, 态度, 三次, a title).

A name the dictionary does not know needs one side of the frame; a word that is also a name (高峰, 江河,
国庆) needs both, so that 高峰期, 向前走 and 国庆节 stay words. A role or kin before three characters that
read as a whole name and as no word marks them whatever follows (辅警孟凡超, 我母亲迟桂香), and a household
names its head (洪振华家就在…, 建国他们家的狗).
"""

import re

from drafting.feedback.name_words import (
    AMBIGUOUS_SURNAMES,
    COMPOUND_SURNAMES,
    CUED_WORD,
    CUES,
    GIVEN_CHARACTERS,
    KNOWN_WORD,
    NATURE_ENDS,
    NICKNAME_HEADS,
    PERSON_NOUNS,
    PLACE_SUFFIXES,
    SOUND_CHARACTERS,
    TITLES,
    VERY_COMMON_WORD,
    frequency,
    given_pair,
    is_surname_start,
    plausible_name,
    tagger,
    verb_like,
)

# Verbs and prepositions whose object or partner is a person (找了崔明亮, 跟郑晓丽说, 多亏了覃海波,
# 我和符丽丽).
PERSON_VERBS = """我和 我跟 他和 她和 找了 找过 找 跟 让 问了 问过 告诉 通知 转告 感谢 谢谢 表扬 多亏了 多亏
麻烦 联系 替 帮 陪 批评 投诉 举报 夸 点名 给了""".split()
# Words that take a person as often as a thing (是武立新接待的, 由明永福负责): only a person's deed or a title
# after the name confirms it.
WEAK_VERBS = ("是", "由", "被", "给", "向", "和", "请")
# Offices and places of work whose 的 may come before a person (审批科的建华, 窗口的高峰, 村里的春生).
OFFICE_ENDS = tuple("科室处部组班队局院所站办厅窗口村社区中心公司厂店校里")
# Jobs, roles and kin not ending in 员 or 师 that come before a name (保安付海军, 片警, 电工, 翻译, 五保户,
# 我大哥).
ROLE_WORDS = tuple("""保安 门卫 保洁 司机 片警 辅警 民警 协警 交警 特警 电工 木工 社工 护工 瓦工 焊工 厨子
医生 护士 大夫 村医 楼长 栋长 组长 队长 班长 会计 出纳 老板 老板娘 店主 翻译 向导 志愿者 带头人 五保户 低保户
贫困户 邻居 房东 车主 家长 同学 同事 领导 爱人 老伴 丈夫 妻子 儿子 女儿 孙子 孙女 媳妇 女婿 老公 老婆 哥哥
姐姐 弟弟 妹妹 大哥 二哥 大姐 二姐 父亲 母亲 侄子 侄女 外甥""".split())
# A character the dictionary tags as a verb this frequent (找, 走, 看) ends a name only before a break.
VERB_END = 5000
# Adverbs that may start a given name in a frame (马可, 石才) but never in a name read without one (路太滑).
ADVERB_GIVEN = set("太更再才可")
# Trades named by what their people do, before 的 and the person (修车的国庆, 看门的老李).
TRADE_DOERS = ("修车", "修鞋", "补鞋", "卖菜", "卖肉", "卖水果", "开车", "看门", "扫地", "送水", "送快递",
               "收废品", "理发", "剃头", "摆摊", "开店", "杀猪", "烧锅炉")
# What a person does right after their name: speak, promise, receive, help, scold, be judged
# (武立新接待的, 向前答应, 金花帮我, 高峰态度很差, 江河三次).
PERSON_DEEDS = tuple("""说 讲 答应 承诺 告诉 表示 解释 回复 回答 接待 负责 帮 替 骂 推 打了 吼 态度 办事 上班
值班 同志 点赞 签字 签了 来了 来修 修 来处理 过来 不在 不接 没接 三番五次 手艺 给我 的妈妈 的爸爸 的奶奶
的爷爷 的孩子 的儿子 的女儿 的老婆 的丈夫 的家人 的家长""".split())
# Deeds sure enough to mark a word as a person at the start of a sentence (金花帮我…, 向前答应…);
# of those, the deeds only a person does (an organisation too says: 银行说).
KIND_DEEDS = ("答应", "承诺", "接待", "帮我", "帮我们", "帮忙", "骂", "吼")
SURE_DEEDS = ("说", "讲", "告诉", *KIND_DEEDS)
# Last characters of an organisation, which says and promises as a person does (银行说, 公司答应).
ORGANISATION_ENDS = tuple("司院局所站行厂店校馆会委处科办部队堂")
# Adverbs of habit after a role's name (网格员白雪每天…): the name is the subject.
HABITS = ("每天", "天天", "每次", "每周", "每个月", "经常", "总是", "一直", "从来", "老是", "已经", "正在",
          "在", "也", "都", "还", "又", "就", "主动", "提前", "亲自", "专门", "特意", "热心", "耐心", "去年",
          "今年", "前年", "上个月", "昨天", "前天")
_TIMES = r"好?[一二两三四五六七八九十几\d]+[次回趟遍]"
# How many people a list names (田野、白雪两位志愿者): as sure as a title after the last of them.
_COUNTED = r"[两二三四五几]位"
_CANDIDATE = r"(?P<n>[\u4e00-\u9fff]{2,4}?)"
_BEFORE = (rf"(?P<v>{'|'.join(sorted(PERSON_VERBS, key=len, reverse=True))})"
           rf"|(?P<w>{'|'.join(WEAK_VERBS)})"
           rf"|(?P<o>[\u4e00-\u9fff]?(?:{'|'.join(OFFICE_ENDS)})的|(?:{'|'.join(TRADE_DOERS)})的)"
           rf"|(?P<r>{'|'.join(ROLE_WORDS)}|[\u4e00-\u9fff][员师])"
           r"|(?P<s>^|(?<=[。；;！？!?，,、\s：:]))")
_AFTER = (rf"(?P<d>{'|'.join(sorted(PERSON_DEEDS, key=len, reverse=True))}|{_TIMES})"
          rf"|(?P<t>{'|'.join(sorted(TITLES, key=len, reverse=True))}|{_COUNTED})"
          rf"|(?P<h>{'|'.join(HABITS)})"
          r"|(?P<b>[，,。；;！？!?]|$)")
_FRAMED = re.compile(rf"(?:{_BEFORE}){_CANDIDATE}(?={_AFTER})")
# The same frame with only a sentence's start before it (向 is also a person verb: 向前答应…).
_STARTED = re.compile(rf"(?P<s>^|(?<=[。；;！？!?，,、\s：:])){_CANDIDATE}(?={_AFTER})")
# A role, then 是 and the person who holds it (我们这栋楼的楼长是项美华，).
_ROLE_IS = re.compile(rf"(?:{'|'.join(ROLE_WORDS)}|[\u4e00-\u9fff][员师长])是{_CANDIDATE}"
                      r"(?=[，,。；;！？!?]|$)")
# A role, then three characters that read as a whole name the dictionary does not know (辅警孟凡超,
# 老板全永福, 我母亲迟桂香): whatever follows, the name is whole; after a 的 (药房的田建华) only before a
# deed, a title, a habit or a break.
_LONG_CUES = sorted((cue for cue in CUES if len(cue) > 1), key=len, reverse=True)
_ROLE_FULL = re.compile(rf"(?:(?P<r>{'|'.join(sorted(ROLE_WORDS, key=len, reverse=True))})"
                        rf"|(?P<c>{'|'.join(_LONG_CUES)}|[\u4e00-\u9fff][员师警])"
                        rf"|的)(?P<n>[\u4e00-\u9fff]{{3}})")
# A household named by its head at a clause's start (洪振华家就在…, 建国他们家的狗, 春生家的猪圈).
_HOUSEHOLD = re.compile(r"(?:^|(?<=[。；;！？!?，,\s]))(?P<n>[\u4e00-\u9fff]{2,3}?)"
                        r"(?=[他她](?:们)?家|家(?:的|就|在|住|里|院|门口|两|有|还|是|那))")
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
    spans += [match.span("n") for match in _ROLE_FULL.finditer(text) if _role_full(match)]
    spans += [match.span("n") for match in _HOUSEHOLD.finditer(text) if _household_head(match.group("n"))]
    return spans


def _role_full(match: re.Match[str]) -> bool:
    """The three characters after a role or a 的 are a whole name (see `_misread`), and after a 的 a
    person's frame or their household follows them (隔壁的童海生家)."""
    name, rest = match.group("n"), match.string[match.end("n"):]
    if _misread(match) or not _unknown_full(name, sure=rest.startswith(SURE_DEEDS)):
        return False
    return bool(match.group("r") or match.group("c")) or _after_kind(rest) != "" or rest.startswith("家")


def _misread(match: re.Match[str]) -> bool:
    """The three characters are no name of three: glued to the role (师傅修水), a name of two and a verb
    (收银员萧婷找错钱: 找 ends no name unless a break follows it) or the next word's start (医生高峰态度,
    书记任副组长), a verb said twice (路修一修), a name read by its sounds (阿依古丽), or a surname that is
    mostly a word (和, 都, 来) but after a role proper and before no verb (老板全永福, not 交警来疏导)."""
    name, start = match.group("n"), match.start("n")
    rest = match.string[match.end("n"):]
    glued = frequency(match.string[start - 1:start + 1]) >= KNOWN_WORD
    split = frequency(name[2] + rest[:1]) >= KNOWN_WORD or (name[1:] + rest).startswith(TITLES)
    verb_end = _tag(name[2]) == "v" and frequency(name[2]) >= VERB_END and _after_kind(rest) == ""
    function = _tag(name[0])[0] in "cdruv"  # 家长和教职工, 护士来换药 (but 电工于海洋)
    ambiguous = name[0] in AMBIGUOUS_SURNAMES and (function or not match.group("r") or verb_like(name[1:])
                                                   or _tag(name[1:])[0] == "v")
    return glued or split or verb_end or ambiguous or set(name) <= SOUND_CHARACTERS or _said_twice(name, rest)


def _said_twice(name: str, rest: str) -> bool:
    """The candidate ends in a verb said twice (路修一修, 查一查)."""
    return re.search(r"(.)一\1", name + rest[:1]) is not None


def _unknown_full(name: str, sure: bool = False) -> bool:
    """Three characters that read as a surname and a given name and as no word: neither the whole nor its
    first two characters are a word of the dictionary (孟凡超, not 孔明灯, 查房打 or 高速路), the given name
    is no common word but a name's (孩子 is none; 建国 is) unless a sure deed follows (常向前帮我), and no
    title (师傅闫, 阿姨黎) or adverb (路太滑) is part of it."""
    head, given = name[:2], name[1:]
    head_word = frequency(head) >= KNOWN_WORD and not _tag(head).startswith("nr") or _tag(head)[0] == "v"
    given_word = not sure and frequency(given) >= CUED_WORD and _tag(given) not in {"nr", "nz", "ns", "nrfg"}
    title = name.startswith(TITLES) or name.endswith(TITLES) or given.endswith(TITLES)
    unknown = frequency(name) == 0 or _tag(name).startswith("nr")  # 于海洋 is in the dictionary as a person
    whole = is_surname_start(name) and not name.startswith(COMPOUND_SURNAMES) and unknown
    return whole and not (head_word or given_word or title or set(given) & ADVERB_GIVEN) \
        and plausible_name(name, closed=False)


def _household_head(name: str) -> bool:
    """The head a household is named by: a whole name (洪振华) or a given name (建国, 春生; not 学生)."""
    if len(name) == 3:
        return _unknown_full(name)
    named = tags().get(name) in {"nr", "ns", "nz"}  # 建国 is a place's name too
    return (given_pair(name) or named and set(name) <= GIVEN_CHARACTERS) and name not in PERSON_NOUNS


def tags() -> dict[str, str]:
    """jieba's dictionary: each word's part of speech."""
    return tagger().dt.word_tag_tab


def _tag(word: str) -> str:
    """The word's part of speech in jieba's dictionary ("x" when it does not know it)."""
    return tags().get(word) or "x"


def _given_or_word(name: str) -> bool:
    """A name, a word a person may be called (金花) or a given name jieba tags (建华), not a person noun."""
    if name in PERSON_NOUNS or name in CUES or name.endswith((*ROLE_WORDS, *TITLES)):
        return False
    if _shaped(name):
        return _known_person(name) or _word_like_name(name)
    return _given_name(name)


def _given_name(name: str) -> bool:
    """A given name alone, which jieba tags as a person's or a proper noun (建华), or two characters of given
    names it does not know as a word (秀兰) or knows as a place (建国); not a nickname (老王, 小李)."""
    tag = tagger().dt.word_tag_tab.get(name) or "x"
    if len(name) != 2 or name[0] == name[1] or name[0] in NICKNAME_HEADS:
        return False
    return tag in {"nr", "nz", "nrfg"} or given_pair(name) or tag == "ns" and set(name) <= GIVEN_CHARACTERS


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
    if not after or _not_a_person(name) or before == "w" and after not in "dt" or _said_twice(name, rest):
        return False
    sure = after == "d" and rest.startswith(SURE_DEEDS)
    framed = before == "s" and sure or before == "r" and after in "dth"
    if name[0] in AMBIGUOUS_SURNAMES and not (framed and _word_like_name(name)):
        return False  # 和李老师, 都挺负责; but 向前答应, 司机向前主动…
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
    """A given name alone (审批科的建华说, 红旗主任说, 修鞋的建军手艺好): an office, a trade or a person verb
    before it and a title or a deed after it, or a title after a name jieba tags as a person's."""
    named = tags().get(name) == "nr"
    proper = named or tags().get(name) == "nz" and set(name) <= GIVEN_CHARACTERS  # 表扬红梅、建华两位网格员
    return before in "vwo" and (after == "t" or sure) or before in "vo" and after == "d" \
        or before == "s" and proper and after == "t"


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
