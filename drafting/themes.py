"""Theme taxonomies and the classifiers that assign opinions to them (embedded or LLM)."""

from typing import Protocol

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
    name: str

    def classify(self, texts: list[str], vectors: np.ndarray) -> list[Assignment]: ...
