"""The LLM engine: outline first, then each section with the outline and the text so far in view, then verify
and repair the faulty sections at most twice; any LLM failure falls back to the template engine (auto)."""

import re
from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field

from drafting.config import Settings
from drafting.corpus.models import Passage
from drafting.errors import DraftingError, LLMUnavailable
from drafting.llm import Budget, complete, messages
from drafting.numerals import chinese_date, normalise
from drafting.templates import render
from drafting.writer.assemble import build_draft, plain_text
from drafting.writer.facts import CarriedItem, Facts
from drafting.writer.models import PARTS, Draft, DraftEngine, Exemplars, Section, Verification
from drafting.writer.phrasing import campaign_words, figure_kind, stat_phrase
from drafting.writer.verify import unsupported_numbers, verify

REPAIR_ROUNDS = 2
EXEMPLARS_PER_SECTION = 3
EXEMPLAR_CHARS = 900
BODY_PARTS = ("measures", "characteristics", "assurances")
TAIL_PARTS = ("carried", "problems", "next_steps")
MAX_BODY_SECTIONS = 6
OPENING_STATS = 3  # the headline figures the opening is asked for; the rest go to the first body section

_CN_NUMBERS = "一二三四五六七八九十"
_HEADING = re.compile(rf"^[{_CN_NUMBERS}]+\s*[、.．]\s*(?P<text>.+)$")
_LEAD = re.compile(rf"^(?:\d+\s*[.、．)）]|[（(]\s*[\d{_CN_NUMBERS}]+\s*[)）]|[-*•·])\s*(?P<text>.+)$")
_TITLE = re.compile(r"^(?:标题|题目)\s*[:：]\s*(?P<text>.+)$")
_MARKUP = re.compile(r"^\s*(?:#+\s*|>\s*)|\*\*|__|`")
# An LLM's images and links never reach the draft (OWASP LLM05): an image goes, a link keeps its words.
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+", re.IGNORECASE)


class OutlineSection(BaseModel):
    """One numbered section of the outline."""

    part: str = Field(description="Which of PARTS the section is (never opening)")
    heading: str = Field(description="Heading text without its number, e.g. 采取四项措施，……")
    leads: list[str] = Field(default_factory=list, description="Item leads, one per 一是……")


class Outline(BaseModel):
    """The plan the model writes first: a title and the numbered sections."""

    title: str
    sections: list[OutlineSection]

    def numbered(self) -> list[str]:
        return [f"{_CN_NUMBERS[i]}、{s.heading}" for i, s in enumerate(self.sections)]

    def as_text(self) -> str:
        lines = []
        for heading, section in zip(self.numbered(), self.sections, strict=True):
            lines += [heading, *(f"  {i}. {lead}" for i, lead in enumerate(section.leads, 1))]
        return "\n".join(lines)


def _clean_line(line: str) -> str:
    line = _LINK.sub(r"\1", _IMAGE.sub("", line))
    return _MARKUP.sub("", _URL.sub("", line)).strip()


def _part_of(heading: str) -> str | None:
    if re.search(r"上一轮|上轮|上一次|回头看", heading):
        return "carried"
    if re.search(r"问题|不足|差距", heading):
        return "problems"
    if re.search(r"下一步|打算|今后|努力方向", heading):
        return "next_steps"
    return None


def parse_outline(text: str) -> Outline | None:
    """Read a title line, numbered headings (一、) and item leads (1. or （1）); None without any heading."""
    title = ""
    found: list[tuple[str, list[str]]] = []
    for raw in text.splitlines():
        line = _clean_line(raw)
        if not line:
            continue
        if m := _TITLE.match(line):
            title = m["text"].strip()
        elif m := _HEADING.match(line):
            found.append((m["text"].strip(), []))
        elif (m := _LEAD.match(line)) and found:
            found[-1][1].append(m["text"].strip())
        elif not found and not title and "总结" in line:
            title = line
    if not found:
        return None
    sections: list[OutlineSection] = []
    body = 0
    for heading, leads in found:
        part = _part_of(heading)
        if part is None:
            part = BODY_PARTS[min(body, len(BODY_PARTS) - 1)]
            body += 1
        sections.append(OutlineSection(part=part, heading=heading, leads=leads))
    return Outline(title=title, sections=sections)


def complete_outline(outline: Outline | None, default: Outline) -> Outline:
    """Fill what the model's outline lacks (title, body, problems, next steps) from the genre's default."""
    if outline is None:
        return default
    body = [s for s in outline.sections if s.part in BODY_PARTS] or \
        [s for s in default.sections if s.part in BODY_PARTS]
    tail = []
    for part in TAIL_PARTS:  # 上一轮整改落实情况 only when the default has it, i.e. the facts carry rows
        own = [s for s in outline.sections if s.part == part]
        given = [s for s in default.sections if s.part == part]
        tail += (own or given) if given else []
    return Outline(title=outline.title or default.title, sections=body[:MAX_BODY_SECTIONS] + tail)


