"""Feedback: pasted opinions -> split, deduplicated, redacted, classified, discovered, summarised."""

from typing import Literal

from pydantic import BaseModel, Field


class ThemeSummary(BaseModel):
    id: str
    name: str
    count: int = Field(ge=0, description="Opinions in the theme, duplicates counted with their multiplicity")
    share: float = Field(ge=0.0, le=1.0, description="count / total")
    representatives: list[str] = Field(default_factory=list, description="Up to three redacted opinions near the centre")
    measure: str = Field("", description="Suggested rectification measure")
    department: str = Field("", description="Responsible department, when known")
    discovered: bool = Field(False, description="True for themes found by clustering rather than the taxonomy")


class AssignedOpinion(BaseModel):
    line: int = Field(ge=0, description="0-based number of the input line among the non-blank ones")
    text: str = Field(description="The redacted opinion")
    theme: str | None
    score: float


class DiscoveredTheme(BaseModel):
    label: str = Field(description="Short unique Chinese name")
    criterion: str = Field("", description="One-sentence inclusion criterion")
    keywords: list[str] = Field(default_factory=list)
    lines: list[int] = Field(default_factory=list)


class ClassifyResult(BaseModel):
    """The JSON shape of `drafting classify --format json`."""

    total: int
    unique: int
    themes: list[ThemeSummary]
    assignments: list[AssignedOpinion]
    discovered: list[DiscoveredTheme] = Field(default_factory=list)
    engine: Literal["embedded", "llm"]
    warnings: list[str] = Field(default_factory=list)
