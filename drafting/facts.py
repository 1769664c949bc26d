"""Facts: what a writer hands in (../spec facts.md is the contract)."""

from datetime import date as Date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Sector = Literal["农村", "街道社区", "企业", "新社会组织", "学校", "医院", "机关", "其他"]


class Stat(BaseModel):
    """One figure, kept exactly as written."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, description="What the figure counts, e.g. 开展评议大会")
    value: str = Field(min_length=1, description="The figure as written: 645, 7800多, 一万两千余, 957.89")
    unit: str = Field("", description="Unit after the value: 场次, 份, 人, %")


class Appraisal(BaseModel):
    """The standard statistics form (数据统计单); all counts are non-negative integers."""

    model_config = ConfigDict(extra="forbid")

    orgs_reviewed: int | None = Field(None, ge=0, description="被评议的党组织数")
    orgs_basic_satisfied: int | None = Field(None, ge=0, description="评议为基本满意（含）以上的党组织数")
    orgs_satisfied: int | None = Field(None, ge=0, description="评议为满意（含）以上的党组织数")
    members_total: int | None = Field(None, ge=0, description="党员总数")
    members_reviewed: int | None = Field(None, ge=0, description="被评议的党员数")
    members_basic_satisfied: int | None = Field(None, ge=0, description="评议为基本满意（含）以上的党员数")
    members_satisfied: int | None = Field(None, ge=0, description="评议为满意（含）以上的党员数")
    meetings: int | None = Field(None, ge=0, description="召开群众评议会议数")
    participants: int | None = Field(None, ge=0, description="参加评议的群众人数")
    good_deeds: int | None = Field(None, ge=0, description="为群众办实事、做好事、解难事件数")


class Facts(BaseModel):
    """Everything a draft may say; nothing else may appear as a figure."""

    model_config = ConfigDict(extra="forbid")

    unit: str = Field(min_length=1, description="The organisation or unit writing the summary")
    date: Date = Field(description="Date of writing, YYYY-MM-DD")
    activity: str = Field("创先争优", min_length=1, description="The campaign the appraisal belongs to")
    sector: Sector | None = Field(None, description="Sector; decides the appraisal goal")
    basis: str | None = Field(None, description="The document or request the work followed (按照……要求)")
    stats: list[Stat] = Field(default_factory=list, description="Figures, most important first")
    appraisal: Appraisal | None = Field(None, description="The standard statistics form")
    highlights: list[str] = Field(default_factory=list, description="Distinctive practices and deeds")
    problems: list[str] = Field(default_factory=list, description="Shortcomings found (存在问题)")
    next_steps: list[str] = Field(default_factory=list, description="What will be done next (下一步打算)")