def drop_invented(outline: Outline, default: Outline, facts: Facts) -> Outline:
    """The outline without figures the facts lack (in title, headings, leads); genre defaults stand in."""
    defaults = {s.part: s.heading for s in default.sections}
    title = outline.title.strip("《》“”\"' ")
    sections = [OutlineSection(
        part=s.part,
        heading=defaults.get(s.part, s.heading) if unsupported_numbers(facts, s.heading) else s.heading,
        leads=[lead for lead in s.leads if not unsupported_numbers(facts, lead)],
    ) for s in outline.sections]
    return Outline(title=default.title if not title or unsupported_numbers(facts, title) else title,
                   sections=sections)


def _element(tag: str, content: str, **attrs: str) -> str:
    """One delimited block, escaped so that untrusted text cannot close it."""
    attributes = "".join(f' {k}="{escape(v, quote=True)}"' for k, v in attrs.items() if v)
    return f"<{tag}{attributes}>{escape(content, quote=False)}</{tag}>"


def facts_block(facts: Facts) -> str:
    """The facts as a <facts> block, built from the model's fields and their descriptions."""
    lines = [_element("unit", facts.unit), _element("year", f"{facts.date.year}年")]
    if facts.campaign:
        lines.append(_element("activity", facts.campaign))
    if facts.sector:
        lines.append(_element("sector", facts.sector, goal=facts.goal or ""))
    if facts.basis:
        lines.append(_element("basis", facts.basis))
    lines += [_element("stat", s.value, label=s.label, unit=s.unit) for s in facts.stats]
    if facts.appraisal is not None:
        fields = type(facts.appraisal).model_fields
        lines += [_element("appraisal", str(v), label=fields[k].description or k)
                  for k, v in facts.appraisal.model_dump().items() if v is not None]
    for tag, items in (("highlight", facts.highlights), ("problem", facts.problems),
                       ("next_step", facts.next_steps)):
        lines += [_element(tag, item) for item in items]
    lines += [_element("carried", item.problem, **carried_attributes(item)) for item in facts.carried]
    return "<facts>\n" + "\n".join(lines) + "\n</facts>"


def written_day(day: date | None) -> str:
    """A date as the body of a summary writes it: 2026年10月15日 (the signature's date is in Chinese)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def carried_attributes(item: CarriedItem) -> dict[str, str]:
    """A carried row's columns as the <carried> element's attributes (the problem is its content)."""
    fields = {"category": item.category, "measure": item.measure, "kind": item.kind or "",
              "state": item.state, "finished": written_day(item.finished), "note": item.note,
              "opinions_before": "" if item.opinions_before is None else str(item.opinions_before),
              "opinions_now": "" if item.opinions_now is None else str(item.opinions_now)}
    return {k: v for k, v in fields.items() if v}


def exemplars_block(passages: list[Passage]) -> str:
    """Retrieved passages as <exemplar> blocks, each cut to a bounded length."""
    return "\n".join(_element("exemplar", p.text[:EXEMPLAR_CHARS], source=p.title,
                              heading=" / ".join(p.heading_path)) for p in passages[:EXEMPLARS_PER_SECTION])


class FactPlacement(BaseModel):
    """A fact a section must carry: the line the prompt shows, and the text a fault message would quote."""

    line: str
    needle: str


def assign_facts(facts: Facts, parts: list[str]) -> list[list[FactPlacement]]:
    """Which facts each section (by its part) must use: the appraisal's headline figures open, its other
    figures go to the measures, the work's results to the assurances, highlights spread over the body;
    each part's facts go to its first section, a missing body part's to the first body section."""
    by_part: dict[str, list[FactPlacement]] = {
        p: [] for p in ("opening", *BODY_PARTS, *TAIL_PARTS)}
    if facts.basis:
        by_part["opening"].append(FactPlacement(line=f"工作依据：{facts.basis}", needle=facts.basis))
    headline = [s for s in facts.stats if figure_kind(s) == "appraisal"][:OPENING_STATS]
    for stat in facts.stats:
        # the appraisal's own figures open and fill 评议范围; the work's results go with the 成效 of 三、
        kind = figure_kind(stat)
        target = "opening" if stat in headline else "assurances" if kind == "result" else "measures"
        by_part[target].append(FactPlacement(line=stat_phrase(stat), needle=f"“{stat.value}{stat.unit}”"))
    if facts.appraisal is not None:
        fields = type(facts.appraisal).model_fields
        by_part["assurances"] += [FactPlacement(line=f"{fields[k].description}：{v}", needle=f"“{v}”")
                                  for k, v in facts.appraisal.model_dump().items() if v is not None]
    if facts.goal:
        goal = f"“{facts.goal}”"
        by_part["characteristics"].append(FactPlacement(line=f"评议目标：{goal}", needle=goal))
    for offset, part in enumerate(BODY_PARTS):
        by_part[part] += [FactPlacement(line=h, needle=h) for h in facts.highlights[offset::3]]
    by_part["carried"] += carried_placements(facts)
    by_part["problems"] += [FactPlacement(line=p, needle=p) for p in facts.problems]
    by_part["next_steps"] += [FactPlacement(line=s, needle=s) for s in facts.next_steps]

    first: dict[str, int] = {}
    for index, part in enumerate(parts):
        first.setdefault(part, index)
    heir = next((first[p] for p in BODY_PARTS if p in first), 0)
    out: list[list[FactPlacement]] = [[] for _ in parts]
    for part, assignments in by_part.items():
        out[first.get(part, heir)] += assignments
    return out


def carried_placements(facts: Facts) -> list[FactPlacement]:
    """The last round's ledger counts, then each carried row: what 上一轮整改落实情况 must use."""
    if not facts.carried:
        return []
    counts = render("llm/draft_carried_counts.j2", **facts.carried_counts)
    placements = [FactPlacement(line=counts, needle="上一轮整改台账")]
    for item in facts.carried:
        line = render("llm/draft_carried_item.j2", item=item, finished=written_day(item.finished))
        placements.append(FactPlacement(line=line, needle=f"“{item.problem}”"))
    return placements


