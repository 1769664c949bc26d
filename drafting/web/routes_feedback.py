"""/api/feedback: group pasted or uploaded opinions into themes, correct them, export the rectification list.
"""

import json
from typing import Any, Literal

import yaml
from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from drafting.config import Settings
from drafting.embed import Embedder
from drafting.errors import BadInput, NoOpinions, TooManyOpinions
from drafting.feedback.classifiers import make_classifier
from drafting.feedback.corrections import move_opinion
from drafting.feedback.export import to_docx, to_xlsx
from drafting.feedback.models import ClassifyResult, Taxonomy
from drafting.feedback.pipeline import classify_opinions
from drafting.feedback.read import parse_input, read_opinions_file
from drafting.feedback.rectify import suggest_measures
from drafting.feedback.redact import mask_lines
from drafting.feedback.taxonomy import FIELD, load_taxonomy, taxonomy_from_data
from drafting.web.db import FeedbackInfo, History
from drafting.web.deps import ChatModelDep, EmbedderDep, HistoryDep, SettingsDep
from drafting.web.routes_drafts import attachment
from drafting.web.stream import Emit, stream_run, wants_stream
from drafting.writer.facts import explain

router = APIRouter(prefix="/api/feedback", tags=["意见归类"])

EngineName = Literal["auto", "embedded", "llm"]
STAGES = {"split": "拆分与去重", "redact": "脱敏", "embed": "计算向量", "classify": "归类",
          "discover": "发现新主题", "summarise": "汇总"}


