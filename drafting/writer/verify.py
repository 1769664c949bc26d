"""Verification of a draft against its facts: every figure present, none invented, every item used."""

import re
from datetime import date as Date

from drafting.numerals import (
    BIG_UNITS,
    DIGITS,
    SMALL_UNITS,
    chinese_date,
    find_figures,
    normalise,
    parse_figure,
)
from drafting.writer.facts import CarriedItem, Facts, Stat
from drafting.writer.models import Verification
from drafting.writer.phrasing import plain_figure

_CN = "".join(DIGITS) + "".join(SMALL_UNITS)
# Numbers that structure the genre rather than count anything: headings, enumerations, fixed phrases.
_STRUCTURAL = [
    re.compile(rf"(?:^|\n|\s)[{_CN}]{{1,3}}、"),
    re.compile(rf"[（(][{_CN}\d]{{1,3}}[）)]"),
    re.compile(r"(?:^|\n|\s)\d{1,2}[、.．](?!\d)"),
    re.compile(rf"第[{_CN}\d]+"),
    re.compile(rf"[{_CN}]是"),
    re.compile(rf"[{_CN}]+(?:项措施|种特性|个特性|个确保|个好|带头|个方面|个环节|个结合|个注重|个争做|查[{_CN}]看)"),
    re.compile(rf"[{_CN}]大行业|[{_CN}]{{1,3}}大(?!量|力|型|批)"),
    re.compile(r"三会一课|一岗双责|两学一做|三严三实|一把手|五看|四查四看|四师|五送五帮"),
]


def _strip_structural(text: str) -> str:
    for pattern in _STRUCTURAL:
        text = pattern.sub(lambda m: "\u3000" * len(m.group(0)), text)
    return text


def figures_in(text: str) -> list[str]:
    """The figures a text states, beyond the genre's structural numbers (一是, 四项措施, 第一)."""
    return [figure.text for figure in find_figures(_strip_structural(normalise(text)))]


def _texts(facts: Facts) -> list[str]:
    """Every piece of free text in the facts: the figures inside them are supported."""
    texts = [facts.unit, facts.activity, *facts.highlights, *facts.problems, *facts.next_steps]
    if facts.basis:
        texts.append(facts.basis)
    texts += [s.label for s in facts.stats] + [s.unit for s in facts.stats if s.unit]
    texts += [t for item in facts.carried for t in (item.problem, item.category, item.measure, item.note)]
    return [normalise(t) for t in texts if t]


def supported_values(facts: Facts) -> list[float]:
    """Every value a figure in the draft may have (the date's parts only in a date: see date_values)."""
    values: list[float] = []
    for stat in facts.stats:
        value = parse_figure(stat.value)
        if value is not None:
            values.append(value)
            if stat.unit[:1] in BIG_UNITS:  # 322.17 with unit 万元 reads back as 322.17万
                values.append(value * BIG_UNITS[stat.unit[:1]])
    if facts.appraisal:
        values += [float(v) for v in facts.appraisal.model_dump().values() if v is not None]
    if facts.carried:
        values += [float(n) for n in facts.carried_counts.values()]
    values += [float(n) for item in facts.carried for n in (item.opinions_before, item.opinions_now)
               if n is not None]
    for text in _texts(facts):
        values += [f.value for f in find_figures(text)]
    return values


def date_values(facts: Facts) -> list[float]:
    """Year, month and day of the writing and of the last round's rectifications: figures only when written
    as a date (2024年, 1月, 15日)."""
    days = [facts.date, *(item.finished for item in facts.carried if item.finished)]
    return [float(part) for d in days for part in (d.year, d.month, d.day)]


DATE_MARKS = "年月日号"


def _held(value: float, values: list[float]) -> bool:
    return any(abs(value - v) <= 1e-6 * max(1.0, abs(v)) for v in values)


def _bigrams(text: str) -> set[str]:
    chars = re.sub(r"[\s，。；、：“”‘’（）()《》,.;:!?！？\"'—…]", "", text)
    return {chars[i:i + 2] for i in range(len(chars) - 1)} or {chars}


def is_used(item: str, text: str, threshold: float = 0.7) -> bool:
    """An item is used when written as is, or when most of its character pairs appear in the text."""
    if item in text:
        return True
    pairs = _bigrams(item)
    return sum(1 for p in pairs if p in text) / len(pairs) >= threshold


def _figure_pattern(value: str) -> re.Pattern[str]:
    """The figure as written (or without its thousands separators), not as part of a longer number (645 is
    not in 6450)."""
    value = normalise(value)
    forms = sorted({re.escape(value), re.escape(plain_figure(value))}, key=len, reverse=True)
    return re.compile(rf"(?<![\d.])(?:{'|'.join(forms)})(?![\d])")


def _figure_written(value: str, text: str) -> bool:
    return _figure_pattern(value).search(text) is not None


MEANING_WINDOW = 25


def _beside_its_meaning(stat: Stat, text: str, threshold: float = 0.5) -> bool:
    """Some occurrence of the figure has most of its label's wording close by (a paraphrase may do)."""
    label = normalise(stat.label)
    for m in _figure_pattern(stat.value).finditer(text):
        around = text[max(0, m.start() - MEANING_WINDOW): m.end() + MEANING_WINDOW]
        if is_used(label, around, threshold=threshold):
            return True
    return False


