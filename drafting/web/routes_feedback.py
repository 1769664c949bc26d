"""/api/feedback: group pasted or uploaded opinions into themes, correct them, export the rectification list.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal, cast

import yaml
from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from drafting.config import Settings
from drafting.embed import Embedder
from drafting.errors import BadInput, NoOpinions, TooManyOpinions
from drafting.feedback.classifiers import make_classifier
from drafting.feedback.corrections import edit_theme, move_opinion
from drafting.feedback.export import to_docx, to_xlsx
from drafting.feedback.ledger import NAME_MAX, TEXT_MAX
from drafting.feedback.ledger_export import chinese_date
from drafting.feedback.models import STAGE_NAMES, ClassifyResult, OpinionInput, Taxonomy
from drafting.feedback.pipeline import classify_opinions
from drafting.feedback.read import parse_opinions, read_opinions
from drafting.feedback.rectify import suggest_measures
from drafting.feedback.redact import Masked, mask_lines, redact
from drafting.feedback.taxonomy import FIELD, sector_taxonomy, taxonomy_from_data
from drafting.web.db import STATUS_NAMES, FeedbackInfo, History, HistoryQuery, StoredFeedback
from drafting.web.db_ledger import LedgerStore
from drafting.web.deps import ChatModelDep, EmbedderDep, HistoryDep, SettingsDep
from drafting.web.downloads import office_file
from drafting.web.stream import Emit, stream_run, wants_stream
from drafting.writer.facts import MAX_UNIT_CHARS, explain

router = APIRouter(prefix="/api/feedback", tags=["意见归类"])

EngineName = Literal["auto", "embedded", "llm"]
# The list's 整改状态 offers three; the ledger's 待验收 is still being worked on, 已销号 is done.
LIST_STATUS = {"待整改": "待整改", "整改中": "整改中", "待验收": "整改中", "已销号": "已完成"}


class FeedbackInput(BaseModel):
    """Opinions to group: pasted text (one respondent's answer a line) or a list of lines."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="Pasted opinions, one answer a line")
    lines: list[str] | None = Field(None, description="Opinions, one answer an item")
    taxonomy: str | None = Field(None, description="A taxonomy as YAML text, or `none` for discovery only; "
                                                   "empty means the default taxonomy")
    engine: EngineName = Field("auto", description="auto、embedded 或 llm")
    sector: str | None = Field(None, max_length=20,
                               description="领域（医院、学校、农村、街道社区、企业、机关、政务服务、税务、派出所、公交…）：不给分类表时"
                                           "用该领域的主题表；不填按意见内容判断")
    unit: str = Field("", max_length=MAX_UNIT_CHARS,
                      description="The unit whose opinions these are: the history is searched by it and its "
                                  "rounds are compared")


class FeedbackRecord(ClassifyResult):
    """A saved run: the JSON of `drafting classify --format json`, plus its id."""

    id: str = Field(description="Run id in the history")
    unit: str = Field("", description="The unit whose opinions these are")
    version: int = Field(1, description="Bumped by every saved change; send it back with a move to be told "
                                        "(409) when someone else changed the run first")


class Move(BaseModel):
    """Move one opinion to another theme."""

    model_config = ConfigDict(extra="forbid")

    theme: str | None = Field(description="Target theme id; null leaves the opinion without a theme")
    version: int | None = Field(None, description="The run's version the move was made on; a stale one "
                                                  "answers 409. Without it the move applies to the latest")
    all_copies: bool = Field(True, description="Move every copy of the opinion (same text, same theme); "
                                               "false moves this one alone")


class ThemeEdit(BaseModel):
    """A person's 整改措施 or 责任部门 for one theme, kept with the run (its lists and ledger use them)."""

    model_config = ConfigDict(extra="forbid")

    measure: str | None = Field(None, max_length=TEXT_MAX, description="整改措施; null leaves it unchanged")
    department: str | None = Field(None, max_length=NAME_MAX,
                                   description="责任部门; null leaves it unchanged, empty clears it")
    version: int | None = Field(None, description="The run's version the edit was made on; a stale one "
                                                  "answers 409. Without it the edit applies to the latest")


def taxonomy_for(text: str | None, sector: str | None, lines: Sequence[str]) -> Taxonomy | None:
    """The taxonomy a run uses: the user's YAML text, none (`none`: discovery only), else the sector's (given,
    or detected from the opinions)."""
    if text is not None and text.strip():
        return taxonomy_from_text(text)
    return sector_taxonomy(sector, lines)


def taxonomy_from_text(text: str) -> Taxonomy | None:
    if text.strip().lower() == "none":
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise BadInput.field("taxonomy", "不是有效的 YAML") from None
    try:
        return taxonomy_from_data(data)
    except BadInput as exc:
        raise BadInput.field("taxonomy", exc.message.removeprefix(f"{FIELD}: ")) from None


async def read_request(request: Request) -> tuple[OpinionInput, FeedbackInput, str]:
    """What was read of the opinions, the request's fields and a label for the input, from JSON or
    multipart."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        fields: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str) and v != ""}
        try:
            body = FeedbackInput.model_validate(fields)
        except ValidationError as exc:
            raise explain(exc) from None
        if isinstance(upload, UploadFile) and upload.filename:
            read = await run_in_threadpool(read_opinions, upload.filename, await upload.read())
            return read, body, upload.filename
        if body.text is None:
            raise BadInput.field("file", "请上传 .txt、.csv、.docx 或 .xlsx 文件，或粘贴意见")
        return parse_opinions(body.text), body, "粘贴"
    try:
        data = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadInput.field("body", "应为 JSON 对象，或以 multipart 上传文件") from None
    if not isinstance(data, dict):
        raise BadInput.field("body", "应为 JSON 对象")
    try:
        body = FeedbackInput.model_validate(data)
    except ValidationError as exc:
        raise explain(exc) from None
    if (body.text is None) == (body.lines is None):
        raise BadInput.field("text", "请给出 text（粘贴的文本）或 lines（逐条意见）其中之一")
    if body.lines is not None:
        return OpinionInput(lines=[line.strip() for line in body.lines if line.strip()]), body, "粘贴"
    return parse_opinions(body.text or ""), body, "粘贴"


def run_feedback(read: OpinionInput, body: FeedbackInput, label: str, *, embedder: Embedder, chat_model: Any,
                 history: History, settings: Settings, emit: Emit | None = None) -> FeedbackRecord:
    body = body.model_copy(update={"sector": unit_sector(history, body)})
    # masked once: the history keeps these lines and the pipeline works on them without masking again
    masked = mask_lines(read.lines, lambda done, total: _progress(emit, "redact", done, total))
    kept = read.model_copy(update={"lines": list(masked)})
    stored_input = {"lines": list(masked), "taxonomy": body.taxonomy, "sector": body.sector,
                    "source": redact(label), "read": kept.model_dump(mode="json", exclude={"lines"})}
    run_id = history.start_feedback(stored_input, body.engine, len(masked), body.unit.strip())
    return classify_run(run_id, kept, body.taxonomy, body.sector, body.engine, embedder=embedder,
                        chat_model=chat_model, history=history, settings=settings, emit=emit)


def unit_sector(history: History, body: FeedbackInput) -> str | None:
    """The 领域 asked for; for a unit's next round given neither taxonomy nor 领域, its last round's, so
    the rounds are grouped alike and compare theme by theme."""
    if body.sector or (body.taxonomy and body.taxonomy.strip()) or not body.unit.strip():
        return body.sector
    earlier = [run.result for run in history.unit_runs(body.unit.strip()) if run.result]
    return str(earlier[-1].get("sector") or "") or None if earlier else None


def _progress(emit: Emit | None, stage: str, done: int, total: int) -> None:
    if emit is not None:
        emit("progress", {"stage": stage, "message": STAGE_NAMES.get(stage, stage), "done": done,
                          "total": total})


def classify_run(run_id: str, read: OpinionInput, taxonomy_text: str | None, sector: str | None,
                 engine: EngineName, *, embedder: Embedder, chat_model: Any, history: History,
                 settings: Settings, emit: Emit | None = None) -> FeedbackRecord:
    """Classify a started run's (already masked) lines and save the result, or mark the run failed."""
    try:
        taxonomy = taxonomy_for(taxonomy_text, sector, read.lines)
        classifier = None
        if taxonomy is not None:
            classifier = make_classifier(engine, taxonomy, embedder, chat_model, settings=settings)
        result = classify_opinions(Masked(read.lines), taxonomy=taxonomy, classifier=classifier,
                                   embedder=embedder, source=read,
                                   progress=lambda stage, done, total: _progress(emit, stage, done, total))
        if chat_model is not None:
            result = suggest_measures(result, chat_model, settings)
    except BaseException:
        history.fail_feedback(run_id)
        raise
    history.save_feedback(run_id, result.model_dump(mode="json"))
    return feedback_record(history.get_feedback(run_id))


def feedback_record(stored: StoredFeedback) -> FeedbackRecord:
    if stored.result is None:
        raise BadInput.field("id", f"归类记录 {stored.id} 尚未完成（状态：{STATUS_NAMES[stored.status]}）")
    return FeedbackRecord(**stored.result, id=stored.id, unit=stored.unit, version=stored.version)


def with_ledger(history: History, run_id: str) -> ClassifyResult:
    """The run's result, its themes' 整改状态 and 完成时限 taken from the ledger adopted from it, if any."""
    result, _ = stored_result(history, run_id)
    unit = history.get_feedback(run_id).unit
    adopted = [ledger for ledger in LedgerStore(history).unit_ledgers(unit) if ledger.run_id == run_id]
    if not unit or not adopted:
        return result
    rows = {row.theme: row for row in adopted[-1].rows}
    for theme in result.themes:
        if (row := rows.get(theme.id)) is not None:
            theme.status = LIST_STATUS[row.state]
            theme.deadline = chinese_date(row.deadline) or theme.deadline
    return result


def heading(stored: StoredFeedback) -> dict[str, Any]:
    """The unit and the run's day (UTC) for the list's heading."""
    return {"unit": stored.unit, "date": datetime.fromisoformat(stored.created).date()}


def stored_result(history: History, run_id: str) -> tuple[ClassifyResult, Taxonomy | None]:
    stored = history.get_feedback(run_id)
    if stored.result is None:
        raise BadInput.field("id", f"归类记录 {run_id} 尚未完成（状态：{STATUS_NAMES[stored.status]}）")
    return ClassifyResult.model_validate(stored.result), taxonomy_for(
        stored.input.get("taxonomy"), stored.input.get("sector"), stored.input.get("lines") or [])


@router.post("", response_model=FeedbackRecord, summary="意见归类",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"$ref": "#/components/schemas/FeedbackInput"}},
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "file": {"type": "string", "format": "binary"}, "taxonomy": {"type": "string"},
                     "engine": {"type": "string", "enum": ["auto", "embedded", "llm"]},
                     "sector": {"type": "string"}, "unit": {"type": "string"}}}}}}})
