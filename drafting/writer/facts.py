"""Facts: what a writer hands in (../spec facts.md is the contract), how it is read, and what is refused."""

import json
from datetime import date as Date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from drafting.errors import VALIDATION_MESSAGES, BadInput, field_path, yaml_place
from drafting.numerals import QUALIFIERS_AFTER, QUALIFIERS_BEFORE, normalise, parse_figure

Sector = Literal["农村", "街道社区", "企业", "新社会组织", "学校", "医院", "机关", "其他"]
DATE_FORMAT = "日期格式应为 YYYY-MM-DD"
SECTORS: tuple[str, ...] = Sector.__args__  # type: ignore[attr-defined]

# The appraisal goal of each sector, as the corpus states it (区委 summary).
SECTOR_GOALS: dict[str, str] = {
    "农村": "创业致富", "街道社区": "和谐安定", "企业": "创新增效", "新社会组织": "塑造形象",
    "学校": "敬业奉献", "医院": "敬业奉献", "机关": "服务发展",
}


class FieldProblem(ValueError):
    """A rule across fields was broken; carries the field it names."""

    def __init__(self, field: str, problem: str):
        super().__init__(problem)
        self.field = field
        self.problem = problem


class Stat(BaseModel):
    """One figure, kept exactly as written."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, description="What the figure counts, e.g. 开展评议大会")
    value: str = Field(min_length=1, description="The figure as written: 645, 7800多, 一万两千余, 957.89")
    unit: str = Field("", description="Unit after the value: 场次, 份, 人, %")

    @field_validator("value", mode="before")
    @classmethod
    def _number_as_written(cls, v: Any) -> Any:
        # YAML and hand-written JSON give 645 or 957.89 as numbers; keep them as the writer typed them.
        return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v

    @field_validator("label", "value", "unit")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    @field_validator("value")
    @classmethod
    def _readable(cls, v: str) -> str:
        if parse_figure(v) is None:
            raise ValueError(f"“{v}”不是可读的数字（可写 645、7800多、36300余、一万两千余、957.89）")
        return v

    @model_validator(mode="after")
    def _percent_in_range(self) -> "Stat":
        value = normalise(self.value)
        if self.unit in ("%", "％") or value.endswith("%"):
            bare = value.rstrip("%").strip()
            number = parse_figure(bare)
            if bare[-1:] in QUALIFIERS_AFTER or bare[:1] in QUALIFIERS_BEFORE or number is None \
                    or not 0 <= number <= 100:
                raise FieldProblem("value", "百分比必须是 0 到 100 之间的数字")
        return self


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

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("应为整数")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "Appraisal":
        # (smaller field, its Chinese name, larger field, its Chinese name): smaller may not exceed larger.
        chains = [
            ("orgs_satisfied", "满意", "orgs_basic_satisfied", "基本满意以上"),
            ("orgs_basic_satisfied", "基本满意以上", "orgs_reviewed", "被评议"),
            ("orgs_satisfied", "满意", "orgs_reviewed", "被评议"),
            ("members_satisfied", "满意", "members_basic_satisfied", "基本满意以上"),
            ("members_basic_satisfied", "基本满意以上", "members_reviewed", "被评议"),
            ("members_satisfied", "满意", "members_reviewed", "被评议"),
            ("members_reviewed", "被评议", "members_total", "党员总数"),
        ]
        for small, small_name, large, large_name in chains:
            a, b = getattr(self, small), getattr(self, large)
            if a is not None and b is not None and a > b:
                raise FieldProblem(small, f"{small_name}（{a}）不能多于{large_name}（{b}）")
        return self


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

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_written(cls, v: Any) -> Any:
        # Numbers would be read as Unix timestamps; a date is written YYYY-MM-DD.
        if not isinstance(v, str | Date):
            raise ValueError(DATE_FORMAT)
        return v

    @field_validator("unit", "activity")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("不能为空")
        return v.strip()

    @field_validator("basis")
    @classmethod
    def _basis(cls, v: str | None) -> str | None:
        return v.strip() or None if v is not None else None

    @field_validator("highlights", "problems", "next_steps")
    @classmethod
    def _items(cls, v: list[str]) -> list[str]:
        return [s.strip().rstrip("。；;，,") for s in v if s.strip()]

    @property
    def goal(self) -> str | None:
        """The sector's appraisal goal, if a sector with one is given."""
        return SECTOR_GOALS.get(self.sector or "")


_TYPE_MESSAGES = VALIDATION_MESSAGES | {
    "date_from_datetime_inexact": DATE_FORMAT,
    "date_from_datetime_parsing": DATE_FORMAT,
    "date_parsing": DATE_FORMAT,
    "date_type": DATE_FORMAT,
    "literal_error": "只能是 " + "、".join(SECTORS) + " 之一",
}


def _path(loc: tuple[Any, ...]) -> str:
    return field_path(loc, "facts")


def explain(error: ValidationError) -> BadInput:
    """The first problem of a ValidationError as one Chinese line naming the field path."""
    first = error.errors()[0]
    loc = tuple(first["loc"])
    ctx = first.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, FieldProblem):
        return BadInput.field(_path(loc + (cause.field,)), cause.problem)
    if first["type"] == "value_error" and cause is not None:
        return BadInput.field(_path(loc), str(cause))
    if first["type"] == "extra_forbidden" and str(loc[-1]).isdigit():
        # YAML's flow style reads {value: 1,250} as value 1 and a key 250
        return BadInput.field(_path(loc[:-1]), f"数字中的逗号把它拆开了（多出“{loc[-1]}”），"
                                               "含逗号的数字请加引号，如 \"1,250\"")
    message = _TYPE_MESSAGES.get(first["type"], "取值不符合要求")
    return BadInput.field(_path(loc), message)


def parse_facts(data: Any) -> Facts:
    """Validate already-parsed data as Facts, or raise BadInput naming the field."""
    if not isinstance(data, dict):
        raise BadInput.field("facts", "应为一个 JSON 或 YAML 对象")
    try:
        return Facts.model_validate(data)
    except ValidationError as exc:
        raise explain(exc) from None


def load_facts(path_or_text: str | Path) -> Facts:
    """Facts from a JSON or YAML file, or from the text itself."""
    text = str(path_or_text)
    if isinstance(path_or_text, Path) or (len(text) < 4096 and "\n" not in text and Path(text).is_file()):
        try:
            text = Path(path_or_text).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput.field("FACTS", f"无法读取文件：{exc}") from None
    return facts_from_text(text, "FACTS")


class _AsWritten(yaml.SafeLoader):
    """YAML with numbers left as the writer typed them (98.60 stays 98.60, 1:30 is not 90); pydantic reads
    the counts of the statistics form from those strings."""


_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_AsWritten.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in _NUMBER_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def facts_from_text(text: str, field: str) -> Facts:
    """Facts from JSON or YAML text; `field` names the input in the message when it is neither."""
    text = text.lstrip("\ufeff")
    try:
        data = json.loads(text, parse_float=str)  # 98.60 stays 98.60
    except json.JSONDecodeError:
        try:
            data = yaml.load(text, Loader=_AsWritten)  # noqa: S506 - a SafeLoader without number tags
        except yaml.YAMLError as exc:
            raise BadInput.field(field, f"不是有效的 JSON 或 YAML（{yaml_place(exc)}有误）") from None
    if isinstance(data, dict) and isinstance(data.get("date"), Date):
        data["date"] = data["date"].isoformat()
    return parse_facts(data)


def facts_schema() -> dict[str, Any]:
    """The JSON Schema of Facts, as published in docs/facts.schema.json."""
    return Facts.model_json_schema()
