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
    actions: dict[str, str] = Field(
        default_factory=dict,
        description="Word in an opinion -> the concrete action it calls for (车位: 挖潜增设停车位); "
                    "the measure lists those its opinions name")


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    themes: list[Theme] = Field(min_length=1)
    praise_id: str = Field("praise", description="Theme counted but never listed for rectification")
    sector: str | None = Field(None, description="领域 of a bundled sector taxonomy (医院); None: a user's")


class Assignment(BaseModel):
    """One opinion's theme: None when no theme scores above the threshold."""

    theme: str | None
    score: float = Field(ge=0.0, le=1.0, description="Calibrated confidence of the theme")


EngineName = Literal["embedded", "llm"]


class Classifier(Protocol):
    """Assigns each opinion one theme of the taxonomy (or None) from its text and its embedding row."""

    @property
    def name(self) -> EngineName:
        """The engine the result reports."""
        ...

    rereads_lines: bool  # cheap enough to read a split line's parts again in their line's context
    warnings: list[str]

    def embed(self, texts: list[str]) -> np.ndarray:
        """The rows `classify` expects for these texts."""
        ...

    def fit(self) -> None:
        """Load or fit what `classify` needs (reported to the user as its own step: it can take seconds)."""
        ...

    def classify(self, texts: list[str], vectors: np.ndarray) -> list[Assignment]: ...


Progress = Callable[[str, int, int], None]


# The stages a run reports through Progress, with the names a user reads (CLI bar and page alike).
STAGE_NAMES = {"redact": "脱敏", "split": "拆分与去重", "embed": "计算向量", "fit": "训练归类模型",
               "classify": "归类", "discover": "发现新主题", "summarise": "汇总"}

# Typical opinions quoted for each theme (summaries, moves and exports alike).
TYPICAL_OPINIONS = 3

Flag = Literal["injection", "formula"]


PRAISE_ID = "praise"


PRAISE_NAME = "肯定与无意见"


OTHER_NAME = "其他"


class ThemeSummary(BaseModel):
    id: str
    name: str
    count: int = Field(ge=0, description="Opinions in the theme, duplicates counted with their multiplicity")
    share: float = Field(ge=0.0, le=1.0, description="count / total")
    representatives: list[str] = Field(default_factory=list,
                                       description="Up to TYPICAL_OPINIONS redacted typical opinions")
    measure: str = Field("", description="Suggested rectification measure")
    department: str = Field("", description="Responsible department, when known")
    discovered: bool = Field(False, description="True for themes found by clustering, not the taxonomy")
    summary: str = Field("", description="问题概述: the description, or a discovered theme's criterion")
    praise: bool = Field(False, description="Praise and no-opinion answers: counted, never rectified")
    deadline: str = Field("", description="完成时限: suggested from the kind of fix (1个月内, 长期坚持); "
                                          "the organiser or the ledger may set a date")
    status: str = Field("", description="整改状态 (待整改, 整改中, 已完成), when known")


class AssignedOpinion(BaseModel):
    line: int = Field(ge=0, description="0-based number of the input line among the non-blank ones")
    text: str = Field(description="The redacted opinion")
    theme: str | None
    score: float
    flag: Flag | None = Field(None, description="injection: text addressed to a model; formula: a "
                                                "spreadsheet formula. Flagged opinions are in no theme")
    number: str = Field("", description="The form's 序号 of the respondent's row, when the input is a form")
    department: str = Field("", description="The form's 部门 of the respondent's row (redacted), when known")
    source_line: int = Field(0, ge=0, description="1-based line of the pasted text or .txt file it was read "
                                                  "from, blank and skipped lines counted; 0: unknown")
    written: str = Field("", description="What the respondent wrote (redacted) when it only agreed with the "
                                         "answer above (同上, +1) and so was given that answer's opinion")


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
    engine: EngineName
    warnings: list[str] = Field(default_factory=list)
    commendations: list[str] = Field(default_factory=list,
                                     description="表扬: redacted praise of staff, counted as praise and "
                                                 "reported on its own for the unit to pass on")
    sector: str | None = Field(None, description="领域 of the bundled taxonomy used, e.g. 医院")
    skipped: int = Field(0, ge=0, description="Input lines that are not opinions (a record's header, 主持人, "
                         "记录人…), left out")


class LineOrigin(BaseModel):
    """Where one respondent's answer sits in the input, and what it said when it only agreed (同上)."""

    number: str = Field("", description="序号 of the form's row")
    department: str = Field("", description="部门 of the form's row, merged cells filled down")
    source_line: int = Field(0, ge=0, description="1-based line of the pasted text or .txt file, blank and "
                                                  "skipped lines counted; 0 for a form's cell or unknown")
    written: str = Field("", description="What the respondent wrote (redacted) when it only agreed with the "
                                         "answer above (同上, +1) and so was given that answer's opinion")


class OpinionInput(BaseModel):
    """What a reader found in an input: one respondent a line, where each came from, what was left out."""

    lines: list[str] = Field(description="One respondent a line: a cell's lines joined, 同上 resolved")
    origins: list[LineOrigin] = Field(default_factory=list,
                                      description="One per line when some line has an origin, else empty")
    skipped: int = Field(0, ge=0, description="Lines that are not opinions: a record's title, 主持人…")
    same_as_above: int = Field(0, ge=0, description="同上 / 同意楼上 answers given the opinion above them")
