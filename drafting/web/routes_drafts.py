"""/api/drafts: write a draft from facts, keep its versions, edit it, download it as Word."""

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from drafting.corpus.models import Retriever
from drafting.embed import Embedder
from drafting.errors import BadInput
from drafting.web.db import DraftInfo, History, HistoryQuery
from drafting.web.deps import ChatModelDep, EmbedderDep, HistoryDep, RetrieverDep
from drafting.web.downloads import DOCX, office_file
from drafting.web.stream import Emit, stream_run, wants_stream
from drafting.writer.engines import choose_engine
from drafting.writer.facts import Facts, facts_from_text
from drafting.writer.models import Draft, DraftEngine, Exemplars, Section
from drafting.writer.pipeline import write_draft
from drafting.writer.render import to_docx, to_markdown
from drafting.writer.verify import verify

router = APIRouter(prefix="/api/drafts", tags=["起草"])

EngineName = Literal["auto", "template", "llm"]
EngineQuery = Annotated[EngineName, Query(description="auto、template 或 llm")]
VersionQuery = Annotated[int | None, Query(ge=1, description="版本号；不填为最新版本")]
HEADING = re.compile(r"^[一二三四五六七八九十]+、")


class DraftRecord(Draft):
    """A saved draft: the draft JSON of `drafting draft --format json`, plus where it is kept."""

    id: str = Field(description="Draft id in the history")
    version: int = Field(description="Version number, 1 for the engine's draft, then one per saved edit")
    versions: int = Field(description="How many versions are saved")
    facts: Facts = Field(description="The facts the draft was written from")


class EditedText(BaseModel):
    """An edited draft text to save as a new version."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="The whole draft as plain text, title first")


class StreamingEngine:
    """Wraps an engine so the text it writes, and the moment it starts, reach the page."""

    def __init__(self, inner: DraftEngine, emit: Emit):
        self.inner = inner
        self.name = inner.name
        self.emit = emit

    def write(self, facts: Facts, exemplars: Exemplars, on_text: Any = None) -> Draft:
        found = len(exemplars.sources())
        self.emit("progress", {"stage": "write", "message": f"已检索到 {found} 个范文片段，正在撰写"})
        return self.inner.write(facts, exemplars, on_text=lambda chunk: self.emit("text", {"text": chunk}))


def facts_from_body(body: bytes) -> Facts:
    """Facts from a JSON or YAML request body, with the CLI's one-line message on bad input."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput.field("facts", "请求内容不是 UTF-8 文本") from None
    if not text.strip():
        raise BadInput.field("facts", "请求内容为空")
    return facts_from_text(text, "facts")


def record(history: History, draft_id: str, version: int | None = None) -> DraftRecord:
    stored = history.get_draft(draft_id, version)
    if stored.draft is None:
        raise BadInput.field("id", f"稿件 {draft_id} 尚未写成（状态：{stored.status}）")
    return DraftRecord(**stored.draft, id=draft_id, version=stored.version, versions=stored.versions,
                       facts=Facts.model_validate(stored.facts))