async def create_feedback(request: Request, history: HistoryDep, embedder: EmbedderDep,
                          chat_model: ChatModelDep, settings: SettingsDep) -> Any:
    """JSON `{"text": …}` or `{"lines": […]}`, or a .txt/.csv/.docx/.xlsx file as multipart field `file`.
    With `Accept: text/event-stream` the answer streams `progress` events, then `result` or `error`."""
    read, body, label = await read_request(request)
    if not read.lines:
        raise NoOpinions("text")
    if len(read.lines) > settings.max_opinions:
        raise TooManyOpinions("text", len(read.lines), settings.max_opinions)
    taxonomy_for(body.taxonomy, body.sector, read.lines)  # a bad taxonomy or sector is told before any work

    def work(emit: Emit | None = None) -> FeedbackRecord:
        return run_feedback(read, body, label, embedder=embedder, chat_model=chat_model, history=history,
                            settings=settings, emit=emit)

    if wants_stream(request):
        return stream_run(work)
    return await run_in_threadpool(work)


@router.post("/{run_id}/rerun", response_model=FeedbackRecord,
             summary="从保存的输入重新归类（已中断或失败的记录）")
async def rerun_feedback(run_id: str, request: Request, history: HistoryDep, embedder: EmbedderDep,
                         chat_model: ChatModelDep, settings: SettingsDep) -> Any:
    """The run keeps its id; its kept (masked) lines, taxonomy and engine are used again. Streams like
    POST /api/feedback with `Accept: text/event-stream`. A run that is running or done answers 409."""
    stored = history.restart_feedback(run_id)
    engine = cast(EngineName, stored.engine)

    def work(emit: Emit | None = None) -> FeedbackRecord:
        kept = OpinionInput.model_validate({**(stored.input.get("read") or {}),
                                            "lines": stored.input.get("lines") or []})
        return classify_run(run_id, kept, stored.input.get("taxonomy"), stored.input.get("sector"), engine,
                            embedder=embedder, chat_model=chat_model, history=history, settings=settings,
                            emit=emit)

    if wants_stream(request):
        return stream_run(work)
    return await run_in_threadpool(work)


