"""Personal names in Chinese text, for redact: jieba's tagger, the words around a name and a record's layout.

A name is masked when jieba tags it and it is no common word, when a cue comes before it (我叫,
村会计, 户名：, 来电人, a job ending in 员 or 师), a title after it (医生, 主任), something only a person has
after it (的妈妈, 都说, 他爹), or when a record's layout marks it (六组王长山：, 四(3)班李子轩, 【童建新】,
[欧阳振兴 09:45], ——焦明远, a name alone on a line or beside a phone number or a QQ id, 白雪是…网格员, a
speaker between a role and a colon: 退休职工高峰：, a report's staff: 录入：综合科司马婧）, a rare compound
surname: 赫连志刚来电). A name joined to a found one by 和 or 、 is one too, and names of the Tibetan and
Uyghur peoples are read by their parts and sounds (扎西多吉, 热依拉).
A word that is also a name (高峰, 江河) is masked only in such a place. The word tables live in name_words,
the names a sentence's frame marks (找了X三次, 审批科的X说) in name_frames.
"""

import re
from dataclasses import dataclass

from drafting.feedback.name_frames import ROLE_WORDS, framed_names
from drafting.feedback.name_words import (
    AMBIGUOUS_SURNAMES,
    CALLED_AFTER,
    COLON_CUES,
    COMMON_COMPOUNDS,
    COMMON_WORD,
    COMPOUND_SURNAMES,
    CUED_WORD,
    CUES,
    DEGREE_ADVERBS,
    FUNCTION_FLAGS,
    GIVEN_CHAR_FLAGS,
    GIVEN_CHARACTERS,
    GROUP_ROLES,
    KEEP_WORDS,
    KNOWN_WORD,
    MODALS,
    MONGOLIAN_PARTS,
    NATURE_ENDS,
    NICKNAME_HEADS,
    NOT_GIVEN,
    NOT_GIVEN_FLAGS,
    NOT_NAMES,
    ORGANISATION_ENDS,
    PARTNER_JOINS,
    PERSON_NOUNS,
    PLACE_SUFFIXES,
    PLACES_AFTER,
    ROLE_ENDS,
    SOFT_GIVEN,
    SOUND_CHARACTERS,
    SPEAKER_ROLES,
    SPEECH_VERBS,
    STAFF_CUES,
    STRONG_CUES,
    TERM_BEFORE,
    THINGS_AFTER,
    TIBETAN_PARTS,
    TITLES,
    VERB_AFTER,
    VERY_COMMON_WORD,
    WORD_PREFIX,
    common,
    frequency,
    full_name,
    is_chinese,
    is_surname_start,
    plausible_name,
    surname_of,
    tagger,
    verb_like,
)

# A group or class before a name (六组王长山, 四(3)班李子轩), and a speaker's name before a colon.
_GROUP = r"[一二三四五六七八九十\d]+[组队]|[一二三四五六七八九十\d]*[(（][\d一二三四五六七八九十]+[)）]班"
_SPEAKER = re.compile(rf"(?:^|(?<=[。；;！？!?\n）)\s]))(?P<g>{_GROUP})?(?P<n>[\u4e00-\u9fff]{{2,4}}?)"
                      r"(?P<b>[（(][^）)]{1,12}[）)])?说?\s*[：:]")
# Where a name found on the characters may end: punctuation, a space, kin, a verb of speech
# (来电人宁德彬反映), the end.
_NAME_END = (r"(?=[的，,。、；;）)：:\s（(]|同学|妈妈|爸爸|家长|奶奶|爷爷|孙子|孙女|儿子|女儿|媳妇|老伴|家属"
             rf"|{'|'.join(sorted(verb for verb in SPEECH_VERBS if len(verb) > 1))}|$)")
_GROUPED = re.compile(rf"(?:{_GROUP})(?P<n>[\u4e00-\u9fff]{{2,4}}?){_NAME_END}")
# A cue and the name after it, on the characters, since jieba may glue them (申请人马丽 → 申请 人马 丽).
_CUED = re.compile(rf"(?P<c>{'|'.join(sorted({*CUES, *STRONG_CUES, *COLON_CUES}, key=len, reverse=True))})"
                   rf"(?P<colon>[：:])?\s*(?P<n>[\u4e00-\u9fff]{{2,4}}?){_NAME_END}")
_SOUNDS = "".join(sorted(SOUND_CHARACTERS))
_MINORITY = re.compile(rf"(?:{'|'.join(TIBETAN_PARTS)}){{2}}|(?:{'|'.join(MONGOLIAN_PARTS)}){{2}}"
                       rf"|[{_SOUNDS}]{{2,8}}[·•・][{_SOUNDS}]{{2,8}}(?:[·•・][{_SOUNDS}]{{2,8}})?")
