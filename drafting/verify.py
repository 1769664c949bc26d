"""Verification of a draft against its facts: every figure present, none invented, every item used."""

from pydantic import BaseModel, Field


class Verification(BaseModel):
    """The report that is part of every draft result."""

    ok: bool = Field(description="True when nothing is missing and nothing is unsupported")
    missing_facts: list[str] = Field(default_factory=list, description="Facts the draft does not use, in Chinese")
    unsupported_numbers: list[str] = Field(default_factory=list, description="Figures in the draft the facts do not hold")
