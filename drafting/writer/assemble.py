"""Assembling a draft from written sections: plain text, markdown, the verification report, the sources."""

from typing import Literal

from drafting.numerals import chinese_date
from drafting.writer.facts import Facts
from drafting.writer.models import Draft, Exemplars, Section, Source
from drafting.writer.phrasing import count_conflicts
from drafting.writer.render import to_markdown
from drafting.writer.verify import verify


def plain_text(title: str, sections: list[Section], unit: str, date_text: str) -> str:
    """The whole draft as plain text: title, sections, signature."""
    lines = [title, ""]
    for section in sections:
        if section.heading:
            lines.append(section.heading)
        lines += section.items
    lines += ["", unit, date_text]
    return "\n".join(lines)


def build_draft(facts: Facts, *, title: str, sections: list[Section], engine: Literal["template", "llm"],
                exemplars: Exemplars | None = None, warnings: list[str] | None = None,
                sources: list[Source] | None = None) -> Draft:
    """Assemble a Draft: plain text, markdown, the verification report and the sources (the given ones, else
    every exemplar passage)."""
    date_text = chinese_date(facts.date)
    text = plain_text(title, sections, facts.unit, date_text)
    draft = Draft(title=title, text=text, markdown="", sections=sections, verification=verify(facts, text),
                  sources=sources if sources is not None else exemplars.sources() if exemplars else [],
                  engine=engine,
                  warnings=[*(warnings or []), *count_conflicts(facts)], unit=facts.unit, date_text=date_text)
    draft.markdown = to_markdown(draft)
    return draft