class FeedbackInput(BaseModel):
    """Opinions to group: pasted text (one respondent's answer a line) or a list of lines."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="Pasted opinions, one answer a line")
    lines: list[str] | None = Field(None, description="Opinions, one answer an item")
    taxonomy: str | None = Field(None, description="A taxonomy as YAML text, or `none` for discovery only; "
                                                   "empty means the default taxonomy")
    engine: EngineName = Field("auto", description="auto、embedded 或 llm")


class FeedbackRecord(ClassifyResult):
    """A saved run: the JSON of `drafting classify --format json`, plus its id."""

    id: str = Field(description="Run id in the history")


class Move(BaseModel):
    """Move one opinion to another theme."""

    model_config = ConfigDict(extra="forbid")

    theme: str | None = Field(description="Target theme id; null leaves the opinion without a theme")


def taxonomy_from_text(text: str | None) -> Taxonomy | None:
    if text is None or not text.strip():
        return load_taxonomy(None)
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


async def read_request(request: Request) -> tuple[list[str], str | None, EngineName, str]:
    """The opinions, the taxonomy text, the engine and a label for the input, from JSON or multipart."""
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
            lines = await run_in_threadpool(read_opinions_file, upload.filename, await upload.read())
            return lines, body.taxonomy, body.engine, upload.filename
        if body.text is None:
            raise BadInput.field("file", "请上传 .txt、.docx 或 .xlsx 文件，或粘贴意见")
        return parse_input(body.text), body.taxonomy, body.engine, "粘贴"
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
        lines = [line.strip() for line in body.lines if line.strip()]
    else:
        lines = parse_input(body.text or "")
    return lines, body.taxonomy, body.engine, "粘贴"


def run_feedback(lines: list[str], taxonomy_text: str | None, engine: EngineName, label: str, *,
                 embedder: Embedder, chat_model: Any, history: History, settings: Settings,
                 emit: Emit | None = None) -> FeedbackRecord:
    taxonomy = taxonomy_from_text(taxonomy_text)
    classifier = None
    if taxonomy is not None:
        classifier = make_classifier(engine, taxonomy, embedder, chat_model, settings=settings)

    def progress(stage: str, done: int, total: int) -> None:
        if emit is not None:
            message = STAGES.get(stage, stage)
            emit("progress", {"stage": stage, "message": message, "done": done, "total": total})

    # masked once: the history keeps these lines and the pipeline works on them without masking again
    masked = mask_lines(lines, lambda done, total: progress("redact", done, total))
    stored_input = {"lines": list(masked), "taxonomy": taxonomy_text, "source": label}
    run_id = history.start_feedback(stored_input, engine, len(lines))
    try:
        result = classify_opinions(masked, taxonomy=taxonomy, classifier=classifier, embedder=embedder,
                                   progress=progress)
        if chat_model is not None:
            result = suggest_measures(result, chat_model, settings)
    except BaseException:
        history.fail_feedback(run_id)
        raise
    history.save_feedback(run_id, result.model_dump(mode="json"))
    return FeedbackRecord(**result.model_dump(), id=run_id)


def stored_result(history: History, run_id: str) -> tuple[ClassifyResult, Taxonomy | None]:
    stored = history.get_feedback(run_id)
    if stored.result is None:
        raise BadInput.field("id", f"归类记录 {run_id} 尚未完成（状态：{stored.status}）")
    return ClassifyResult.model_validate(stored.result), taxonomy_from_text(stored.input.get("taxonomy"))


@router.post("", response_model=FeedbackRecord, summary="意见归类",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"$ref": "#/components/schemas/FeedbackInput"}},
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "file": {"type": "string", "format": "binary"}, "taxonomy": {"type": "string"},
                     "engine": {"type": "string", "enum": ["auto", "embedded", "llm"]}}}}}}})
async def create_feedback(request: Request, history: HistoryDep, embedder: EmbedderDep,
                          chat_model: ChatModelDep, settings: SettingsDep) -> Any:
    """JSON `{"text": …}` or `{"lines": […]}`, or a .txt/.docx/.xlsx file as multipart field `file`.
    With `Accept: text/event-stream` the answer streams `progress` events, then `result` or `error`."""
    lines, taxonomy_text, engine, label = await read_request(request)
    if not lines:
        raise NoOpinions("text")
    if len(lines) > settings.max_opinions:
        raise TooManyOpinions("text", len(lines), settings.max_opinions)
    taxonomy_from_text(taxonomy_text)

    def work(emit: Emit | None = None) -> FeedbackRecord:
        return run_feedback(lines, taxonomy_text, engine, label, embedder=embedder, chat_model=chat_model,
                            history=history, settings=settings, emit=emit)

    if wants_stream(request):
        return stream_run(work)
    return await run_in_threadpool(work)


@router.get("", response_model=list[FeedbackInfo], summary="归类历史")
def list_feedback(history: HistoryDep) -> list[FeedbackInfo]:
    return history.list_feedback()


@router.get("/{run_id}", response_model=FeedbackRecord, summary="读取一次归类结果")
def get_feedback(run_id: str, history: HistoryDep) -> FeedbackRecord:
    result, _ = stored_result(history, run_id)
    return FeedbackRecord(**result.model_dump(), id=run_id)


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
    result, taxonomy = stored_result(history, run_id)
    moved = move_opinion(result, index, body.theme, taxonomy)
    history.save_feedback(run_id, moved.model_dump(mode="json"))
    return FeedbackRecord(**moved.model_dump(), id=run_id)


@router.get("/{run_id}/xlsx", summary="下载整改清单（Excel）", response_class=Response)
def download_xlsx(run_id: str, history: HistoryDep) -> Response:
    result, _ = stored_result(history, run_id)
    return Response(to_xlsx(result),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": attachment("整改清单.xlsx", f"feedback-{run_id}.xlsx")})


@router.get("/{run_id}/docx", summary="下载整改清单（Word）", response_class=Response)
def download_docx(run_id: str, history: HistoryDep) -> Response:
    result, _ = stored_result(history, run_id)
    return Response(to_docx(result),
                    media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    headers={"Content-Disposition": attachment("整改清单.docx", f"feedback-{run_id}.docx")})


@router.delete("/{run_id}", status_code=204, summary="删除一次归类记录")
def delete_feedback(run_id: str, history: HistoryDep) -> Response:
    history.delete_feedback(run_id)
    return Response(status_code=204)