def _date_written(d: Date, text: str) -> bool:
    forms = [chinese_date(d), chinese_date(d).replace("年一月", "年元月"), f"{d.year}年{d.month}月{d.day}日",
             d.isoformat(), f"{d.year}.{d.month}.{d.day}", f"{d.year}年{d.month:02d}月{d.day:02d}日"]
    return any(f in text for f in forms)


def _missing_carried_item(item: CarriedItem, text: str) -> list[str]:
    """What a draft leaves out of one row carried from the last round: the problem, its completion date,
    its effect, its opinion counts beside the problem's words."""
    name = f"上一轮整改问题“{item.problem}”"
    if not is_used(normalise(item.problem), text):
        return [f"{name}没有写入"]
    missing = []
    if item.finished is not None and not _date_written(item.finished, text):
        missing.append(f"{name}的完成时间“{item.finished.year}年{item.finished.month}月{item.finished.day}日”没有写入")
    if item.note and not is_used(normalise(item.note), text):
        missing.append(f"{name}的整改成效“{item.note}”没有写入")
    topic = f"反映{item.category or '这一问题'}的意见"
    for when, count in (("上轮", item.opinions_before), ("本轮", item.opinions_now)):
        if count is not None and not _beside_its_meaning(Stat(label=topic, value=str(count)), text):
            missing.append(f"{name}的{when}意见数“{count}条”没有和“{topic}”写在一起")
    return missing


CARRIED_COUNT_LABELS = {"total": "上一轮梳理问题", "closed": "已整改销号", "ongoing": "正在整改"}
# 上一轮 (or 上轮) must stand by the total: this round's own 梳理问题 count is another figure
TOTAL_THRESHOLD = 0.65


def missing_carried(facts: Facts, text: str) -> list[str]:
    """The last round's ledger in the draft: its counts beside their meaning, and every row reported."""
    if not facts.carried:
        return []
    tally = facts.carried_counts
    missing = []
    for key, label in CARRIED_COUNT_LABELS.items():
        # 已全部整改销号 states the closed count as the total
        needed = tally[key] > 0 and not (key == "closed" and tally["closed"] == tally["total"])
        threshold = TOTAL_THRESHOLD if key == "total" else 0.5
        if needed and not _beside_its_meaning(Stat(label=label, value=str(tally[key])), text, threshold):
            missing.append(f"上一轮整改台账的“{label}{tally[key]}项”没有写入")
    return missing + [m for item in facts.carried for m in _missing_carried_item(item, text)]


def missing_facts(facts: Facts, text: str) -> list[str]:
    """What the facts hold that the draft does not use, each in plain Chinese."""
    text = normalise(text)
    missing: list[str] = []
    if facts.unit not in text:
        missing.append(f"单位名称“{facts.unit}”没有写入")
    if not _date_written(facts.date, text):
        missing.append(f"落款日期“{chinese_date(facts.date)}”没有写入")
    for stat in facts.stats:
        if not _figure_written(stat.value, text):
            missing.append(f"数字“{stat.value}{stat.unit}”（{stat.label}）没有按原样写入")
        elif not _beside_its_meaning(stat, text):
            missing.append(f"数字“{stat.value}{stat.unit}”没有和它的含义“{stat.label}”写在一起")
    if facts.appraisal:
        names = {name: field.description for name, field in type(facts.appraisal).model_fields.items()}
        for name, value in facts.appraisal.model_dump().items():
            if value is not None and not _figure_written(str(value), text):
                missing.append(f"统计单数字“{value}”（{names[name]}）没有写入")
    if facts.goal and facts.goal not in text:
        missing.append(f"本行业的评议目标“{facts.goal}”没有写入")
    if facts.basis and not is_used(facts.basis, text):
        missing.append(f"工作依据“{facts.basis}”没有写入")
    for kind, items in (("工作亮点", facts.highlights), ("存在问题", facts.problems),
                        ("下一步打算", facts.next_steps)):
        missing += [f"{kind}“{item}”没有写入" for item in items if not is_used(normalise(item), text)]
    return missing + missing_carried(facts, text)


def unsupported_numbers(facts: Facts, text: str) -> list[str]:
    """Figures in the draft that the facts do not hold, as written in the draft."""
    text = normalise(text)
    for piece in sorted(_texts(facts), key=len, reverse=True):
        text = text.replace(piece, "\u3000" * len(piece))
    text = _strip_structural(text)
    values, dates = supported_values(facts), date_values(facts)
    out: list[str] = []
    for figure in find_figures(text):
        as_date = text[figure.end: figure.end + 1] in DATE_MARKS and _held(figure.value, dates)
        if not as_date and not _held(figure.value, values) and figure.text not in out:
            out.append(figure.text)
    return out


def verify(facts: Facts, text: str) -> Verification:
    """Check a draft's text against its facts."""
    missing = missing_facts(facts, text)
    unsupported = unsupported_numbers(facts, text)
    return Verification(ok=not missing and not unsupported, missing_facts=missing,
                        unsupported_numbers=unsupported)
