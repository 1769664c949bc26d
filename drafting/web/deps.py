"""The live parts every route takes, as FastAPI dependencies (tests override them with recording fakes)."""

from typing import Annotated, Any

from fastapi import Depends

from drafting import runtime
from drafting.config import Settings, get_settings
from drafting.corpus.models import Retriever
from drafting.corpus.store import CorpusStore
from drafting.embed import Embedder
from drafting.web.db import History, open_history


def settings() -> Settings:
    return get_settings()


def history() -> History:
    return open_history(get_settings().database_path)


def embedder() -> Embedder:
    return runtime.embedder()


def retriever() -> Retriever:
    return runtime.retriever()


def store() -> CorpusStore:
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
