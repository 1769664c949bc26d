"""Anonymisation: phone numbers, ID card numbers, e-mail addresses and personal names are masked.

Every later stage (the embedder, the classifier, the LLM, the store and the exports) sees only
the masked text, so this runs first, on each whole line before it is split into opinions.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Kind = Literal["mobile", "landline", "id", "email", "staff", "name"]

NAME_MASK = "**"

# The commonest single-character surnames (about 98% of the population) and the compound ones.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古"
    "吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫"
    "寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻"
    "位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦"
    "戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但"
    "尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
                     "司徒", "夏侯", "令狐", "端木", "西门", "南宫", "独孤", "轩辕", "澹台", "公冶", "呼延")

# A name right before one of these is a person; a bare surname before one (王书记) stays as it is.
TITLES = tuple("""书记 副书记 师傅 同志 老师 主任 副主任 医生 大夫 护士 校长 副校长 局长 副局长 科长 处长 所长
院长 部长 村长 镇长 乡长 县长 区长 市长 经理 总经理 厂长 队长 组长 班长 站长 馆长 行长 支书 委员 干事 会计
老板 先生 女士 阿姨 大姐 大哥 师父 教授 主席 警官 民警 律师 工程师 代表 社长 董事长""".split())
# A name right after one of these is a person: 我是、我叫、联系人：…
CUES = tuple("""我是 我叫 本人 姓名 名叫 叫做 联系人 举报人 反映人 来信人 签名 患者 司机 职工 员工 学生 家长
住户 业主 村民 居民 群众 党员 同事 丈夫 妻子 儿子 女儿 老伴""".split())
# Words the tagger calls names whose next word or last character shows a place, an organisation or an object.
PLACE_SUFFIXES = tuple("村镇乡路街庄县区市省山河湖桥井港湾寺楼园堂店厂场站馆院所局委队社巷里屯营堡寨岭峰坡州"
                       "栏室厅箱库柜")
# Second characters that make a two-character "name" more likely a noun and its verb (钱花, 钱用, 时来).
VERB_AFTER = set("花用给要是在说来去到把被让叫太很也都还就更最得")
# A two-character word this frequent in jieba's dictionary is a common word (陈旧, 晋升, 黄牛, 高明, 普通)
# even when it is tagged as a name; with a cue (我叫) or a title (医生) after it, only a very common one is.
# (Three-character names in the dictionary are people: 彭德怀.)
COMMON_WORD = 100
VERY_COMMON_WORD = 5000
# Cues after which the next word is a name whatever the dictionary says (我叫高峰, 联系人白雪).
STRONG_CUES = ("我是", "我叫", "本人", "姓名", "名叫", "叫做", "联系人", "举报人", "反映人", "来信人", "签名")
NOT_NAMES = {"高度", "马路", "白天", "常常", "周末", "任务", "万一", "何时", "于是", "金融", "方便", "平安",
             "和平", "文明", "安全", "黄金", "明白", "江山", "花园", "海关", "宁可", "包括", "应当", "成都",
             "关心", "关于", "向阳", "华为", "乐观", "高兴", "高效", "田间", "齐全", "时间", "路灯", "孙悟空",
             "党建", "党员", "党委", "党风", "党课", "党务", "党性", "史料", "程序", "陆续", "成员", "韩国",
             "温暖", "康复", "龙头", "雷锋", "焦点", "石油", "武术", "严格", "万元", "连续", "阳光", "曲线"}

_ID18 = r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
_ID15 = r"[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}"
_PATTERNS: list[tuple[Kind, re.Pattern[str]]] = [
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("id", re.compile(rf"(?<![\dA-Za-z])(?:{_ID18}|{_ID15})(?![\dA-Za-z])")),
    ("mobile", re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")),
    ("staff", re.compile(r"(?<=工号|学号|警号|证号|牌号)(?:是|为)?[:：]?\s?[A-Za-z]?\d{3,}")),
    ("landline", re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}-?)\s?[2-9]\d{6,7}"
                            r"(?:-\d{1,4})?(?!\d)|(?<=电话)[:：]?\s?[2-9]\d{6,7}(?!\d)")),
]


@dataclass(frozen=True)
class Entity:
    kind: Kind
    start: int
    end: int
    text: str


def find_entities(text: str) -> list[Entity]:
    """Every piece of personal data in the text, left to right, never overlapping."""
    found: list[Entity] = []
    taken = [False] * len(text)
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            raw = match.group()
            lead = len(raw) - len(raw.lstrip(":： 是为"))
            start += lead
            if any(taken[start:end]):
                continue
            found.append(Entity(kind, start, end, text[start:end]))
            taken[start:end] = [True] * (end - start)
    for start, end in _names(text):
        if not any(taken[start:end]):
            found.append(Entity("name", start, end, text[start:end]))
            taken[start:end] = [True] * (end - start)
    return sorted(found, key=lambda e: e.start)


def redact(text: str) -> str:
    """The text with every entity masked: 张**, 138****1234, 010-****5678, 320***********1234, a***@qq.com."""
    parts: list[str] = []
    last = 0
    for entity in find_entities(text):
        parts.append(text[last:entity.start])
        parts.append(mask(entity))
        last = entity.end
    parts.append(text[last:])
    return "".join(parts)


class Masked(tuple[str, ...]):
    """Lines that have been through `redact`, as `mask_lines` returns them: later stages do not mask again."""


def mask_lines(lines: Sequence[str], progress: Callable[[int, int], None] | None = None) -> Masked:
    """Every line redacted (each distinct line once), telling `progress(done, total)` every 500 lines."""
    seen: dict[str, str] = {}
    out: list[str] = []
    for k, line in enumerate(lines):
        if line not in seen:
            seen[line] = redact(line)
        out.append(seen[line])
        if progress is not None and (k % 500 == 499 or k + 1 == len(lines)):
            progress(k + 1, len(lines))
    return Masked(out)


def mask(entity: Entity) -> str:
    raw = entity.text
    if entity.kind == "name":
        return _surname_of(raw) + NAME_MASK
    if entity.kind == "email":
        user, _, domain = raw.partition("@")
        return f"{user[:1]}***@{domain}"
    if entity.kind == "staff":
        return "*" * len(raw)
    if entity.kind == "id":
        return raw[:3] + "*" * (len(raw) - 7) + raw[-4:]
    digits = re.sub(r"\D", "", raw)
    if entity.kind == "mobile":
        digits = digits[-11:]
        return f"{digits[:3]}****{digits[-4:]}"
    area = re.match(r"[(（]?(0\d{2,3})", raw)
    prefix = f"{area.group(1)}-" if area and len(digits) > 8 else ""
    return f"{prefix}****{digits[-4:]}"


def _surname_of(name: str) -> str:
    return name[:2] if name.startswith(COMPOUND_SURNAMES) else name[:1]


def _is_surname_start(word: str) -> bool:
    return word.startswith(COMPOUND_SURNAMES) or word[:1] in SURNAMES


@lru_cache
def _tagger():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba.posseg


def _names(text: str) -> list[tuple[int, int]]:
    """Spans of personal names: tagged names, names before a title, names after a cue."""
    if not re.search(r"[\u4e00-\u9fff]", text):
        return []
    tokens = [(pair.word, pair.flag) for pair in _tagger().cut(text)]
    offsets: list[int] = []
    pos = 0
    for word, _ in tokens:
        offsets.append(pos)
        pos += len(word)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        span = _name_at(tokens, i)
        if span:
            length, cut = span
            spans.append((offsets[i], offsets[i] + cut))
            i += length
        else:
            i += 1
    return spans


def _name_at(tokens: list[tuple[str, str]], i: int) -> tuple[int, int] | None:
    """(tokens used, characters of name) when a full name starts at token i."""
    word, flag = tokens[i]
    prev = tokens[i - 1][0] if i > 0 else ""
    prev2 = tokens[i - 2][0] + prev if i > 1 else prev
    nxt = tokens[i + 1][0] if i + 1 < len(tokens) else ""
    cued = prev.rstrip("：: ") in CUES or prev2.rstrip("：: ") in CUES or prev in {"：", ":"} and \
        (tokens[i - 2][0] if i > 1 else "") in CUES
    titled = nxt in TITLES
    # a tagged name with a title glued on (张三丰师傅 is split, 李师傅 is one token)
    for title in TITLES:
        if flag.startswith("nr") and word.endswith(title) and len(word) > len(title):
            stem = word[: -len(title)]
            return (1, len(stem)) if _full_name(stem) else None
    if not _is_chinese(word):
        return None
    if flag in {"nr", "nrfg", "nrt"} and _full_name(word) and not _place_like(word, nxt) \
            and (cued or titled or not _verb_after_noun(word)) \
            and not (not _strongly_cued(tokens, i) and _common(word, cued or titled)):
        # jieba may cut a compound surname's two-character given name short (欧阳明 月)
        if cued and word[:2] in COMPOUND_SURNAMES and len(word) == 3 and len(nxt) == 1 and _is_chinese(nxt) \
                and tokens[i + 1][1] not in {"x", "uj", "ul", "p", "c", "d", "v"}:
            return 2, 4
        return 1, len(word)
    # surname and given name as two tokens (周 建华, 欧阳 娜娜): joined unless the second is a title
    if nxt and _is_chinese(nxt) and len(nxt) <= 2 and nxt not in TITLES and _full_name(word + nxt):
        next_flag = tokens[i + 1][1]
        lone_surname = len(word) == 1 and (flag in {"nr", "ng"} or cued)
        compound = word in COMPOUND_SURNAMES and next_flag.startswith("nr")
        given_like = next_flag.startswith("nr") or next_flag in {"n", "nz", "ng", "t", "a", "an", "vn", "j"} \
            or flag == "nr" and next_flag == "ns"  # 赵 建国
        after = tokens[i + 2][0] if i + 2 < len(tokens) else ""
        if (lone_surname and given_like or compound) and not _place_like(word + nxt, after):
            return 2, len(word) + len(nxt)
    if (cued or titled) and _full_name(word) and (flag.startswith("nr") or flag in {"nz", "ng", "x"}) \
            and (_strongly_cued(tokens, i) or not _common(word, True)):
        return 1, len(word)
    return None


def _strongly_cued(tokens: list[tuple[str, str]], i: int) -> bool:
    """The words before token i end with 我叫, 联系人, 姓名… (a colon between them allowed)."""
    before = "".join(word for word, _ in tokens[max(0, i - 3):i]).rstrip("：: ")
    return before.endswith(STRONG_CUES)


def _common(word: str, vouched: bool) -> bool:
    """A common word of jieba's dictionary, however tagged (a cue or a title vouches for all but the
    commonest)."""
    _tagger()
    import jieba

    if len(word) != 2 or _tagger().dt.word_tag_tab.get(word) in {"nrfg", "nrt"}:  # 李强: a person's name
        return False
    return (jieba.dt.FREQ.get(word) or 0) >= (VERY_COMMON_WORD if vouched else COMMON_WORD)


def _full_name(word: str) -> bool:
    """A surname followed by a one- or two-character given name, and not a known common word."""
    surname = _surname_of(word)
    return (_is_surname_start(word) and 1 <= len(word) - len(surname) <= 2 and word not in NOT_NAMES
            and word not in TITLES and word[0] != word[1] and _is_chinese(word))


def _verb_after_noun(word: str) -> bool:
    """A two-character token like 钱花: a common noun and a verb, which jieba may tag nr."""
    return len(word) == 2 and word[1] in VERB_AFTER


def _place_like(word: str, nxt: str) -> bool:
    return word.endswith(PLACE_SUFFIXES) or nxt[:1] in PLACE_SUFFIXES and len(nxt) == 1 or \
        nxt.startswith(("村委", "社区", "小区", "大街", "街道", "公园", "广场", "大道"))


def _is_chinese(word: str) -> bool:
    return bool(word) and all("\u4e00" <= ch <= "\u9fff" for ch in word)