@router.get("", response_model=list[FeedbackInfo], summary="归类历史（分页，可按单位和日期查找）")
def list_feedback(history: HistoryDep, response: Response,
                  query: Annotated[HistoryQuery, Query()]) -> list[FeedbackInfo]:
    """Newest changed first; `X-Total-Count` holds how many match the search in all."""
    response.headers["X-Total-Count"] = str(history.count_feedback(query))
    return history.list_feedback(query)


@router.get("/{run_id}", response_model=FeedbackRecord, summary="读取一次归类结果")
def get_feedback(run_id: str, history: HistoryDep) -> FeedbackRecord:
    return feedback_record(history.get_feedback(run_id))


class ThemeChoice(BaseModel):
    id: str
    name: str
    discovered: bool = Field(False, description="Found by clustering in this run")


@router.get("/{run_id}/themes", response_model=list[ThemeChoice],
            summary="可移入的主题（分类表与新发现的主题）")
def theme_choices(run_id: str, history: HistoryDep) -> list[ThemeChoice]:
    result, taxonomy = stored_result(history, run_id)
    known = taxonomy.themes if taxonomy else []
    choices = {t.id: ThemeChoice(id=t.id, name=t.name, discovered=False) for t in known}
    for t in result.themes:
        choices.setdefault(t.id, ThemeChoice(id=t.id, name=t.name, discovered=t.discovered))
    return list(choices.values())