# A long name written by its sounds after a strong cue (我叫阿不都热合曼), which jieba cuts to pieces.
_SOUND_CUED = re.compile(rf"(?:{'|'.join(sorted({*STRONG_CUES, *CUES}, key=len, reverse=True))})[：:]?\s*"
                         rf"(?P<n>[{_SOUNDS}]{{4,8}})")
# A signature after a dash, closing the text or followed by a date (……请领导重视。——焦明远 3月5日).
_SIGNED = re.compile(r"(?:——|—|－－|--|～|~)\s*(?P<n>[\u4e00-\u9fff]{2,4}?)\s*(?=$|\d|[（(，,。.\s])")
# A name right before its owner's phone or ID number (韦保山，身份证1306…, 张敏 13812345678).
_BEFORE_NUMBER = re.compile(r"(?:^|(?<=[。；;！？!?\s，,：:]))(?P<n>[\u4e00-\u9fff]{2,4}?)[，,\s]*"
                            r"(?=(?:身份证号?码?|电话|手机号?码?|联系电话|联系方式)?[：:]?\s*"
                            r"(?:\+?86)?(?:1[3-9]\d[- ]?\d{4}[- ]?\d{4}|\d{17}[\dXx])(?!\d))")
# A name right before its owner's QQ or WeChat id (a contact cell: 东方秀云  QQ 3126048572).
_BEFORE_CHAT_ID = re.compile(r"(?:^|(?<=[。；;！？!?\s，,：:]))(?P<n>[\u4e00-\u9fff]{2,4}?)[，,\s]*"
                             r"(?=(?:QQ|qq|扣扣|微信|[Vv][Xx])(?:号码?)?[：:]?\s*[A-Za-z0-9_-]{5,}(?![A-Za-z0-9_-]))")
# A staff member who made or checked a record, after a colon and their office, in a report's header or
# footer (录入：综合科司马婧）, 导出人：司马婧）, 汇总人：南宫雪，复核：宗丽华).
_OFFICE = r"[\u4e00-\u9fff]{1,6}?(?:科|室|处|部|股|组|队|站|所|办|中心|窗口)"
_STAFF = re.compile(rf"(?:{'|'.join(sorted(STAFF_CUES, key=len, reverse=True))})[：:]\s*(?:{_OFFICE})??"
                    r"(?P<n>[\u4e00-\u9fff]{2,4}?)(?=[）)，,。；;、\s]|$)")
# The same staff member signing the last clause of a bracketed note that a staff cue opens
# (（记录人：以上意见会后分送各窗口单位，易文静）).
_STAFF_SIGNED = re.compile(rf"[（(](?:{'|'.join(STAFF_CUES)})[：:][^（）()]*?[，,]\s*"
                           r"(?P<n>[\u4e00-\u9fff]{2,4})\s*[）)]")
# A rare compound surname (闻人, 赫连, 公冶) and a given name, which jieba cuts anywhere (赫连志 刚来电).
_RARE_COMPOUNDS = [surname for surname in COMPOUND_SURNAMES
                   if surname not in COMMON_COMPOUNDS and frequency(surname) < KNOWN_WORD]
_COMPOUND_NAME = re.compile(rf"(?P<n>(?:{'|'.join(_RARE_COMPOUNDS)})[\u4e00-\u9fff]{{1,2}}?){_NAME_END}")
# A line's speaker said to be of a role, before a colon (退休职工高峰：, 商户代表江河：, 驾驶员向前：).
_SPEAKER_HEAD = re.compile(r"(?:^|(?<=[。；;！？!?\n）)\s、]))(?P<h>[\u4e00-\u9fff]{3,12})[：:]")
# A name right after a phone or ID number, alone between commas (a form's row: 3201…1234,李娜,宿舍太挤).
_AFTER_NUMBER = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|\d{17}[\dXx])[，,\s]+(?P<n>[\u4e00-\u9fff]{2,4})"
                           r"(?=[，,\s]|$)")
# A name said to hold a job (白雪是我们社区最负责的网格员, 李娜是我们班的班长).
_IS_ROLE = re.compile(rf"(?:^|(?<=[。；;！？!?，,\s]))(?P<n>[\u4e00-\u9fff]{{2,3}}?)是"
                      rf"[^。，,；;！？!?]{{0,12}}?(?:[\u4e00-\u9fff]员|{'|'.join(TITLES)})(?=[，,。；;！？!?\s]|$)")
