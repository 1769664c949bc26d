"""The writer contracts: a draft, its sections, sources and verification, exemplars, the engine protocol."""

from collections.abc import Callable
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from drafting.corpus.models import Passage
from drafting.writer.facts import Facts


class Verification(BaseModel):
    """The report that is part of every draft result."""

    ok: bool = Field(description="True when nothing is missing and nothing is unsupported")
    missing_facts: list[str] = Field(default_factory=list,
                                     description="Facts the draft does not use, in Chinese")
    unsupported_numbers: list[str] = Field(default_factory=list,
                                           description="Figures in the draft the facts do not hold")

    def feedback(self) -> list[str]:
        """One plain Chinese line per fault, to show a writer or to send back to an LLM for repair."""
        lines = [f"缺少：{m}" for m in self.missing_facts]
        lines += [f"草稿中的数字“{n}”在事实中没有依据，请删除，或改用事实中的数字"
                  for n in self.unsupported_numbers]
        return lines


class Section(BaseModel):
    heading: str = Field(description="Heading as printed (一、采取四项措施…); empty for the opening")
    items: list[str] = Field(default_factory=list, description="Paragraphs of the section, in order")


class Source(BaseModel):
    id: str = Field(description="Chunk id in the vector store")
    title: str = Field(description="Title of the past summary the exemplar came from")
    score: float = Field(description="Retrieval score, higher is closer")
    text: str = Field("", description="The exemplar passage")
    shaped: list[str] = Field(default_factory=list,
                              description="Sentences of the draft whose wording this passage gave")


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


PARTS = ("opening", "measures", "characteristics", "assurances", "carried", "problems", "next_steps")


class Exemplars(BaseModel):
    """Retrieved passages for each part of the draft."""

    parts: dict[str, list[Passage]] = Field(default_factory=dict, description="Keyed by one of PARTS")
    slots: dict[str, list[Passage]] = Field(default_factory=dict,
                                            description="Keyed by slot (prompts/template/slots.yaml)")
    placements: dict[str, str] = Field(
        default_factory=dict, description="Highlight or result figure -> the slot it means most like")

    def sources(self) -> list[Source]:
        seen: dict[str, Source] = {}
        for passages in self.parts.values():
            for p in passages:
                if p.id not in seen or seen[p.id].score < p.score:
                    seen[p.id] = Source(id=p.id, title=p.title, score=p.score, text=p.text)
        return sorted(seen.values(), key=lambda s: -s.score)


class DraftEngine(Protocol):
    """Writes a draft from facts and exemplars; `on_text` receives text as it is written (streaming)."""

    name: Literal["template", "llm"]

    def write(self, facts: Facts, exemplars: Exemplars,
              on_text: Callable[[str], None] | None = None) -> Draft: ...