@router.patch("/{run_id}/assignments/{index}", response_model=FeedbackRecord,
              summary="把一条意见移到另一个主题")
def move(run_id: str, body: Move, history: HistoryDep,
         index: int = Path(ge=0, description="assignments 中的序号，从 0 起")) -> FeedbackRecord:
    """Applied in one transaction on the latest saved result, so concurrent moves all persist; with
    `version`, a move made on an older version is refused with 409 instead."""
    _, taxonomy = stored_result(history, run_id)

    def change(saved: dict[str, Any]) -> dict[str, Any]:
        moved = move_opinion(ClassifyResult.model_validate(saved), index, body.theme, taxonomy,
                             all_copies=body.all_copies)
        return moved.model_dump(mode="json")

    return feedback_record(history.change_feedback(run_id, change, body.version))


@router.patch("/{run_id}/themes/{theme_id}", response_model=FeedbackRecord,
              summary="修改一个主题的整改措施和责任部门")
def change_theme(run_id: str, theme_id: str, body: ThemeEdit, history: HistoryDep) -> FeedbackRecord:
    """Kept with the run: its Excel and Word lists, and a ledger adopted from it later, carry the text."""
    def change(saved: dict[str, Any]) -> dict[str, Any]:
        return edit_theme(ClassifyResult.model_validate(saved), theme_id, measure=body.measure,
                          department=body.department).model_dump(mode="json")

    return feedback_record(history.change_feedback(run_id, change, body.version))


@router.get("/{run_id}/xlsx", summary="下载整改清单（Excel）", response_class=Response)
def download_xlsx(run_id: str, history: HistoryDep) -> Response:
    result = with_ledger(history, run_id)
    return office_file(to_xlsx(result, **heading(history.get_feedback(run_id))), "整改清单.xlsx",
                       f"feedback-{run_id}.xlsx")


@router.get("/{run_id}/docx", summary="下载整改清单（Word）", response_class=Response)
def download_docx(run_id: str, history: HistoryDep) -> Response:
    result = with_ledger(history, run_id)
    return office_file(to_docx(result, **heading(history.get_feedback(run_id))), "整改清单.docx",
                       f"feedback-{run_id}.docx")


@router.delete("/{run_id}", status_code=204, summary="删除一次归类记录")
def delete_feedback(run_id: str, history: HistoryDep) -> Response:
    history.delete_feedback(run_id)
    return Response(status_code=204)