# A text that is nothing but a name (a 提出人 cell, a signature line).
_WHOLE = re.compile(r"^\s*(?P<n>[\u4e00-\u9fff]{2,4})\s*$")
# A name alone in brackets, after a nickname or a role (小张（张明亮）) or heading a message (【童建新】),
# there with the time it was sent ([欧阳振兴 09:45]).
# A chat message's sender written by its sounds, and the time it was sent ([阿不都热合曼 21:03], [阿依努尔]).
_CHAT_HEADER = re.compile(rf"^\s*[【\[](?P<n>[{_SOUNDS}不·]{{4,12}})"
                          r"(?:\s+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?[】\]]")
_BRACKETED = re.compile(r"[（(【\[〔](?P<n>[\u4e00-\u9fff]{2,4})(?:\s+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
                        r"[）)】\]〕]")
# What follows a person and not a thing: kin (王梓涵的妈妈), a pronoun (黄婷婷，她), speech (苏红梅都说).
_PERSON_AFTER = re.compile(r"的?(?:妈妈|爸爸|奶奶|爷爷|姥姥|姥爷|外婆|外公|小舅子|舅舅|媳妇|老婆|"
                           r"丈夫|妻子|儿子|女儿|父亲|母亲)|[，,]?[他她你您]|[都也就又]?(?:说|讲|插话|发言|表示)")
# Kin named through a pronoun after a name (江河他爹): whatever the dictionary says, that is a person.
_KIN_AFTER = re.compile(r"[他她](?:爹|娘|妈|爸|家|儿子|闺女|女儿|媳妇|老婆|男人|奶奶|爷爷|哥|姐|弟|妹)")
_BOUNDARY = set("。，,；;！？!?、：:（()）\n ")


def find_names(text: str) -> list[tuple[int, int]]:
    """Spans of personal names, left to right, never overlapping."""
    if not re.search(r"[\u4e00-\u9fff]", text):
        return []
    spans = _prefixed_names(text)
    taken = [False] * len(text)
    for start, end in spans:
        taken[start:end] = [True] * (end - start)
    spans += [(s, e) for s, e in _tagged_names(text) if not any(taken[s:e])]
    return sorted(_with_partners(text, spans))