class Written(BaseModel):
    """One section as written: where it sits in the outline, and its paragraphs."""

    part: str
    heading: str = Field(description="Numbered heading as printed; empty for the opening")
    leads: list[str] = Field(default_factory=list)
    items: list[str] = Field(default_factory=list)

    def text(self) -> str:
        return "\n".join(([self.heading] if self.heading else []) + self.items)


def build_outline_context(facts: Facts, exemplars: Exemplars) -> dict[str, Any]:
    """The values of prompts/llm/draft_outline.j2 (and of the genre's default outline)."""
    headings = list(dict.fromkeys(" / ".join(p.heading_path) for part in PARTS
                                  for p in exemplars.parts.get(part, []) if p.heading_path))
    return {"facts_block": facts_block(facts), "exemplar_headings": headings[:12], "unit": facts.unit,
            "year": facts.date.year, "activity": campaign_words(facts), "carried": bool(facts.carried)}


def build_section_context(facts: Facts, exemplars: Exemplars, outline: Outline, written: list[Written],
                          section: Written, must_use: list[FactPlacement]) -> dict[str, Any]:
    """The values of prompts/llm/draft_section.j2 for one section."""
    return {
        "title": outline.title, "part": section.part, "heading": section.heading, "leads": section.leads,
        "facts_block": facts_block(facts), "unit": facts.unit, "basis": facts.basis or "",
        "exemplars_block": exemplars_block(exemplars.parts.get(section.part, [])),
        "outline": outline.as_text(),
        "written": "\n".join(w.text() for w in written),
        "must_use": [a.line for a in must_use],
    }


def build_repair_context(facts: Facts, title: str, section: Written, faults: list[str]) -> dict[str, Any]:
    """The values of prompts/llm/draft_repair.j2: the faulty section, its faults, the facts."""
    return {"title": title, "heading": section.heading, "section_text": "\n".join(section.items),
            "faults": faults, "facts_block": facts_block(facts)}


def parse_section(text: str, section: Written, outline: Outline, facts: Facts) -> list[str]:
    """The model's section as paragraphs: markup, repeated headings, titles and signatures dropped."""
    skip = {outline.title, facts.unit, chinese_date(facts.date), section.heading}
    items = []
    for raw in text.splitlines():
        line = _clean_line(raw)
        if not line or line in skip or _TITLE.match(line):
            continue
        if _HEADING.match(line) and len(line) <= 40 and not line.endswith("。"):
            continue
        items.append(line)
    return items


def locate_faults(verification: Verification, sections: list[Written],
                  assigned: list[list[FactPlacement]]) -> dict[int, Verification]:
    """Which section each fault belongs to: a missing fact to the section it was given, a stray figure to
    every section that writes it."""
    found: dict[int, Verification] = {}

    def add(index: int, missing: str | None = None, number: str | None = None) -> None:
        v = found.setdefault(index, Verification(ok=False))
        if missing is not None:
            v.missing_facts.append(missing)
        if number is not None:
            v.unsupported_numbers.append(number)

    for message in verification.missing_facts:
        owner = next((i for i, given in enumerate(assigned) if any(a.needle in message for a in given)), 0)
        add(owner, missing=message)
    for number in verification.unsupported_numbers:
        for i, s in enumerate(sections):
            if number in normalise(s.text()):
                add(i, number=number)
    return found


