"""Drafting: facts + retrieved exemplars -> a draft in the genre, by one of two engines."""

from collections.abc import Callable
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from .facts import Facts
from .retrieve import Passage
from .verify import Verification


class Section(BaseModel):
    heading: str = Field(description="Section heading as printed, e.g. 一、采取四项措施，……; empty for the opening")
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