def _with_partners(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The names found and the names joined to them by 和, 与, 跟 or 、 (石向前和石向东, 王强与李明都说)."""
    found = set(spans)
    todo = list(spans)
    while todo:
        start, end = todo.pop()
        for span in (_partner_before(text, start), _partner_after(text, end)):
            if span is not None and not any(span[0] < e and s < span[1] for s, e in found):
                found.add(span)
                todo.append(span)
    return list(found)


def _partner_like(name: str) -> bool:
    """A name beside another one, whose given name is no common noun or verb (青蓝工程、师德工程 are no
    people; 石向前 is one), or a given name alone that jieba tags as a name (红梅、建华)."""
    named = tagger().dt.word_tag_tab.get(name) in {"nr", "nz"}
    if len(name) == 2 and set(name) <= GIVEN_CHARACTERS and named:
        return True
    given = name[len(surname_of(name)):]
    tag = tagger().dt.word_tag_tab.get(given, "")
    common = len(given) == 2 and tag[:1] in {"n", "v"} and not tag.startswith("nr") \
        and frequency(given) >= KNOWN_WORD
    head = tagger().dt.word_tag_tab.get(name[:2], "")  # 项目部、刘雪
    word_first = len(name) == 3 and head[:1] in {"n", "v"} and not head.startswith("nr") \
        and frequency(name[:2]) >= WORD_PREFIX
    return _alone_like(name) and not common and not word_first


def _partner_before(text: str, start: int) -> tuple[int, int] | None:
    """The name right before `和`/`与`/`跟`/`、` and the name at `start`."""
    if start < 3 or text[start - 1] not in PARTNER_JOINS:
        return None
    for length in (3, 2):
        name = text[max(0, start - 1 - length):start - 1]
        if len(name) == length and _partner_like(name):
            return start - 1 - length, start - 1
    return None


def _partner_after(text: str, end: int) -> tuple[int, int] | None:
    """The name right after the name ending at `end` and `和`/`与`/`跟`/`、`."""
    if end >= len(text) or text[end] not in PARTNER_JOINS:
        return None
    for length in (3, 2):
        name = text[end + 1:end + 1 + length]
        if len(name) == length and _partner_like(name):
            return end + 1, end + 1 + length
    return None


def _prefixed_names(text: str) -> list[tuple[int, int]]:
    """Names the layout marks: a speaker before a colon (六组王长山：, 王秀兰（五组）：), a name after a group
    or class (四(3)班李子轩，) or a cue (申请人马丽，), or alone in brackets (小张（张明亮）). Found on the
    characters, since jieba glues 组张, 班王 or 人马."""
    found = [match.span("n") for match in _SPEAKER.finditer(text)  # 常青（退休教师）： is sure as 六组常青：
             if _speaker_like(match.group("n"), grouped=bool(match.group("g") or match.group("b")))]
    found += [match.span("n") for match in _GROUPED.finditer(text) if _speaker_like(match.group("n"), True)]
    found += [match.span("n") for match in _CUED.finditer(text) if _cued_like(match)]
    found += _role_speakers(text)
    found += [match.span("n") for pattern in (_STAFF, _STAFF_SIGNED) for match in pattern.finditer(text)
              if _staff_like(match.group("n"))]
    found += [match.span("n") for match in _COMPOUND_NAME.finditer(text) if _compound_like(match.group("n"))]
    found += [match.span() for match in _MINORITY.finditer(text)]
    found += [match.span("n") for match in _SOUND_CUED.finditer(text)]
    alone = (_BEFORE_NUMBER, _BEFORE_CHAT_ID, _AFTER_NUMBER, _IS_ROLE, _WHOLE)
    found += [match.span("n") for pattern in alone for match in pattern.finditer(text)
              if _alone_like(match.group("n"))]
    found += [match.span("n") for pattern in (_BRACKETED, _SIGNED) for match in pattern.finditer(text)
              if _speaker_like(match.group("n"), grouped=False)]
    found += [match.span("n") for match in _CHAT_HEADER.finditer(text)]
    found += framed_names(text)
    spans: list[tuple[int, int]] = []
    for start, end in found:
        if not any(start < e and s < end for s, e in spans):
            spans.append((start, end))
    return spans


def _role_speakers(text: str) -> list[tuple[int, int]]:
    """Speakers named after their role and before a colon (退休职工高峰：, 留言人金白雪：): between the two, a
    word that is also a name (高峰, 文明, 向前) is a person."""
    spans = []
    for match in _SPEAKER_HEAD.finditer(text):
        head = match.group("h")
        for length in (2, 3, 4):
            role, name = head[:-length], head[-length:]
            if len(role) >= 2 and _speaker_role(role) and _role_speaker_like(name):
                spans.append((match.end("h") - length, match.end("h")))
                break
    return spans


def _speaker_role(role: str) -> bool:
    """A role a speaker is introduced by, perhaps after a word (退休职工, 商户代表, 驾驶员), and no longer."""
    ends = [len(word) for word in SPEAKER_ROLES if role.endswith(word)]
    ends += [1] if role[-1] in ROLE_ENDS and role not in NOT_NAMES else []
    return bool(ends) and len(role) - min(ends) <= 4


def _role_speaker_like(name: str) -> bool:
    """A name between a role and a colon: a surname and a given name, a word that may name a person (高峰,
    江河, 向前; not 宿舍 or 培训), or three characters no word of the dictionary but a person's (仇建军)."""
    if not is_surname_start(name) or len(name) == 4 and not name.startswith(COMPOUND_SURNAMES) \
            or name.endswith(TITLES) or name in CUES or name in PERSON_NOUNS or name.endswith(SPEAKER_ROLES):
        return False
    given = name[len(surname_of(name)):]
    if not given or set(given) & (NOT_GIVEN - SOFT_GIVEN) or name[0] == name[1]:
        return False
    tag = tagger().dt.word_tag_tab.get(name)
    if len(name) == 2:
        return tag is None or tag in {"nr", "nrfg", "nrt", "ns", "nz", "t"}
    return (tag is None or tag.startswith("nr")) and not _dictionary_word(name[:2], strong=False) \
        and plausible_name(name, places=False, closed=True)


def _compound_like(name: str) -> bool:
    """A rare compound surname and a given name, no word of the dictionary but a person's (微生物 is none)."""
    tag = tagger().dt.word_tag_tab.get(name)
    return (tag is None or tag.startswith("nr")) and plausible_name(name, closed=True)


def _staff_like(name: str) -> bool:
    """A staff member's name after their office: a whole name, no very common word, title, role or office
    (录入：信息科 names the office alone)."""
    if len(name) == 4 and not name.startswith(COMPOUND_SURNAMES) or name.endswith((*TITLES, *SPEAKER_ROLES)):
        return False
    office_word = len(surname_of(name)) == 1 and _dictionary_word(name[:2], strong=False)  # 信息科
    if name[-1] in ORGANISATION_ENDS or office_word:
        return False
    return frequency(name) < VERY_COMMON_WORD and plausible_name(name, places=False, closed=True)


def _cued_like(match: re.Match[str]) -> bool:
    """The characters after a cue are a whole name: after a strong cue (申请人, 姓名：) anything but a very
    common word; after a weak one (民警, 邻居) no word of the dictionary and no place."""
    name, cue = match.group("n"), match.group("c")
    if _term_called(match.string[:match.end("c")]) or _copula_verb(match.string[:match.end("c")], name):
        return False
    strong = _strong_cue(cue, match.string[:match.start()]) \
        or cue in COLON_CUES and match.group("colon") is not None
    if cue in COLON_CUES and not strong or len(name) == 4 and not name.startswith(COMPOUND_SURNAMES) \
            or name.endswith(TITLES) or name[0] in AMBIGUOUS_SURNAMES and not strong:
        return False
    word_first = not strong and _word_and_suffix(name)  # 党员管理难, but 我叫王国丽
    return not (_dictionary_word(name, strong) or word_first) \
        and plausible_name(name, places=not strong, closed=True)


def _term_called(before: str) -> bool:
    """The text ends in a 叫 that introduces a term, not a name (什么叫公摊费, 这叫服务)."""
    return before.endswith(tuple(word + "叫" for word in TERM_BEFORE))


def _copula_verb(before: str, word: str) -> bool:
    """After 我是 a surname that is mostly a verb starts a verb phrase, not a name (我是来报案的)."""
    return before.endswith("我是") and word[:1] in AMBIGUOUS_SURNAMES and verb_like(word[:1])


def _strong_cue(cue: str, before: str) -> bool:
    """The cue vouches for any name: 申请人, 俺叫; a bare 叫 only after a pronoun or 名字 (院墙叫修路的推倒了
    is a passive)."""
    if cue.endswith("叫"):
        return cue != "叫" or before.endswith(CALLED_AFTER)
    return cue in STRONG_CUES


def _speaker_like(name: str, grouped: bool) -> bool:
    """A whole name (not a word of the dictionary, a title or a cue); after a group, 王长河 is no river."""
    if len(name) == 4 and not name.startswith(COMPOUND_SURNAMES) or name.endswith(TITLES):
        return False
    if grouped:  # 六组高丽： is a person even though 高丽 is a word
        return frequency(name) < VERY_COMMON_WORD and plausible_name(name, places=False, closed=True)
    tag = tagger().dt.word_tag_tab.get(name)
    if tag is not None and not tag.startswith("nr") or frequency(name) >= COMMON_WORD \
            or _word_and_suffix(name):  # （白天打）
        return False
    return plausible_name(name, closed=True)


def _alone_like(name: str) -> bool:
    """A name with no cue but its place (alone on a line, before a phone number): not a word a line may be
    (满意, 宿舍), not a place (王庄村), though a name may end like one (韦保山)."""
    tag = tagger().dt.word_tag_tab.get(name)
    if tag is not None and not tag.startswith("nr") and frequency(name) >= KNOWN_WORD:
        return False
    place = name.endswith(PLACE_SUFFIXES) and not name.endswith(NATURE_ENDS)
    return _speaker_like(name, grouped=True) and not place and not _word_and_suffix(name)  # 白天打


Tokens = list[tuple[str, str]]


def _tagged_names(text: str) -> list[tuple[int, int]]:
    """Spans of names read on jieba's tokens: tagged names, names before a title or after a cue."""
    tokens = [(pair.word, pair.flag) for pair in tagger().cut(text)]
    offsets: list[int] = []
    pos = 0
    for word, _ in tokens:
        offsets.append(pos)
        pos += len(word)
    spans: list[tuple[int, int]] = []
    i = 0
    last_end = -1
    while i < len(tokens):
        listed = i >= 2 and last_end == i - 1 and (tokens[i - 1][0] == "、" or tokens[i - 1][0] in {"，", ","}
                                                    and tokens[i][1].startswith("nr"))
        found = _name_at(tokens, i, listed)
        if found:
            used, start, end = found
            spans.append((offsets[i] + start, offsets[i] + end))
            i += used
            last_end = i
        else:
            i += 1
    return spans


@dataclass(frozen=True)
class _At:
    """Token i and what surrounds it."""

    tokens: Tokens
    i: int
    word: str
    flag: str
    nxt: str
    cued: bool
    strong: bool
    titled: bool

    @classmethod
    def of(cls, tokens: Tokens, i: int, listed: bool) -> "_At":
        word, flag = tokens[i]
        nxt = tokens[i + 1][0] if i + 1 < len(tokens) else ""
        raw = "".join(w for w, _ in tokens[max(0, i - 3):i])
        before = raw.rstrip("：: ")
        if _term_called(before) or _copula_verb(before, word):
            before = ""
        # the next name of a list is as sure as the one before it (杨振东、罗兰)
        strong = before.endswith(STRONG_CUES) or raw.endswith(("：", ":")) and before.endswith(COLON_CUES) \
            or listed
        cued = strong or before.endswith(CUES) or i > 0 and _role_noun(*tokens[i - 1])
        return cls(tokens, i, word, flag, nxt, cued, strong, nxt in TITLES)


def _role_noun(word: str, flag: str) -> bool:
    """A noun naming someone's job, as the ones that end in 员 or 师 do (协管员, 厨师; not 人员, 成员)."""
    return len(word) >= 2 and flag.startswith("n") and word.endswith(ROLE_ENDS) \
        and not word.endswith(GROUP_ROLES) and word not in NOT_NAMES


def _name_at(tokens: Tokens, i: int, listed: bool = False) -> tuple[int, int, int] | None:
    """(tokens used, first and past-last character of the name within them) when a name starts at token i."""
    word, flag = tokens[i]
    if not (flag.startswith("nr") or is_surname_start(word)):  # most tokens: checked first, for speed
        return None
    if i and tokens[i - 1][0] in NICKNAME_HEADS:  # 老吴脾气大: 老吴 is the person, 脾气 no given name
        return None
    if i and tokens[i - 1][0] in DEGREE_ADVERBS:  # 办事很麻利: an adjective, whatever the tagger says
        return None
    if i + 1 < len(tokens) and tokens[i + 1][0] == "们":  # 海燕们: a plural noun
        return None
    if _transliterated(word, flag):
        return 1, 0, len(word)
    at = _At.of(tokens, i, listed)
    glued = _glued_title(at)
    if glued is not None:
        return (1, 0, len(glued)) if full_name(glued) else None
    if not is_chinese(at.word):
        return None
    found = [step(at) for step in (_two_token_name, _vouched_name, _cued_name, _titled_name, _person_name)]
    readings = [(used, 0, length) for used, length in filter(None, found)]
    # the longest reading wins: after a cue jieba may cut a name in two (王子 豪, 姜文 涛)
    return max([*readings, *filter(None, [_tagged_name(at)])], key=lambda span: span[2] - span[1],
               default=None)


def _transliterated(word: str, flag: str) -> bool:
    """A name jieba tags, written by its sounds (热依拉, 阿依古丽), that its dictionary hardly knows."""
    return flag in {"nr", "nrt"} and 3 <= len(word) <= 6 and set(word) <= SOUND_CHARACTERS \
        and frequency(word) < KNOWN_WORD and not word.startswith(KEEP_WORDS)


def _glued_title(at: _At) -> str | None:
    """The name part of a tagged name with a title glued on (李师傅 is one token; 张三丰师傅 is split)."""
    if not at.flag.startswith("nr"):
        return None
    for title in TITLES:
        if at.word.endswith(title) and len(at.word) > len(title):
            return at.word[: -len(title)]
    return None


def _tagged_name(at: _At) -> tuple[int, int, int] | None:
    """A token jieba tags as a person's name, unless it reads as a place, a noun and verb or a common word
    (信息科徐静 arrives as 科徐静: the organisation's last character is left out)."""
    if at.flag not in {"nr", "nrfg", "nrt"}:
        return None
    lead = 1 if at.word[0] in ORGANISATION_ENDS and len(at.word) == 3 and full_name(at.word[1:]) else 0
    word = at.word[lead:]
    if not full_name(word) or _place_like(word, at.nxt):
        return None
    vouched = at.cued or at.titled
    if not vouched and (_verb_after_noun(word) or word[0] in AMBIGUOUS_SURNAMES or _word_and_suffix(word)
                        or _verb_after_modal(at)):
        return None
    if not at.strong and common(word, _word_limit(at)):
        return None
    if at.cued and _cut_short(at):
        return 2, 0, 4
    if not lead and _cut_before_end(at):
        return 2, 0, 3
    return 1, lead, len(at.word)


def _verb_after_modal(at: _At) -> bool:
    """After 只能, 要 or 都 a surname that is also a verb is that verb (只能付现金, 要管好)."""
    before, flag = at.tokens[at.i - 1] if at.i else ("", "x")
    return (flag == "d" or before in MODALS) and verb_like(at.word[0])


def _word_limit(at: _At) -> int:
    """How frequent in the dictionary a tagged name may be: a title vouches for more than a weak cue."""
    return VERY_COMMON_WORD if at.titled else CUED_WORD if at.cued else COMMON_WORD


def _word_and_suffix(word: str) -> bool:
    """Three characters that are a common verb or adjective and one more (练习册, 管理难)."""
    return len(word) == 3 and frequency(word[:2]) >= WORD_PREFIX and verb_like(word[:2])


def _cut_short(at: _At) -> bool:
    """jieba cut a compound surname's two-character given name short (欧阳明 月)."""
    follows = at.tokens[at.i + 1][1] if at.i + 1 < len(at.tokens) else "x"
    return (at.word[:2] in COMPOUND_SURNAMES and len(at.word) == 3 and len(at.nxt) == 1
            and is_chinese(at.nxt) and follows not in {"x", "uj", "ul", "p", "c", "d", "v"})


def _cut_before_end(at: _At) -> bool:
    """jieba cut the last character off a three-character name and left it alone before a break or a verb
    of speech (宁德 彬 反映): masking the first two would show it (宁**彬)."""
    follows = at.tokens[at.i + 1][1] if at.i + 1 < len(at.tokens) else "x"
    return len(at.word) == 2 and len(surname_of(at.word)) == 1 and len(at.nxt) == 1 and is_chinese(at.nxt) \
        and follows in GIVEN_CHAR_FLAGS and at.nxt not in TITLES \
        and plausible_name(at.word + at.nxt, closed=True) and _closes(at.tokens, at.i + 2)


def _two_token_name(at: _At) -> tuple[int, int] | None:
    """A surname and a given name as two tokens (周 建华, 欧阳 娜娜), the second not a title."""
    if not (at.nxt and is_chinese(at.nxt) and len(at.nxt) <= 2 and at.nxt not in TITLES
            and full_name(at.word + at.nxt)):
        return None
    next_flag = at.tokens[at.i + 1][1]
    # a lone surname jieba calls a noun may start a name when the given name is tagged as one (芦 秀英)
    named_next = next_flag.startswith("nr") and not at.flag.startswith("v")
    lone_surname = len(at.word) == 1 and not (at.word in AMBIGUOUS_SURNAMES and not at.strong) \
        and (at.flag in {"nr", "ng"} or (at.cued or named_next) and not at.flag.startswith(FUNCTION_FLAGS))
    if at.nxt in PERSON_NOUNS:
        return None  # 熊孩子 is a kind of child, as 王师傅 is a kind of master
    given_like = next_flag.startswith("nr") or next_flag in {"n", "nz", "ng", "t", "a", "an", "vn", "j"} \
        or (at.flag == "nr" or at.cued or at.word in COMPOUND_SURNAMES) and next_flag == "ns"  # 赵 建国
    compound = at.word in COMPOUND_SURNAMES and (next_flag.startswith("nr") or given_like
                                                 and at.word not in COMMON_COMPOUNDS)
    after = at.tokens[at.i + 2][0] if at.i + 2 < len(at.tokens) else ""
    name = at.word + at.nxt  # after a cue, 江 小河 is a child, not a river
    place = _place_like(name, after) and not (at.cued and name.endswith(NATURE_ENDS))
    if (lone_surname and given_like or compound) and not place:
        return 2, len(at.word) + len(at.nxt)
    return None


def _vouched_name(at: _At) -> tuple[int, int] | None:
    """One token after a cue or before a title that could be a name and is not a very common word, a place
    (监考员由玉潭学校) or a word and its suffix (缴费人满意率)."""
    taggable = at.flag.startswith("nr") or at.flag in {"nz", "ng", "x"}
    vouched = at.strong or not (common(at.word, _word_limit(at)) or _place_like(at.word, at.nxt)
                                or at.word[0] in AMBIGUOUS_SURNAMES or _word_and_suffix(at.word))
    if (at.cued or at.titled) and full_name(at.word) and taggable and vouched:
        return 1, len(at.word)
    return None


def _cued_name(at: _At) -> tuple[int, int] | None:
    """After a cue (我叫, 村会计, 户名：, a list's 、), the longest run of tokens that reads as a name."""
    if not at.cued or not at.strong and len(at.word) == 2 and verb_like(at.word):
        return None  # 党员管理难 starts with a verb, not a surname (but 王国 丽 and 高志 丽 may be names)
    return max((span for span in _readings(at) if not _common_reading(at, span, at.strong)
                and not _job_modifier(at, span)), key=lambda span: span[1], default=None)


def _job_modifier(at: _At, span: tuple[int, int]) -> bool:
    """A word of the dictionary before a job names the kind of job, not a person (我是公交司机)."""
    job = _following(at, span, 1)
    tag = tagger().dt.word_tag_tab.get(at.word) or "x"
    return span[0] == 1 and not tag.startswith("nr") and frequency(at.word) >= KNOWN_WORD \
        and job not in TITLES and (job in ROLE_WORDS or len(job) >= 2 and job.endswith(ROLE_ENDS))


def _titled_name(at: _At) -> tuple[int, int] | None:
    """A run of tokens that reads as a name right before a title (叶 开心 老师, 张 立新 主任)."""
    for span in _readings(at):
        if _following(at, span, 1) in TITLES and not _common_reading(at, span):
            return span
    return None


def _person_name(at: _At) -> tuple[int, int] | None:
    """A run of tokens that reads as a name before what follows only a person: kin, a pronoun, speech
    (王梓涵的妈妈, 黄婷婷，她, 苏红梅都说, 钱卫东的小舅子)."""
    for span in _readings(at, places=False):  # 王长山插话 is no mountain
        after = _following(at, span, 3)
        if _PERSON_AFTER.match(after) and not _common_reading(at, span, strong=bool(_KIN_AFTER.match(after))):
            return span
    return None


def _following(at: _At, span: tuple[int, int], count: int) -> str:
    """The text of the `count` tokens after a reading."""
    start = at.i + span[0]
    return "".join(word for word, _ in at.tokens[start:start + count])


def _readings(at: _At, places: bool = True) -> list[tuple[int, int]]:
    """(tokens, characters) of each run of tokens from token i that ends on a token boundary and reads as
    a full name, shortest first."""
    if not is_surname_start(at.word) or at.word[0] in AMBIGUOUS_SURNAMES and not at.strong:
        return []
    spans: list[tuple[int, int]] = []
    text = ""
    for j in range(at.i, min(at.i + 4, len(at.tokens))):
        word, flag = at.tokens[j]
        if not is_chinese(word) or word in TITLES or word in CUES or \
                j > at.i and (flag.startswith(NOT_GIVEN_FLAGS) or not _given_part(at, j, text)):
            break
        text += word
        if len(text) > len(surname_of(text)) + 2:
            break
        if plausible_name(text, places, closed=_closes(at.tokens, j + 1)):
            spans.append((j - at.i + 1, len(text)))
    return spans


def _closes(tokens: Tokens, j: int) -> bool:
    """Token j ends what comes before it: a break, a title or a verb of speech (or there is no token j)."""
    after = tokens[j][0] if j < len(tokens) else ""
    return not after or after[0] in _BOUNDARY or after in TITLES or after in SPEECH_VERBS


def _given_part(at: _At, j: int, text: str) -> bool:
    """Token j may continue a name: no adverb before its verb (车 乱 停); after a whole name only a last
    character that ends the clause or comes before a title or a verb of speech does (李德 胜（, 李德 胜 代表,
    王伟 建 反映, but 石磊 发药)."""
    word, flag = at.tokens[j]
    follows = at.tokens[j + 1][1] if j + 1 < len(at.tokens) else "x"
    if len(word) == 1 and flag == "d" and follows.startswith("v"):  # 车 乱 停: an adverb before its verb
        return False
    if len(text) == len(surname_of(text)) or not flag.startswith("v"):
        return True
    return len(word) == 1 and len(text) == len(surname_of(text)) + 1 and _closes(at.tokens, j + 1)


def _common_reading(at: _At, span: tuple[int, int], strong: bool = False) -> bool:
    """A one-token reading that the dictionary knows as something other than a person (宣布 after 主持人,
    党支部 before 书记) or, unless a strong cue vouches for it, as a very common word."""
    if span[0] != 1:
        return False
    rare = strong and frequency(at.word) < KNOWN_WORD  # 我叫何国, though 何国 may be a pronoun
    return at.flag[:1] in "vdpcr" and not rare or _dictionary_word(at.word, strong)


def _dictionary_word(word: str, strong: bool) -> bool:
    """jieba's dictionary knows the word as something other than a person: a verb or a longer word
    (查房, 荣誉感) always; after a strong cue only a very common word (我叫高峰 and 联系人白雪 are
    people, 录入：信息 is not); after a weak one any known word (盖房) or a frequent one, however tagged
    (教师智慧)."""
    tag = tagger().dt.word_tag_tab.get(word)
    other = tag is not None and not tag.startswith("nr")
    if other and (tag[0] in "vdpcra" or len(word) > 2):
        return not strong or frequency(word) >= KNOWN_WORD
    if strong:
        return other and frequency(word) >= VERY_COMMON_WORD
    return other and frequency(word) >= KNOWN_WORD or common(word, CUED_WORD)


def _verb_after_noun(word: str) -> bool:
    """A two-character token like 钱花: a common noun and a verb, which jieba may tag nr."""
    return len(word) == 2 and word[1] in VERB_AFTER


def _place_like(word: str, nxt: str) -> bool:
    return word.endswith(PLACE_SUFFIXES) or nxt[:1] in PLACE_SUFFIXES and len(nxt) == 1 \
        or nxt.startswith(PLACES_AFTER) or nxt.startswith(THINGS_AFTER)


