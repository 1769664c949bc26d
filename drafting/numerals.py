"""Chinese numerals and dates: reading figures as written (645, 7800多, 一万两千余) and writing dates."""

import re
from dataclasses import dataclass
from datetime import date as Date

DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CN_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)
QUALIFIERS_AFTER = "多余"
QUALIFIERS_BEFORE = "近约逾超"

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．％，", "0123456789.%,")


_ZERO_IN_CHINESE = re.compile("(?<=[一二三四五六七八九〇])[0０](?=[一二三四五六七八九〇０0])"
                              "|[0０](?=[一二三四五六七八九])")


def normalise(text: str) -> str:
    """Full-width digits, points and percent signs to ASCII (二０一二 stays Chinese)."""
    return _ZERO_IN_CHINESE.sub("〇", text).translate(_FULL_WIDTH)


def chinese_to_number(s: str) -> float | None:
    """Value of a Chinese numeral: 六百四十五, 一万两千, 二〇二四 (read digit by digit), 十五."""
    if not s or any(c not in CN_CHARS for c in s):
        return None
    if all(c in DIGITS for c in s):
        if len(s) == 1:
            return float(DIGITS[s])
        return float("".join(str(DIGITS[c]) for c in s))
    total, section, digit = 0, 0, None
    for c in s:
        if c in DIGITS:
            digit = DIGITS[c]
        elif c in SMALL_UNITS:
            section += (1 if digit is None else digit) * SMALL_UNITS[c]
            digit = None
        else:
            section += digit or 0
            total += (section or 1) * BIG_UNITS[c]
            section, digit = 0, None
    return float(total + section + (digit or 0))


@dataclass(frozen=True)
class Figure:
    """One figure read from text: its value, and how it was written."""

    value: float
    text: str
    start: int
    end: int


_ARABIC = re.compile(
    rf"(?P<pre>[{QUALIFIERS_BEFORE}])?(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?)"
    rf"(?P<mag>[万亿])?(?P<q>[{QUALIFIERS_AFTER}])?(?P<pct>%)?"
)
_CN = f"[{CN_CHARS}]"
_CN_PERCENT = re.compile(rf"[{QUALIFIERS_BEFORE}]?百分之(?P<num>{_CN}+)(?:点(?P<dec>[{''.join(DIGITS)}]+))?")
_CN_FRACTION = re.compile(rf"(?P<den>{_CN}+)分之(?P<num>{_CN}+)")
_CN_PLAIN = re.compile(rf"(?P<pre>[{QUALIFIERS_BEFORE}])?(?P<num>{_CN}+)(?P<q>[{QUALIFIERS_AFTER}])?")
# A Chinese numeral counts as a figure only before a measure word or a qualifier.
MEASURE_WORDS = set("场次个份人名件项条元户家所台辆本册篇天年月日岁届位批轮期张组队村镇亩吨米座间处起倍周号")


def parse_figure(s: str) -> float | None:
    """The value of a figure as a writer gives it: 645, 7800多, 36300余, 一万两千余, 957.89, 96%, 三分之一."""
    s = normalise(s.strip()).rstrip("%").strip()
    m = _ARABIC.fullmatch(s)
    if m:
        value = float(m["num"].replace(",", ""))
        return value * BIG_UNITS[m["mag"]] if m["mag"] else value
    m = _CN_PERCENT.fullmatch(s)
    if m:
        return _cn_with_decimal(m["num"], m["dec"])
    m = _CN_FRACTION.fullmatch(s)
    if m:
        num, den = chinese_to_number(m["num"]), chinese_to_number(m["den"])
        return num / den if num is not None and den else None
    m = _CN_PLAIN.fullmatch(s)
    if m:
        return chinese_to_number(m["num"])
    return None


def _cn_with_decimal(integer: str, decimals: str | None) -> float | None:
    value = chinese_to_number(integer)
    if value is None or not decimals:
        return value
    return float(f"{int(value)}.{''.join(str(DIGITS[c]) for c in decimals)}")


def find_figures(text: str) -> list[Figure]:
    """Every figure in a text, Arabic or Chinese; Chinese ones only where they are used as quantities."""
    text = normalise(text)
    found: list[Figure] = []
    taken = [False] * (len(text) + 1)

    def add(value: float | None, start: int, end: int) -> None:
        if value is None or any(taken[start:end]):
            return
        for i in range(start, end):
            taken[i] = True
        found.append(Figure(value, text[start:end], start, end))

    for m in _CN_PERCENT.finditer(text):
        add(_cn_with_decimal(m["num"], m["dec"]), m.start(), m.end())
    for m in _CN_FRACTION.finditer(text):
        num, den = chinese_to_number(m["num"]), chinese_to_number(m["den"])
        add(num / den if num is not None and den else None, m.start(), m.end())
    for m in _ARABIC.finditer(text):
        arabic = float(m["num"].replace(",", ""))
        add(arabic * BIG_UNITS[m["mag"]] if m["mag"] else arabic, m.start(), m.end())
    for m in _CN_PLAIN.finditer(text):
        after = text[m.end(): m.end() + 1]
        if not (m["q"] or m["pre"] or after in MEASURE_WORDS):
            continue
        value = chinese_to_number(m["num"])
        if value == 1 and not (m["q"] or m["pre"]):
            continue  # 一个、一名、一项: the article "a", not a figure
        add(value, m.start(), m.end())
    return sorted(found, key=lambda f: f.start)


def _small_chinese(n: int) -> str:
    """1..99 in Chinese, as dates write them: 一, 十, 十五, 二十一, 三十."""
    names = "〇一二三四五六七八九"
    tens, ones = divmod(n, 10)
    if tens == 0:
        return names[ones]
    return ("" if tens == 1 else names[tens]) + "十" + (names[ones] if ones else "")


def chinese_date(d: Date) -> str:
    """2024-01-15 -> 二〇二四年一月十五日."""
    year = "".join("〇一二三四五六七八九"[int(c)] for c in str(d.year))
    return f"{year}年{_small_chinese(d.month)}月{_small_chinese(d.day)}日"
