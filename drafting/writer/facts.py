"""Facts: what a writer hands in (../spec facts.md is the contract), how it is read, and what is refused."""

import json
import re
from datetime import date as Date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

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


# Where a basis names its campaign: a quoted name (“作风建设年”), 创先争优, or the words before 群众评议 in
# 开展……群众评议 or 在……中开展; names about who is appraised (党组织、党员、年度) are not campaigns.
CAMPAIGN_PATTERNS = (re.compile(r"“([^”]{2,20})”"), re.compile(r"(创先争优)"),
                     re.compile(r"开展([^\s，。、《》“”]{2,16}?)(?:活动)?群众评议"),
                     re.compile(r"在([^\s，。、《》“”]{2,16}?)中开展"))
NOT_CAMPAIGN = re.compile(r"党组织|党员|年度|\d|工作|评议")
APPRAISAL_CAMPAIGN = "创先争优"  # the campaign whose sector goals SECTOR_GOALS are


def campaign_in(basis: str) -> str | None:
    """The campaign a basis names (关于开展“便民办税春风行动”群众评议工作的通知 -> 便民办税春风行动)."""
    for pattern in CAMPAIGN_PATTERNS:
        for found in pattern.findall(basis):
            if not NOT_CAMPAIGN.search(found):
                return str(found)
    return None


# Bounds that keep every export within what Word, the history and a reader can take (the docx core properties
# hold at most 255 characters, and the title carries the unit and activity).
MAX_UNIT_CHARS = 60
MAX_ITEM_CHARS = 300
MAX_VALUE_CHARS = 20
MAX_ITEMS = 30
Item = Annotated[str, Field(max_length=MAX_ITEM_CHARS)]


class FieldProblem(ValueError):
    """A rule across fields was broken; carries the field it names."""

    def __init__(self, field: str, problem: str):
        super().__init__(problem)
        self.field = field
        self.problem = problem


