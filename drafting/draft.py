"""Drafting: facts + retrieved exemplars -> a draft in the genre, by one of two engines."""

from collections.abc import Callable
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from .errors import BadInput, DraftingError, LLMUnavailable
from .facts import Facts
from .retrieve import Passage, Retriever
from .verify import Verification


class Section(BaseModel):
    heading: str = Field(description="Heading as printed (一、采取四项措施…); empty for the opening")
    items: list[str] = Field(default_factory=list, description="Paragraphs of the section, in order")


class Source(BaseModel):
    id: str = Field(description="Chunk id in the vector store")
    title: str = Field(description="Title of the past summary the exemplar came from")
    score: float = Field(description="Retrieval score, higher is closer")


class Draft(BaseModel):
    """The draft result: the JSON shape of `drafting draft --format json`."""

    title: str
    text: str = Field(description="Plain text of the whole draft")
    markdown: str
    sections: list[Section]
    verification: Verification
    sources: list[Source] = Field(default_factory=list)
    engine: Literal["template", "llm"]
    warnings: list[str] = Field(default_factory=list)
    unit: str = Field("", description="Signature line")
    date_text: str = Field("", description="Date in Chinese, e.g. 二〇二四年一月十五日")


PARTS = ("opening", "measures", "characteristics", "assurances", "problems", "next_steps")


class Exemplars(BaseModel):
    """Retrieved passages for each part of the draft."""

    parts: dict[str, list[Passage]] = Field(default_factory=dict, description="Keyed by one of PARTS")

    def sources(self) -> list[Source]:
        seen: dict[str, Source] = {}
        for passages in self.parts.values():
            for p in passages:
                if p.id not in seen or seen[p.id].score < p.score:
                    seen[p.id] = Source(id=p.id, title=p.title, score=p.score)
        return sorted(seen.values(), key=lambda s: -s.score)


class DraftEngine(Protocol):
    """Writes a draft from facts and exemplars; `on_text` receives text as it is written (streaming)."""

    name: Literal["template", "llm"]

    def write(self, facts: Facts, exemplars: Exemplars,
              on_text: Callable[[str], None] | None = None) -> Draft: ...


QUERIES: dict[str, str] = {
    "opening": "按照要求 高度重视 精心部署 创新评议方式 现将群众评议工作开展情况总结如下",
    "measures": "采取四项措施 准备工作求细 评议范围求广 评议内容求精 评议标准求严",
    "characteristics": "突出四种特性 增强针对性 明确评议目标 突出操作性 体现科学性 坚持实践性",
    "assurances": "围绕四个确保 了解民情民意 做好整改落实 增强党员主体意识 战斗堡垒作用",
    "problems": "存在的问题 主要表现在 不足",
    "next_steps": "下一步打算 进一步 长效机制",
}


def part_query(part: str, facts: Facts) -> str:
    """The search text for one part of the draft, made from the genre's cues and the facts."""
    extra: list[str] = [facts.activity]
    if part == "characteristics" and facts.goal:
        extra.append(facts.goal)
    if part == "problems":
        extra += facts.problems[:3]
    if part == "next_steps":
        extra += facts.next_steps[:3]
    if part in ("measures", "assurances"):
        extra += facts.highlights[:2]
    return " ".join([QUERIES[part], *extra])


def retrieve_exemplars(facts: Facts, retriever: Retriever, *, k: int = 3,
                       exclude_docs: set[str] | None = None) -> Exemplars:
    """Exemplar passages for each part of the draft, the facts' own sector first."""
    parts: dict[str, list[Passage]] = {}
    queries = {part: part_query(part, facts) for part in PARTS}
    retriever.prime(list(queries.values()))
    for part, query in queries.items():
        found: list[Passage] = []
        if facts.sector:
            found = retriever.search(query, k, sector=facts.sector, exclude_docs=exclude_docs)
        if len(found) < k:
            seen = {p.id for p in found}
            found += [p for p in retriever.search(query, k, exclude_docs=exclude_docs)
                      if p.id not in seen][: k - len(found)]
        parts[part] = found
    return Exemplars(parts=parts)


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
                exemplars: Exemplars | None = None, warnings: list[str] | None = None) -> Draft:
    """Assemble a Draft: plain text, markdown, the verification report and the sources."""
    from .numerals import chinese_date
    from .render import to_markdown  # render imports this module, so it is imported here
    from .verify import verify

    date_text = chinese_date(facts.date)
    text = plain_text(title, sections, facts.unit, date_text)
    draft = Draft(title=title, text=text, markdown="", sections=sections, verification=verify(facts, text),
                  sources=exemplars.sources() if exemplars else [], engine=engine,
                  warnings=list(warnings or []), unit=facts.unit, date_text=date_text)
    draft.markdown = to_markdown(draft)
    return draft


def write_draft(facts: Facts, *, retriever: Retriever | None, engine: DraftEngine,
                exclude_docs: set[str] | None = None,
                on_text: Callable[[str], None] | None = None) -> Draft:
    """Retrieve exemplars for each part, then let the engine write; the result carries its verification."""
    warnings: list[str] = []
    exemplars = Exemplars()
    if retriever is not None:
        try:
            exemplars = retrieve_exemplars(facts, retriever, exclude_docs=exclude_docs)
        except DraftingError as exc:
            warnings.append(f"未能检索范文，已只用模板起草：{exc.message}")
    draft = engine.write(facts, exemplars, on_text)
    if warnings:
        draft = draft.model_copy(update={"warnings": warnings + draft.warnings})
    return draft


def choose_engine(name: str, chat_model: Any,
                  settings: Any = None) -> DraftEngine:
    """template: the offline engine; llm: the LLM alone; auto: the LLM with the template as fallback."""
    from .draft_template import TemplateEngine

    if name == "template" or (name == "auto" and chat_model is None):
        return TemplateEngine()
    if name not in ("auto", "llm"):
        raise BadInput.field("--engine", f"只能是 auto、template 或 llm，不能是 {name}")
    if chat_model is None:
        raise LLMUnavailable("未配置大模型：请设置 DRAFTING_LLM_MODEL")
    from .config import get_settings
    from .draft_llm import LLMDraftEngine

    return LLMDraftEngine(chat_model, settings or get_settings(),
                          fallback=TemplateEngine() if name == "auto" else None)