class LLMDraftEngine:
    """Writes the draft section by section with a chat model; the template engine is the fallback."""

    name: Literal["template", "llm"] = "llm"

    def __init__(self, chat_model: BaseChatModel, settings: Settings, fallback: DraftEngine | None = None):
        self.chat_model = chat_model
        self.settings = settings
        self.fallback = fallback

    def write(self, facts: Facts, exemplars: Exemplars,
              on_text: Callable[[str], None] | None = None) -> Draft:
        streamed: list[str] = []

        def relay(piece: str) -> None:
            streamed.append(piece)
            if on_text is not None:
                on_text(piece)

        try:
            return self._write(facts, exemplars, relay if on_text is not None else None)
        except LLMUnavailable as exc:
            if self.fallback is None:
                raise
            warning = f"{exc.message}，已改用模板引擎"
            if on_text is not None and streamed:
                # The listener already shows part of the LLM's text: say why a new draft follows.
                on_text(f"\n\n{warning}\n\n")
            draft = self.fallback.write(facts, exemplars, on_text)
            return draft.model_copy(update={"warnings": [warning, *draft.warnings]})

    def _ask(self, template: str, context: dict[str, Any], budget: Budget,
             on_text: Callable[[str], None] | None = None) -> str:
        prompt = messages(render("llm/draft_system.j2"), render(template, **context))
        return complete(self.chat_model, prompt, self.settings, on_text=on_text, budget=budget)

    def _write(self, facts: Facts, exemplars: Exemplars, on_text: Callable[[str], None] | None) -> Draft:
        budget = Budget(self.settings)
        warnings: list[str] = []
        outline_context = build_outline_context(facts, exemplars)
        default = parse_outline(render("llm/draft_outline_default.j2", **outline_context))
        if default is None:
            raise DraftingError("提纲模板 prompts/llm/draft_outline_default.j2 中没有编号标题，无法起草")
        parsed = parse_outline(self._ask("llm/draft_outline.j2", outline_context, budget))
        if parsed is None:
            warnings.append("大模型给出的提纲无法识别，已按常规提纲起草")
        outline = drop_invented(complete_outline(parsed, default), default, facts)
        if on_text is not None:
            on_text(outline.title + "\n")

        sections = [Written(part="opening", heading="")]
        sections += [Written(part=s.part, heading=h, leads=s.leads)
                     for s, h in zip(outline.sections, outline.numbered(), strict=True)]
        assigned = assign_facts(facts, [s.part for s in sections])
        for index, section in enumerate(sections):
            if on_text is not None and section.heading:
                on_text(section.heading + "\n")
            context = build_section_context(facts, exemplars, outline, sections[:index], section,
                                            assigned[index])
            reply = self._ask("llm/draft_section.j2", context, budget, on_text)
            section.items = parse_section(reply, section, outline, facts)
            if not section.items:
                raise LLMUnavailable(f"大模型不可用：“{section.heading or '开头'}”部分没有写出正文")
            if on_text is not None:
                on_text("\n")

        rounds = self._repair(facts, outline, sections, assigned, warnings, budget)
        draft = build_draft(facts, title=outline.title,
                            sections=[Section(heading=s.heading, items=s.items) for s in sections],
                            engine="llm", exemplars=exemplars, warnings=warnings)
        if not draft.verification.ok:
            faults = "；".join(draft.verification.feedback())
            draft.warnings.append(f"核对未通过（已修正 {rounds} 轮），请人工核改：{faults}")
        return draft

    def _repair(self, facts: Facts, outline: Outline, sections: list[Written],
                assigned: list[list[FactPlacement]], warnings: list[str], budget: Budget) -> int:
        """Send each faulty section back with its faults, at most REPAIR_ROUNDS times; the rounds used."""
        for done in range(REPAIR_ROUNDS):
            verification = verify(facts, self._text(facts, outline, sections))
            if verification.ok:
                return done
            faulty = locate_faults(verification, sections, assigned)
            if not faulty:
                return done
            for index, faults in sorted(faulty.items()):
                section = sections[index]
                context = build_repair_context(facts, outline.title, section, faults.feedback())
                try:
                    reply = self._ask("llm/draft_repair.j2", context, budget)
                except LLMUnavailable as exc:
                    warnings.append(f"修正时{exc.message}，保留修正前的文字")
                    return done
                items = parse_section(reply, section, outline, facts)
                if items:
                    section.items = items
        return REPAIR_ROUNDS

    @staticmethod
    def _text(facts: Facts, outline: Outline, sections: list[Written]) -> str:
        return plain_text(outline.title, [Section(heading=s.heading, items=s.items) for s in sections],
                          facts.unit, chinese_date(facts.date))
