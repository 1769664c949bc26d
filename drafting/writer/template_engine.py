"""The template engine: a complete draft in the genre from facts alone, phrasing from prompts/template/."""

import hashlib
from collections.abc import Callable
from typing import Any, Literal

from drafting.templates import render
from drafting.writer.assemble import build_draft
from drafting.writer.facts import Facts
from drafting.writer.models import Draft, Exemplars, Section
from drafting.writer.phrasing import figure_kind, stat_phrase

PART_TEMPLATES = ("measures", "characteristics", "assurances", "problems", "next_steps")
HEADLINE_STATS = 2


Chooser = Callable[[list[str], str], str]


def stable_choice(seed: str) -> Chooser:
    """A chooser that picks the same variant for the same unit and date, and different ones across units."""

    def choose(options: list[str], slot: str) -> str:
        digest = hashlib.sha256(f"{seed}|{slot}".encode()).digest()
        return options[int.from_bytes(digest[:4], "big") % len(options)]

    return choose


# Where a highlight fits among 三、围绕四个确保's items, by the words it uses; the rest go to 成效.
HIGHLIGHT_HOMES = {
    "listen": ("走访", "座谈", "调研", "征求", "恳谈", "接待", "热线", "宣传", "联系卡", "谈心", "入户",
               "民情", "倾听", "夜访", "议事"),
    "fix": ("整改", "解决", "维修", "修缮", "修建", "硬化", "改造", "办实事", "帮扶", "便民", "上门", "延时",
            "预约", "办理", "服务", "救助", "慰问", "帮助"),
    "members": ("党员", "先锋", "示范岗", "突击队", "责任区", "志愿", "亮身份", "带头"),
    "orgs": ("制度", "机制", "品牌", "阵地", "党建", "标准化", "规范化", "联建", "共建", "网格"),
}
# Counts of the appraisal form that a figure may already state, by the words of its label: 召开群众评议会4场
# and meetings: 4 are one fact, written once.
SAME_COUNT = {"meetings": ("评议会", "评议大会", "座谈会"), "participants": ("参加评议", "参与评议", "参评"),
              "good_deeds": ("实事", "好事", "难事")}
# Sector words for the lexicon when the facts give none, read from the unit's name.
SECTOR_CUES = (("学校", ("小学", "中学", "大学", "学院", "学校", "幼儿园", "高中", "初中", "职校")),
               ("医院", ("医院", "卫生院", "卫生服务中心", "保健院")),
               ("街道社区", ("社区", "街道")),
               ("农村", ("村党", "村支部", "村委", "村")),
               ("企业", ("公司", "车间", "集团", "银行", "支行", "厂", "矿")),
               ("机关", ("局", "政府", "法院", "检察院", "办公室", "机关")))


def highlight_home(text: str) -> str:
    """The 四个确保 item a highlight belongs to ("results" when no item's words occur in it)."""
    hits = {home: sum(word in text for word in words) for home, words in HIGHLIGHT_HOMES.items()}
    best = max(hits, key=lambda home: hits[home])
    return best if hits[best] else "results"


def stated_by_figures(facts: Facts) -> set[str]:
    """The appraisal form's counts that one of the figures already states (same words, same number)."""
    if facts.appraisal is None:
        return set()
    return {name for name, words in SAME_COUNT.items()
            if (value := getattr(facts.appraisal, name)) is not None
            and any(s.value == str(value) and any(word in s.label for word in words) for s in facts.stats)}


def bare_unit(unit: str) -> str:
    """The unit without its party organisation: 煤电公司发电运行车间党支部 -> 煤电公司发电运行车间."""
    name = unit
    for organisation in ("党总支", "党支部", "总支", "支部"):
        name = name.replace(organisation, "")
    return name.removesuffix("委员会").removesuffix("党委")


def lexicon_sector(facts: Facts) -> str:
    """The sector for the lexicon's words: as given, else read from the unit's name."""
    if facts.sector:
        return facts.sector
    name = bare_unit(facts.unit)
    # the cue that ends last names the unit: 北京大学第一医院 is a hospital, 村镇银行 a bank
    ends = [(name.rfind(cue) + len(cue), sector)
            for sector, cues in SECTOR_CUES for cue in cues if cue in name]
    return max(ends)[1] if ends else ""


def build_template_context(facts: Facts, choose: Chooser | None = None) -> dict[str, Any]:
    """Every value the phrasing templates use, from the facts only (never from exemplars)."""
    kinds = {kind: [stat_phrase(s) for s in facts.stats if figure_kind(s) == kind]
             for kind in ("appraisal", "scale", "result")}
    homes: dict[str, list[str]] = {home: [] for home in [*HIGHLIGHT_HOMES, "results"]}
    for highlight in facts.highlights:
        homes[highlight_home(highlight)].append(highlight)
    context: dict[str, Any] = {
        "unit": facts.unit,
        "bare_unit": bare_unit(facts.unit),
        # a summary written in January looks back on the year before: no year in its title
        "year": facts.date.year if facts.date.month > 1 else None,
        "activity": facts.activity,
        "sector": lexicon_sector(facts),
        "goal": facts.goal or "",
        "basis": facts.basis or "",
        "headline": kinds["appraisal"][:HEADLINE_STATS],
        "more_stats": kinds["appraisal"][HEADLINE_STATS:],
        "scale_stats": kinds["scale"],
        "results": kinds["result"],
        "has_figures": bool(facts.stats) or facts.appraisal is not None,
        "homes": homes,
        "problems": facts.problems,
        "next_steps": facts.next_steps,
        "choose": choose or stable_choice(f"{facts.unit}|{facts.date.isoformat()}"),
    }
    context["appraisal_text"] = ""
    if facts.appraisal is not None:
        context["appraisal_text"] = render("template/appraisal.j2", appraisal=facts.appraisal,
                                           said=stated_by_figures(facts), choose=context["choose"])
    return context


def _section(rendered: str) -> Section:
    lines = [line.strip() for line in rendered.splitlines() if line.strip()]
    return Section(heading=lines[0], items=lines[1:])


class TemplateEngine:
    """Offline engine: phrasing banks in prompts/template/, figures and items from the facts."""

    name: Literal["template", "llm"] = "template"

    def __init__(self, choose: Chooser | None = None) -> None:
        self._choose = choose  # None: variants picked by a stable hash of unit and date

    def write(self, facts: Facts, exemplars: Exemplars,
              on_text: Callable[[str], None] | None = None) -> Draft:
        context = build_template_context(facts, self._choose)
        title = render("template/title.j2", **context)
        sections = [Section(heading="", items=[render("template/opening.j2", **context)])]
        sections += [_section(render(f"template/{part}.j2", **context)) for part in PART_TEMPLATES]
        draft = build_draft(facts, title=title, sections=sections, engine="template", exemplars=exemplars)
        if on_text is not None:
            on_text(draft.text)
        return draft