class Stat(BaseModel):
    """One figure, kept exactly as written."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"description": "一个数字，照原样保留"})

    label: str = Field(min_length=1, max_length=MAX_ITEM_CHARS, title="名称",
                       description="这个数字统计的是什么，如 开展评议大会")
    value: str = Field(min_length=1, max_length=MAX_VALUE_CHARS, title="数值",
                       description="数字照原样写：645、7800多、一万两千余、957.89")
    unit: str = Field("", max_length=MAX_VALUE_CHARS, title="单位",
                      description="数字后的单位：场次、份、人、%")

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

    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"description": "群众评议数据统计单；各项均为非负整数"})

    orgs_reviewed: int | None = Field(None, ge=0, title="被评议的党组织数", description="被评议的党组织数")
    orgs_basic_satisfied: int | None = Field(None, ge=0, title="基本满意以上的党组织数",
                                             description="评议为基本满意（含）以上的党组织数")
    orgs_satisfied: int | None = Field(None, ge=0, title="满意的党组织数",
                                       description="评议为满意（含）以上的党组织数")
    members_total: int | None = Field(None, ge=0, title="党员总数", description="党员总数")
    members_reviewed: int | None = Field(None, ge=0, title="被评议的党员数", description="被评议的党员数")
    members_basic_satisfied: int | None = Field(None, ge=0, title="基本满意以上的党员数",
                                                description="评议为基本满意（含）以上的党员数")
    members_satisfied: int | None = Field(None, ge=0, title="满意的党员数",
                                          description="评议为满意（含）以上的党员数")
    meetings: int | None = Field(None, ge=0, title="评议会议数", description="召开群众评议会议数")
    participants: int | None = Field(None, ge=0, title="参评群众人数", description="参加评议的群众人数")
    good_deeds: int | None = Field(None, ge=0, title="办实事件数",
                                   description="为群众办实事、做好事、解难事件数")

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


CarriedState = Literal["待整改", "整改中", "待验收", "已销号"]
CarriedKind = Literal["立行立改", "限期整改", "长期坚持"]


class CarriedItem(BaseModel):
    """One problem carried from the last round's ledger: what was promised and where it stands."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "description": "上一轮整改台账中的一个问题：整改措施、整改状态和成效；草稿要逐条交代"})

    problem: str = Field(min_length=1, max_length=MAX_ITEM_CHARS, title="问题",
                         description="上一轮梳理出的问题，如 食堂饭菜价格偏高、品种单一")
    category: str = Field("", max_length=MAX_UNIT_CHARS, title="问题类别",
                          description="问题的类别（归类主题），如 食堂管理；写“反映……的意见”时用")
    measure: str = Field("", max_length=MAX_ITEM_CHARS, title="整改措施", description="承诺的整改措施")
    kind: CarriedKind | None = Field(None, title="整改类型",
                                     description="立行立改、限期整改或长期坚持；长期坚持的纳入长期整改")
    state: CarriedState = Field(title="整改状态",
                                description="整改台账的状态：待整改、整改中、待验收、已销号")
    finished: Date | None = Field(None, title="实际完成时间",
                                  description="整改实际完成的日期，格式 YYYY-MM-DD")
    note: str = Field("", max_length=MAX_ITEM_CHARS, title="整改成效",
                      description="整改成效或销号情况（可含数字），如 新增停车位176个")
    opinions_before: int | None = Field(None, ge=0, title="上轮意见数",
                                        description="上一轮评议中反映这个问题的意见条数")
    opinions_now: int | None = Field(None, ge=0, title="本轮意见数",
                                     description="本轮评议中反映这个问题的意见条数")

    @field_validator("finished", mode="before")
    @classmethod
    def _finished_as_written(cls, v: Any) -> Any:
        if v is not None and not isinstance(v, str | Date):
            raise ValueError(DATE_FORMAT)
        return v

    @field_validator("opinions_before", "opinions_now", mode="before")
    @classmethod
    def _no_booleans(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("应为整数")
        return v

    @field_validator("problem", "category", "measure", "note")
    @classmethod
    def _clause(cls, v: str, info: ValidationInfo) -> str:
        v = v.strip().rstrip("。；;，,")
        if info.field_name == "problem" and not v:
            raise ValueError("不能为空")
        return v

    @property
    def closed(self) -> bool:
        return self.state == "已销号"

    @property
    def long_term(self) -> bool:
        """Not closed and to be kept at for the long term (纳入长期整改)."""
        return not self.closed and self.kind == "长期坚持"


class Facts(BaseModel):
    """Everything a draft may say; nothing else may appear as a figure."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "description": "起草一篇群众评议工作总结所需的事实；草稿中的数字只能来自这里"})

    unit: str = Field(min_length=1, max_length=MAX_UNIT_CHARS, title="单位名称",
                      description="写总结的党组织或单位，如 城关镇东山村党支部")
    date: Date = Field(title="成文日期", description="成文日期，格式 YYYY-MM-DD")
    activity: str = Field("创先争优", min_length=1, max_length=MAX_UNIT_CHARS, title="活动名称",
                          description="群众评议所属的活动，默认 创先争优")
    sector: Sector | None = Field(None, title="领域", description="所在领域；决定评议目标")
    basis: str | None = Field(None, max_length=MAX_ITEM_CHARS, title="工作依据",
                              description="工作所依据的文件或要求（按照……要求）")
    stats: list[Stat] = Field(default_factory=list, max_length=MAX_ITEMS, title="主要数据",
                              description="主要数字，重要的在前")
    appraisal: Appraisal | None = Field(None, title="评议统计", description="标准的群众评议数据统计单")
    highlights: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS, title="工作亮点",
                                   description="有特色的做法和实事")
    problems: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS, title="存在问题",
                                 description="评议中发现的问题和不足")
    next_steps: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS, title="下一步打算",
                                   description="下一步的工作打算")
    carried: list[CarriedItem] = Field(default_factory=list, max_length=MAX_ITEMS, title="上轮整改落实情况",
                                       description="上一轮整改台账中的问题及其整改情况，草稿逐条交代已销号、"
                                                   "正在整改和纳入长期整改的")

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
    def carried_counts(self) -> dict[str, int]:
        """The last round's ledger counts: 共梳理问题N项，已整改销号M项，正在整改K项，其余纳入长期整改."""
        closed = sum(item.closed for item in self.carried)
        long_term = sum(item.long_term for item in self.carried)
        total = len(self.carried)
        ongoing = total - closed - long_term
        return {"total": total, "closed": closed, "ongoing": ongoing, "long_term": long_term}

    @property
    def campaign(self) -> str | None:
        """The campaign the draft names: the activity as given, else the one the basis names, else the
        spec's default (创先争优)."""
        if "activity" in self.model_fields_set:
            return self.activity
        return campaign_in(self.basis or "") or self.activity

    @property
    def goal(self) -> str | None:
        """The sector's goal when the draft's campaign is 创先争优 (other campaigns set no such goals)."""
        if APPRAISAL_CAMPAIGN not in (self.campaign or ""):
            return None
        return SECTOR_GOALS.get(self.sector or "")


_TYPE_MESSAGES = VALIDATION_MESSAGES | {
    "date_from_datetime_inexact": DATE_FORMAT,
    "date_from_datetime_parsing": DATE_FORMAT,
    "date_parsing": DATE_FORMAT,
    "date_type": DATE_FORMAT,
}
LENGTH_MESSAGES = {"too_long": "最多 {max_length} 条", "string_too_long": "不能超过 {max_length} 个字"}
ITEM_WORD = {"stats": "项"}  # 主要数据第1项; a list of sentences counts 条: 工作亮点第2条


def field_label(loc: tuple[Any, ...], model: type[BaseModel] = Facts) -> str:
    """A field path in the writer's words, from the model's own field titles: ("stats", 0, "value") ->
    主要数据第1项的数值; a name the model does not know stays as written."""
    label, parent = "", ""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            label += f"第{part + 1}{ITEM_WORD.get(parent, '条')}"
            continue
        field = current.model_fields.get(str(part)) if current is not None else None
        title = field.title if field is not None and field.title else str(part)
        label += ("的" if label else "") + title
        parent = str(part)
        annotation = field.annotation if field is not None else None
        current = next((a for a in _model_types(annotation)), None)
    return label or "事实"


def _model_types(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models inside an annotation: Stat in list[Stat], Appraisal in Appraisal | None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _model_types(arg)]


def _literal_message(ctx: dict[str, Any]) -> str:
    """只能是 a、b 或 c 之一, from the allowed values pydantic lists for this very field."""
    allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
    return "只能是 " + "、".join(allowed) + " 之一" if allowed else "取值不在允许范围内"


def _say(error: ValidationError, loc: tuple[Any, ...], problem: str) -> BadInput:
    """Facts problems are named by their labels (主要数据第1项的数值：…); other models keep the field path."""
    if error.title == Facts.__name__:
        return BadInput(f"{field_label(loc)}：{problem}")
    return BadInput.field(field_path(loc, "facts"), problem)


def explain(error: ValidationError) -> BadInput:
    """The first problem of a ValidationError as one Chinese line naming the field."""
    first = error.errors()[0]
    loc = tuple(first["loc"])
    ctx = first.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, FieldProblem):
        if error.title == Facts.__name__ and loc and loc[-1] == "appraisal":
            # 评议统计·满意（8）不能多于基本满意以上（1）
            return BadInput(f"{field_label(loc)}·{cause.problem}")
        return _say(error, loc + (cause.field,), cause.problem)
    if first["type"] == "value_error" and cause is not None:
        return _say(error, loc, str(cause))
    if first["type"] == "extra_forbidden" and str(loc[-1]).isdigit():
        # YAML's flow style reads {value: 1,250} as value 1 and a key 250
        return _say(error, loc[:-1], f"数字中的逗号把它拆开了（多出“{loc[-1]}”），"
                                     "含逗号的数字请加引号，如 \"1,250\"")
    if first["type"] == "literal_error":
        return _say(error, loc, _literal_message(ctx))
    if first["type"] in LENGTH_MESSAGES:
        return _say(error, loc, LENGTH_MESSAGES[first["type"]].format(**ctx))
    return _say(error, loc, _TYPE_MESSAGES.get(first["type"], "取值不符合要求"))


def parse_facts(data: Any) -> Facts:
    """Validate already-parsed data as Facts, or raise BadInput naming the field."""
    if not isinstance(data, dict):
        raise BadInput.field("facts", "应为一个 JSON 或 YAML 对象")
    try:
        return Facts.model_validate(data)
    except ValidationError as exc:
        raise explain(exc) from None


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except OSError:  # a name longer than the file system allows is text, not a path
        return False


def load_facts(path_or_text: str | Path) -> Facts:
    """Facts from a JSON or YAML file, or from the text itself."""
    text = str(path_or_text)
    if isinstance(path_or_text, Path) or (len(text) < 4096 and "\n" not in text and _is_file(text)):
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
