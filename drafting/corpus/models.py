"""The corpus contracts: documents, their chunks, the passages retrieval returns, and the retriever."""

from typing import Protocol

from pydantic import BaseModel, Field


class DocumentMeta(BaseModel):
    """What is known about a past summary: the same in a document read and in its entry in the store."""

    id: str = Field(description="Content hash of the cleaned text")
    title: str = Field(description="Title of the document")
    unit: str = Field("", description="Unit that wrote it")
    sector: str = Field("", description="Sector of the unit (农村, 学校, 机关, …)")
    date: str = Field("", description="YYYY-MM-DD when known")


class Document(DocumentMeta):
    """One past summary (or statistics form), cleaned, with what is known about it."""

    kind: str = Field("summary", description="summary or form (数据统计单)")
    sample: bool = Field(False, description="A sample written for the corpus (front matter `sample: true`)")
    source: str = Field("", description="File it came from")
    text: str = Field(description="Cleaned body, one paragraph a line")


class Chunk(BaseModel):
    """One retrievable piece of a document, with the headings above it."""

    id: str = Field(description="Content hash of document, position, headings and text")
    doc_id: str
    ordinal: int = Field(description="Position in the document, from 0")
    heading_path: list[str] = Field(
        default_factory=list, description="Headings above the chunk, outermost first"
    )
    text: str


class Passage(BaseModel):
    """One chunk of a past summary, as search returns it."""

    id: str = Field(description="Content-hash id of the chunk")
    doc_id: str = Field(description="Content-hash id of the document")
    title: str = Field(description="Title of the document")
    unit: str = Field("", description="Unit that wrote the document")
    sector: str = Field("", description="Sector of the unit")
    date: str = Field("", description="Date of the document, YYYY-MM-DD when known")
    heading_path: list[str] = Field(
        default_factory=list, description="Headings above the chunk, outermost first"
    )
    text: str
    source: str = Field("", description="File the document came from")
    sample: bool = Field(False, description="The document is a sample written for the corpus")
    score: float = Field(0.0, description="Relevance, higher is closer")


class Retriever(Protocol):
    def search(
        self, query: str, k: int = 5, *, sector: str | None = None, exclude_docs: set[str] | None = None
    ) -> list[Passage]: ...

    def prime(self, queries: list[str]) -> None:
        """Prepare for these queries at once (one embedding batch instead of one call a query)."""


class DocumentInfo(DocumentMeta):
    """One stored document, as `corpus list` shows it."""

    chunks: int = Field(description="Number of stored chunks")
    source: str = Field("", description="File it came from")


class AddReport(BaseModel):
    """What one add did: new documents, and documents already stored (same content) that were skipped."""

    added: list[DocumentInfo] = Field(default_factory=list)
    skipped: list[DocumentInfo] = Field(
        default_factory=list, description="Already in the store; nothing changed"
    )
    chunks_added: int = Field(0, description="Chunks embedded and written")
