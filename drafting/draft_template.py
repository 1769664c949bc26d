"""The template engine: a complete draft in the genre from facts alone, phrasing from prompts/template/."""

import hashlib
from collections.abc import Callable
from typing import Any, Literal

from .draft import Draft, Exemplars, Section, build_draft
from .facts import Facts, Stat
from .templates import render

PART_TEMPLATES = ("measures", "characteristics", "assurances", "problems", "next_steps")
HEADLINE_STATS = 2


Chooser = Callable[[list[str], str], str]


def stable_choice(seed: str) -> Chooser:
    """A chooser that picks the same variant for the same unit and date, and different ones across units."""

    def choose(options: list[str], slot: str) -> str:
        digest = hashlib.sha256(f"{seed}|{slot}".encode()).digest()
        return options[int.from_bytes(digest[:4], "big") % len(options)]

    return choose


def stat_phrase(stat: Stat) -> str:
    """One figure with its meaning: 开展评议大会645场次, 群众满意度达96%."""
    figure = f"{stat.value}{stat.unit}"
    if stat.unit in ("%", "％") or stat.label.endswith(("率", "度")):
        return f"{stat.label}达{figure}"
    return f"{stat.label}{figure}"


def build_template_context(facts: Facts, choose: Chooser | None = None) -> dict[str, Any]:
    """Every value the phrasing templates use, from the facts only (never from exemplars)."""
    phrases = [stat_phrase(s) for s in facts.stats]
    appraisal_text = ""
    context: dict[str, Any] = {
        "unit": facts.unit,
        "year": facts.date.year,
        "activity": facts.activity,
        "sector": facts.sector or "",
        "goal": facts.goal or "",
        "basis": facts.basis or "",
        "headline": phrases[:HEADLINE_STATS],
        "more_stats": phrases[HEADLINE_STATS:],
        "has_figures": bool(phrases) or facts.appraisal is not None,
        "highlights": facts.highlights[0::3],
        "highlights_a": facts.highlights[1::3],
        "highlights_b": facts.highlights[2::3],
        "problems": facts.problems,
        "next_steps": facts.next_steps,
        "choose": choose or stable_choice(f"{facts.unit}|{facts.date.isoformat()}"),
    }
    if facts.appraisal is not None:
        appraisal_text = render("template/appraisal.j2", appraisal=facts.appraisal, choose=context["choose"])
    context["appraisal_text"] = appraisal_text
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
