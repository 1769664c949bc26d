"""The live parts every route takes, as FastAPI dependencies (tests override them with recording fakes)."""

import threading
from typing import Annotated, Any

from fastapi import Depends

from drafting import runtime
from drafting.config import Settings, get_settings
from drafting.corpus.models import Retriever
from drafting.corpus.store import CorpusStore
from drafting.embed import Embedder
from drafting.web.db import History, open_history

# Routes run in many threads; the first requests after a start would otherwise each load the embedder and
# open the chroma store at once (20 concurrent clients got 503 "无法打开本地向量库" from that race).
_OPENING = threading.Lock()


def settings() -> Settings:
    return get_settings()


def history() -> History:
    return open_history(get_settings().database)


def embedder() -> Embedder:
    with _OPENING:
        return runtime.embedder()


def retriever() -> Retriever:
    with _OPENING:
        return runtime.retriever()


def store() -> CorpusStore:
    with _OPENING:
        return runtime.store()


def chat_model() -> Any:
    """The configured chat model, or None when no LLM is set up."""
    if not get_settings().llm_enabled:
        return None
    return runtime.chat_model()


SettingsDep = Annotated[Settings, Depends(settings)]
HistoryDep = Annotated[History, Depends(history)]
EmbedderDep = Annotated[Embedder, Depends(embedder)]
RetrieverDep = Annotated[Retriever, Depends(retriever)]
StoreDep = Annotated[CorpusStore, Depends(store)]
ChatModelDep = Annotated[Any, Depends(chat_model)]
