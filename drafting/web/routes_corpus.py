"""/api/corpus: upload past summaries, list, delete and search them."""

import numpy as np
from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import UploadFile

from drafting.corpus.load import MAX_DOCUMENT_CHARS, read_upload, split_chunks
from drafting.corpus.models import AddReport, Document, DocumentInfo, Passage
from drafting.corpus.store import CorpusStore, embedding_text
from drafting.errors import BadInput, TooLarge
from drafting.web.deps import RetrieverDep, SettingsDep, StoreDep
from drafting.web.limits import Stop, run_bounded

router = APIRouter(prefix="/api/corpus", tags=["语料库"])
MAX_UPLOAD_FILES = 20
MAX_UPLOAD_CHARS = 4 * MAX_DOCUMENT_CHARS  # what one request may ask to embed
EMBED_STEP = 16  # chunks embedded between two checks that the client is still there


@router.post("", response_model=AddReport, summary="上传过去的工作总结（.txt .md .docx .pdf，可多个）",
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "type": "object", "properties": {"files": {
                     "type": "array", "items": {"type": "string", "format": "binary"}}}}}}}})
async def upload(request: Request, store: StoreDep, settings: SettingsDep) -> AddReport:
    """Multipart field `files` (one or more). Every file is checked before anything is written; the
    embedding stops when the client leaves or DRAFTING_REQUEST_TIMEOUT passes."""
    form = await request.form()
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not uploads:
        raise BadInput.field("files", "没有收到文件")
    if len(uploads) > MAX_UPLOAD_FILES:
        raise TooLarge.field("files", f"文件过多（{len(uploads)} 个，一次最多 {MAX_UPLOAD_FILES} 个）")
    files = [(item.filename or "", await item.read()) for item in uploads]

    def add(stop: Stop) -> AddReport:
        documents = [read_upload(name, data, settings.max_file_bytes) for name, data in files]
        if sum(len(doc.text) for doc in documents) > MAX_UPLOAD_CHARS:
            raise TooLarge.field("files", f"文字过多（一次最多 {MAX_UPLOAD_CHARS} 字），请分批上传")
        return store.add_documents(documents, known_vectors=embed_new(store, documents, stop))

    return await run_bounded(request, add)


def embed_new(store: CorpusStore, documents: list[Document], stop: Stop) -> dict[str, np.ndarray]:
    """Vectors of the new documents' chunks, a few at a time so the work can stop between steps."""
    stored = {info.id for info in store.list_documents()}
    chunks = [chunk for doc in documents if doc.id not in stored for chunk in split_chunks(doc)]
    vectors: dict[str, np.ndarray] = {}
    for start in range(0, len(chunks), EMBED_STEP):
        stop.check()
        step = chunks[start:start + EMBED_STEP]
        vectors.update(zip((c.id for c in step), store.embedder.passages([embedding_text(c) for c in step]),
                           strict=True))
    return vectors


@router.get("", response_model=list[DocumentInfo], summary="语料库中的文档")
def list_documents(store: StoreDep) -> list[DocumentInfo]:
    return store.list_documents()


@router.delete("/{doc_id}", status_code=204, summary="从语料库删除一篇文档（此后起草不再参考它）",
               responses={404: {"description": "没有这篇文档"}})
def delete_document(doc_id: str, store: StoreDep) -> Response:
    store.delete_document(doc_id)
    return Response(status_code=204)


@router.get("/search", response_model=list[Passage], summary="检索语料库")
def search(retriever: RetrieverDep, q: str = Query(min_length=1, description="检索词"),
           k: int = Query(5, ge=1, le=50, description="返回条数")) -> list[Passage]:
    return retriever.search(q, k)
