"""Anonymisation: names, phones, ID and bank cards, plates, addresses, record numbers, QQ, WeChat and e-mail.

Every later stage (the embedder, the classifier, the LLM, the store and the exports) sees only
the masked text, so this runs first, on each whole line before it is split into opinions.
Numbers are found by patterns (record numbers and chat ids only after the word that names them, but a
unified social credit code by its own shape);
names by jieba's tagger, by the words around them (a role word before, a title after, a speaker's
colon) and by the rules of Chinese names.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from drafting.feedback.names import find_names, surname_of

Kind = Literal["name", "mobile", "landline", "idcard", "plate", "address", "record", "bankcard", "qq",
               "wechat", "email"]

NAME_MASK = "**"
# Hides the rest of an address after the road, village or estate it starts with (人民路***).
ADDRESS_MASK = "***"

_ID18 = r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
_ID15 = r"[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}"
_SEP = r"(?:\s*(?:是|为)?\s*[:：]?\s*)"
_NUM = r"[\d一二三四五六七八九十百零〇两]+"
# Words after which a number is a record: 住院号2023081517, 工号：A1024, 学籍号G320…, 纳税人识别号9132…
_RECORD_CUES = ("住院号 病历号 病案号 门诊号 就诊号 就诊卡号 医保卡号 社保卡号 饭卡号 卡号 学号 学籍号 "
                "工号 警号 编号 档案号 证件号 会员号 订单号 单号 户号 账号 受理号 床位号 预约号 登记号 "
                "流水号 考生号 识别号 税号 信用代码 案号 保单号 车架号 不动产权第 ID号 ID").split()
# Words after which a number is a receipt's, whatever its shape (受理回执号, 报警回执号JJ3203…).
_RECEIPT_CUES = ("回执号", "回执编号", "回执单号", "回执码")
_RECEIPT = r"[A-Za-z]{0,3}-?\d{3,}[A-Za-z0-9]*"
# A unified social credit code (a taxpayer's id) with no word before it: 18 characters, the registering
# authority and the kind, a six-digit region, then letters and digits, at least one of them a letter (a
# number of 18 digits is an ID or a bank card).
_CREDIT_CODE = r"[1-9A-GY][1-9]\d{6}(?=[\dA-Z]{0,9}[A-Z])[\dA-HJ-NP-RTUWXY]{10}"
# An estate, and its phase or block (阳光花园二期, 锦绣华庭B区).
_ESTATE = (r"[A-Za-z\u4e00-\u9fff]{2,8}?(?:\d{2,4}(?=小区|花园|家园|城|广场))?"
           r"(?:小区|社区|花园|家园|公寓|大厦|新村|新城|苑|广场|山庄|名都|佳园"
           r"|华庭|城|府|湾|邸|园|居|宿舍|家属院|大院)(?:小区)?(?:[A-Za-z\d一二三四五六七八九十]{1,3}[期区])?")
_BUILDING = (r"(?:\d+(?:号楼|号院|栋|幢|座|楼)|\d+-\d+(?:-\d+)?)(?:\d+(?:单元|门))?(?:\d+(?:室|号|户)?)?"
             r"|\d+(?:单元|门)\d+(?:室|号|户)?")
# A room number right after the house number (明州路218弄5号301), but not a year or a sum (88号2023年).
_ROOM = r"\d{3,4}室?(?![\d年月日元号])"
# A road, lane or 里 (永安里, not 家里 or 这里) and the house number on it, with its annex (118号附3号)
# and the estate, building, unit and room after it (…66号凤凰城9-2-1103: any estate name before 楼-单元-室).
_ROAD = (rf"(?:路|街|大道|大街|巷|弄|胡同|[坊里]{_NUM}弄|(?<![家这那哪城村屋心手夜店院])里"
         r"|(?<![街作牌磨染酒茶])坊)")
_ROAD_ADDRESS = (rf"[\u4e00-\u9fff]{{1,8}}?{_ROAD}(?:[东西南北中]段)?[甲乙丙丁]?"
                 rf"{_NUM}(?:弄{_NUM})?号(?:院|附{_NUM}号|楼)?"
                 rf"(?:{_ESTATE}|[\u4e00-\u9fff]{{2,6}}?(?=\d+-\d+-\d+))?(?:{_BUILDING}|{_ROOM})?")
_GROUP_ADDRESS = (rf"(?:[\u4e00-\u9fff]{{1,4}}?村)?[一二三四五六七八九十\d]{{1,3}}组{_NUM}号"
                  rf"|[\u4e00-\u9fff]{{1,4}}?[村屯寨]{_NUM}号")
# A house in a village pointed to by its side and its place there (柳营村南头第一家, 兴隆屯东头老井边上).
_LOCATOR_ADDRESS = (rf"(?:(?![我你他她们俺咱的在住])[\u4e00-\u9fff]){{2,5}}?[村屯庄寨][东西南北](?:头|边|口)"
                    rf"(?:第{_NUM}[家户]|[\u4e00-\u9fff]{{1,4}}?(?:边上|旁边))")
_ESTATE_ADDRESS = rf"{_ESTATE}(?:\d+(?:号楼|栋|幢|座)(?:\d+(?:单元|门))?(?:\d+(?:室|号)?)?|\d+-\d+-\d+)"
# An estate with no word for one, its building and unit (阳光丽景8幢1单元): the building and the unit mark it.
_BLOCK_ADDRESS = (r"(?:(?![我你他她们俺咱的在住是了买卖租和及与其这那每各个些第共有还也都就])"
                  r"[\u4e00-\u9fff]){2,6}\d+(?:号楼|栋|幢)\d+(?:单元|门)(?:\d+室?)?")
_UNIT_ADDRESS = (r"\d+(?:号楼|栋|幢)\d+单元\d+室?|\d+号(?:宿舍|公寓|住院)?楼\d+室"
                 r"|\d+(?:栋|幢)\d{3,4}室?")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Each pattern's value is its group "v"; earlier patterns win where two overlap (a number after 订单号 or
# 卡号 is a record, all hidden, before it can be read as a bank card).
_PATTERNS: list[tuple[Kind, re.Pattern[str]]] = [
    ("email", re.compile(r"(?P<v>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")),
    ("wechat", re.compile(rf"(?:微信|[VvWw][Xx]|weixin|V信|威信)(?:号码?|[Ii][Dd]|账号)?{_SEP}"
                          r"(?P<v>[A-Za-z0-9][A-Za-z0-9_-]{5,19})(?![A-Za-z0-9_-])"
                          r"|(?P<w>wxid_[A-Za-z0-9_]+)")),
    ("qq", re.compile(rf"(?:QQ|qq|Qq|扣扣|企鹅)(?:号码?|联系方式|联系)?{_SEP}(?P<v>[1-9]\d{{4,11}})(?!\d)")),
    # A receipt's number is a record even when it has an ID's shape (受理回执号320312202504010213).
    ("record", re.compile(rf"(?:{'|'.join(_RECEIPT_CUES)}){_SEP}(?P<v>{_RECEIPT})")),
    ("idcard", re.compile(rf"(?<![\dA-Za-z])(?P<v>{_ID18}|{_ID15})(?![\dA-Za-z])")),
    ("record", re.compile(rf"(?P<v>[{_PROVINCES}][（(]\d{{4}}[）)][\u4e00-\u9fff]{{1,8}}?不动产权第\d+号)")),
    # A card number in groups of four after 卡号 is a bank card, not a record (卡号6222 0243 0105 8326 719).
    ("bankcard", re.compile(r"(?<![\dA-Za-z])(?P<v>\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![\dA-Za-z])")),
    ("record", re.compile(rf"(?:{'|'.join(_RECORD_CUES)}|(?<!身份)证号){_SEP}[（(]?(?:N[Oo]\.?\s?|№\s?)?"
                          r"(?P<v>[A-Za-z]{0,3}-?\d{3,}[A-Za-z0-9]*(?:-\d+)*)")),
    ("record", re.compile(rf"(?<![\dA-Za-z])(?P<v>{_CREDIT_CODE})(?![\dA-Za-z])")),
    ("bankcard", re.compile(r"(?<![\dA-Za-z])(?P<v>\d{16,19})(?![\dA-Za-z])")),
    ("mobile", re.compile(r"(?<!\d)(?P<v>(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?!\d)")),
    ("plate", re.compile(rf"(?P<v>[{_PROVINCES}]\s?[A-Za-z]\s?[·•・.\-]?\s?"
                         r"(?:(?=(?:[A-Za-z]*\d){2})[A-Za-z0-9]{5,6}(?![A-Za-z0-9])|\d{4}[学警挂]))")),
    ("landline", re.compile(r"(?<!\d)(?P<v>(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}-?)\s?[2-9]\d{2,3}[ -]?\d{4}"
                            rf"(?:-\d{{1,4}})?)(?!\d)|(?:电话|座机|固话)(?:号码?)?{_SEP}(?P<w>[2-9]\d{{6,7}})(?!\d)")),
    ("address", re.compile(rf"(?P<v>{_ROAD_ADDRESS}|{_GROUP_ADDRESS}|{_LOCATOR_ADDRESS}|{_ESTATE_ADDRESS}"
                           rf"|{_BLOCK_ADDRESS}|{_UNIT_ADDRESS})")),
]
# Words a matched address may start with that belong to the sentence, not the place (家住, 我在, 寄到).
_ADDRESS_LEAD = "家住在我们俺是到于从往的寄请把位于地址"
# Words of the sentence that no road or village name holds: an address starts after the last of them.
_ADDRESS_VERBS = "在住到的"
_LOCALITY = re.compile(r"^.*?(?:路|街|大道|大街|巷|弄|胡同|里|坊(?![\d一二三四五六七八九十]+弄)|村|屯|寨|"
                       r"宿舍|家属院|大院|小区|社区|花园|家园|公寓|大厦|新村|新城|苑|园|居|"
                       r"广场|山庄|名都|佳园|华庭|城|府|湾|邸)(?:[东西南北中]段)?"
                       r"(?=[\d一二三四五六七八九十百零〇两]|[东西南北](?:头|边|口))")


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
    names = find_names(text)
    patterns = [(kind, _after_names(text, start, end, names) if kind == "address" else start, end)
                for kind, start, end in _pattern_spans(text)]
    for kind, start, end in [*patterns, *(("name", s, e) for s, e in names)]:
        if not any(taken[start:end]):
            found.append(Entity(kind, start, end, text[start:end]))
            taken[start:end] = [True] * (end - start)
    return sorted(found, key=lambda e: e.start)


def _pattern_spans(text: str) -> list[tuple[Kind, int, int]]:
    """(kind, start, end) of every pattern match, in the patterns' order of precedence."""
    spans: list[tuple[Kind, int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            group = "v" if match.group("v") is not None else "w"
            start, end = match.span(group)
            if kind == "idcard" and end - start == 18 and not _id_checks(text[start:end]) \
                    and _luhn(text[start:end]):
                kind_here: Kind = "bankcard"
            elif kind == "address":
                start += _address_lead(text[start:end])
                kind_here = kind
            else:
                kind_here = kind
            spans.append((kind_here, start, end))
    return spans


def _after_names(text: str, start: int, end: int, names: list[tuple[int, int]]) -> int:
    """Where an address starts once the people named before its road and the sentence's verbs are left out
    (社区主任邬丽萍到和顺家园… starts at 和顺: the name is masked as a name, not shown with the road)."""
    road_end = start + _locality_length(text[start:end])
    for _, name_end in names:
        if start < name_end < road_end:
            start = name_end
    verb = max(text.rfind(ch, start, road_end) for ch in _ADDRESS_VERBS)  # 房子在上沙村… starts at 上沙村
    return max(start, verb + 1) + _address_lead(text[max(start, verb + 1):end])


def _id_checks(number: str) -> bool:
    """The GB 11643 check digit of an 18-character ID number is right."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(number[:17], weights, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def _luhn(number: str) -> bool:
    """The Luhn check of a bank card number passes."""
    digits = [int(d) for d in reversed(number) if d.isdigit()]
    return sum(d if k % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for k, d in enumerate(digits)) % 10 == 0


def _address_lead(address: str) -> int:
    """How many leading characters of a matched address are words of the sentence (家住王庄村… → 2)."""
    return len(address) - len(address.lstrip(_ADDRESS_LEAD))


def redact(text: str) -> str:
    """The text with every entity masked: 张**, 138****1234, 苏G·*****, 人民路***, 320***********1234."""
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


def shown(entity: Entity) -> frozenset[int]:
    """Offsets into the entity's text that its mask leaves visible (the rest never reaches the output)."""
    raw = entity.text
    digits = [k for k, ch in enumerate(raw) if ch.isdigit()]
    others = {k for k, ch in enumerate(raw) if not ch.isdigit()}
    if entity.kind == "name":
        return frozenset(range(len(surname_of(raw))))
    if entity.kind == "email":
        return frozenset({0, *range(raw.find("@"), len(raw))})
    if entity.kind == "address":
        return frozenset(range(_locality_length(raw)))
    if entity.kind == "plate":  # the province and the city's letter: 苏G·*****
        letter = next(k for k, ch in enumerate(raw) if ch.isascii() and ch.isalpha())
        return frozenset({0, letter} | {k for k, ch in enumerate(raw) if not ch.isalnum()})
    if entity.kind == "idcard":
        return frozenset({*range(3), *range(len(raw) - 4, len(raw))})
    if entity.kind == "mobile":
        return frozenset(set(digits[: len(digits) - 8] + digits[-4:]) | others)  # +86 138 is shown
    if entity.kind == "landline":
        return frozenset(set(digits[: _area_length(raw)] + digits[-4:]) | others)
    if entity.kind == "bankcard":
        return frozenset(set(digits[-4:]) | others)
    return frozenset()


def mask(entity: Entity) -> str:
    """The entity as it appears in the output, showing only the characters `shown` names."""
    raw = entity.text
    if entity.kind == "name":
        return surname_of(raw) + NAME_MASK
    if entity.kind == "email":
        user, _, domain = raw.partition("@")
        return f"{user[:1]}***@{domain}"
    if entity.kind == "address":
        return raw[: _locality_length(raw)] + ADDRESS_MASK
    if entity.kind == "plate":
        return "".join(ch if k in shown(entity) else "*" for k, ch in enumerate(raw))
    if entity.kind == "idcard":
        return raw[:3] + "*" * (len(raw) - 7) + raw[-4:]
    digits = re.sub(r"\D", "", raw)
    if entity.kind == "mobile":
        digits = digits[-11:]
        return f"{digits[:3]}****{digits[-4:]}"
    if entity.kind == "landline":
        area = _area_length(raw)
        return f"{digits[:area]}-****{digits[-4:]}" if area else f"****{digits[-4:]}"
    if entity.kind == "bankcard":
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(raw)


def _area_length(landline: str) -> int:
    """Digits of the area code a landline starts with (0 when it has none)."""
    digits = re.sub(r"\D", "", landline)
    area = re.match(r"[(（]?(0\d{2,3})", landline)
    return len(area.group(1)) if area and len(digits) > 8 else 0


def _locality_length(address: str) -> int:
    """Characters of the road, village or estate an address starts with (人民路88号… → 3)."""
    locality = _LOCALITY.match(address)
    return len(locality.group()) if locality else 0
