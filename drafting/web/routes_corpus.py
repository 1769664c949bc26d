"""/api/corpus: upload past summaries, list them, search them."""

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from drafting.corpus.load import read_upload
from drafting.corpus.models import AddReport, DocumentInfo, Passage
from drafting.errors import BadInput
from drafting.web.deps import RetrieverDep, SettingsDep, StoreDep

router = APIRouter(prefix="/api/corpus", tags=["语料库"])


@router.post("", response_model=AddReport, summary="上传过去的工作总结（.txt .md .docx .pdf，可多个）",
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "type": "object", "properties": {"files": {
                     "type": "array", "items": {"type": "string", "format": "binary"}}}}}}}})
async def upload(request: Request, store: StoreDep, settings: SettingsDep) -> AddReport:
    """Multipart field `files` (one or more). Every file is checked before anything is written."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise BadInput.field("files", "请以 multipart/form-data 上传文件")
    form = await request.form()
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not uploads:
        raise BadInput.field("files", "没有收到文件")
    files = [(item.filename or "", await item.read()) for item in uploads]

    def add() -> AddReport:
        return store.add_documents([read_upload(name, data, settings.max_file_bytes) for name, data in files])

    return await run_in_threadpool(add)


@router.get("", response_model=list[DocumentInfo], summary="语料库中的文档")
def list_documents(store: StoreDep) -> list[DocumentInfo]:
    return store.list_documents()


@router.get("/search", response_model=list[Passage], summary="检索语料库")
def search(retriever: RetrieverDep, q: str = Query(min_length=1, description="检索词"),
           k: int = Query(5, ge=1, le=50, description="返回条数")) -> list[Passage]:
    return retriever.search(q, k)
