"""The feedback contracts: taxonomies, assignments, the classifier protocol and the result of a run."""

from collections.abc import Callable
from typing import Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field


class Theme(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, description="Stable id, e.g. service")
    name: str = Field(min_length=1, description="Chinese name shown to users, e.g. 服务群众")
    description: str = Field("", description="One sentence: what belongs here")
    examples: list[str] = Field(default_factory=list, description="Labelled example opinions")
    measure: str | None = Field(None, description="Suggested rectification measure for this theme")
    department: str | None = Field(None, description="Suggested responsible department")


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    themes: list[Theme] = Field(min_length=1)
    praise_id: str = Field("praise", description="Theme counted but never listed for rectification")


class Assignment(BaseModel):
    """One opinion's theme: None when no theme scores above the threshold."""

    theme: str | None
    score: float = Field(ge=0.0, le=1.0, description="Calibrated confidence of the theme")


class Classifier(Protocol):
    """Assigns each opinion one theme of the taxonomy (or None) from its text and its embedding row."""

    name: str
    embeds_as: Literal["query", "passage"]
    warnings: list[str]

    def classify(self, texts: list[str], vectors: np.ndarray) -> list[Assignment]: ...


Progress = Callable[[str, int, int], None]


PRAISE_ID = "praise"


PRAISE_NAME = "肯定与无意见"


OTHER_NAME = "其他"


class ThemeSummary(BaseModel):
    id: str
    name: str
    count: int = Field(ge=0, description="Opinions in the theme, duplicates counted with their multiplicity")
    share: float = Field(ge=0.0, le=1.0, description="count / total")
    representatives: list[str] = Field(default_factory=list,
                                       description="Up to three redacted opinions near the centre")
    measure: str = Field("", description="Suggested rectification measure")
    department: str = Field("", description="Responsible department, when known")
    discovered: bool = Field(False, description="True for themes found by clustering, not the taxonomy")
    summary: str = Field("", description="问题概述: the description, or a discovered theme's criterion")
    praise: bool = Field(False, description="Praise and no-opinion answers: counted, never rectified")


class AssignedOpinion(BaseModel):
    line: int = Field(ge=0, description="0-based number of the input line among the non-blank ones")
    text: str = Field(description="The redacted opinion")
    theme: str | None
    score: float


class DiscoveredTheme(BaseModel):
    label: str = Field(description="Short unique Chinese name; also the theme id of its opinions")
    criterion: str = Field("", description="One-sentence inclusion criterion")
    keywords: list[str] = Field(default_factory=list)
    lines: list[int] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list, description="Quoted redacted opinions near the centre")


class ClassifyResult(BaseModel):
    """The JSON shape of `drafting classify --format json`."""

    total: int
    unique: int
    themes: list[ThemeSummary]
    assignments: list[AssignedOpinion]
    discovered: list[DiscoveredTheme] = Field(default_factory=list)
    engine: Literal["embedded", "llm"]
    warnings: list[str] = Field(default_factory=list)
