"""Drafting: facts + retrieved exemplars -> a draft in the genre, by one of two engines."""

from typing import Literal

from pydantic import BaseModel, Field

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
