"""Retrieval of exemplar passages from the vector store."""

from typing import Protocol

from pydantic import BaseModel, Field


class Passage(BaseModel):
    """One chunk of a past summary, as search returns it."""

    id: str = Field(description="Content-hash id of the chunk")
    doc_id: str = Field(description="Content-hash id of the document")
    title: str = Field(description="Title of the document")
    unit: str = Field("", description="Unit that wrote the document")
    sector: str = Field("", description="Sector of the unit")
    date: str = Field("", description="Date of the document, YYYY-MM-DD when known")
    heading_path: list[str] = Field(default_factory=list, description="Headings above the chunk, outermost first")
    text: str
    source: str = Field("", description="File the document came from")
    score: float = Field(0.0, description="Relevance, higher is closer")


class Retriever(Protocol):
    def search(self, query: str, k: int = 5, *, sector: str | None = None,
               exclude_docs: set[str] | None = None) -> list[Passage]: ...