def edited_draft(old: Draft, facts: Facts, text: str) -> Draft:
    """The old draft with a new text: sections re-read from the text's headings, verification redone."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    title = old.title
    if lines and lines[0].lstrip("# ") == old.title:
        lines = lines[1:]
    elif lines and not HEADING.match(lines[0]) and len(lines[0]) <= 60:
        title = lines.pop(0).lstrip("# ")
    for tail in (old.date_text, old.unit):
        if tail and lines and lines[-1] == tail:
            lines.pop()
    sections = [Section(heading="", items=[])]
    for line in lines:
        if HEADING.match(line.lstrip("# ")):
            sections.append(Section(heading=line.lstrip("# "), items=[]))
        else:
            sections[-1].items.append(line)
    if not sections[0].items:
        sections.pop(0)
    draft = old.model_copy(update={"title": title, "text": text.strip(), "sections": sections,
                                   "verification": verify(facts, text)})
    return draft.model_copy(update={"markdown": to_markdown(draft)})


def run_draft(facts: Facts, engine: DraftEngine, retriever: Retriever, history: History,
              engine_name: str, emit: Emit | None = None, *, embedder: Embedder | None = None) -> DraftRecord:
    draft_id = history.start_draft(facts.model_dump(mode="json"), engine_name)
    return write_into(draft_id, facts, engine, retriever, history, emit, embedder=embedder)


def write_into(draft_id: str, facts: Facts, engine: DraftEngine, retriever: Retriever, history: History,
               emit: Emit | None = None, *, embedder: Embedder | None = None) -> DraftRecord:
    """Write the started draft `draft_id` and save it as its next version, or mark it failed."""
    try:
        if emit is not None:
            emit("progress", {"stage": "retrieve", "message": "正在检索范文"})
            engine = StreamingEngine(engine, emit)
        draft = write_draft(facts, retriever=retriever, engine=engine, embedder=embedder)
    except BaseException:
        history.fail_draft(draft_id)
        raise
    history.add_version(draft_id, draft.model_dump(mode="json"))
    return record(history, draft_id)


@router.post("", response_model=DraftRecord, summary="由事实起草一篇工作总结",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"$ref": "#/components/schemas/Facts"}},
                 "application/yaml": {"schema": {"type": "string"}}}}})
async def create_draft(request: Request, history: HistoryDep, retriever: RetrieverDep, embedder: EmbedderDep,
                       chat_model: ChatModelDep, engine: EngineQuery = "auto") -> Any:
    """Facts as JSON (or YAML) in the body. With `Accept: text/event-stream` the answer is a stream of
    `progress` and `text` events, then `result` (the record) or `error`."""
    facts = facts_from_body(await request.body())
    chosen = choose_engine(engine, chat_model)
    if wants_stream(request):
        return stream_run(lambda emit: run_draft(facts, chosen, retriever, history, engine, emit,
                                                 embedder=embedder))
    return await run_in_threadpool(run_draft, facts, chosen, retriever, history, engine, embedder=embedder)


@router.post("/{draft_id}/rerun", response_model=DraftRecord,
             summary="从保存的事实重新生成（已中断或失败的稿件）")
async def rerun_draft(draft_id: str, request: Request, history: HistoryDep, retriever: RetrieverDep,
                      embedder: EmbedderDep, chat_model: ChatModelDep, engine: EngineQuery = "auto") -> Any:
    """The draft keeps its id and its facts; streams like POST /api/drafts. Running or written drafts
    answer 409."""
    chosen = choose_engine(engine, chat_model)
    facts = Facts.model_validate(history.restart_draft(draft_id, engine).facts)
    if wants_stream(request):
        return stream_run(lambda emit: write_into(draft_id, facts, chosen, retriever, history, emit,
                                                  embedder=embedder))
    return await run_in_threadpool(write_into, draft_id, facts, chosen, retriever, history, embedder=embedder)


@router.get("", response_model=list[DraftInfo], summary="稿件历史（分页，可按单位和日期查找）")
def list_drafts(history: HistoryDep, response: Response,
                query: Annotated[HistoryQuery, Query()]) -> list[DraftInfo]:
    """Newest changed first; `X-Total-Count` holds how many match the search in all."""
    response.headers["X-Total-Count"] = str(history.count_drafts(query))
    return history.list_drafts(query)


@router.get("/{draft_id}", response_model=DraftRecord, summary="读取一篇稿件（默认最新版本）")
def get_draft(draft_id: str, history: HistoryDep,
              version: VersionQuery = None) -> DraftRecord:
    return record(history, draft_id, version)


@router.get("/{draft_id}/facts", response_model=Facts, summary="读取稿件的事实（含未写成的稿件）")
def get_facts(draft_id: str, history: HistoryDep) -> Facts:
    return Facts.model_validate(history.get_draft(draft_id).facts)


@router.put("/{draft_id}", response_model=DraftRecord, summary="保存修改后的正文为新版本（重新核验）")
def save_version(draft_id: str, body: EditedText, history: HistoryDep) -> DraftRecord:
    current = record(history, draft_id)
    draft = edited_draft(Draft.model_validate(current.model_dump(include=set(Draft.model_fields))),
                         current.facts, body.text)
    history.add_version(draft_id, draft.model_dump(mode="json"))
    return record(history, draft_id)


@router.get("/{draft_id}/docx", summary="下载 Word 文档", response_class=Response,
            responses={200: {"content": {DOCX: {}}}})
def download_docx(draft_id: str, history: HistoryDep,
                  version: VersionQuery = None) -> Response:
    current = record(history, draft_id, version)
    data = to_docx(Draft.model_validate(current.model_dump(include=set(Draft.model_fields))))
    return office_file(data, f"{current.title}.docx", f"draft-{draft_id}.docx")


@router.delete("/{draft_id}", status_code=204, summary="删除稿件及其全部版本")
def delete_draft(draft_id: str, history: HistoryDep) -> Response:
    history.delete_draft(draft_id)
    return Response(status_code=204)

