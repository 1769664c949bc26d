"""The one place where settings become live parts: embedder, store, retriever, chat model.

The CLI and the service both take their parts from here, and pass them into the stages.
"""

from functools import lru_cache
from typing import TYPE_CHECKING

from drafting.config import get_settings
from drafting.embed import Embedder, make_embedder

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from drafting.corpus.models import Retriever
    from drafting.corpus.store import CorpusStore


@lru_cache
def embedder() -> Embedder:
    return make_embedder(get_settings())


@lru_cache
def store() -> "CorpusStore":
    from drafting.corpus.store import open_store

    return open_store(get_settings(), embedder())


@lru_cache
def retriever() -> "Retriever":
    """One retriever per store: it keeps its keyword index and query vectors between calls."""
    from drafting.corpus.retrieve import HybridRetriever

    return HybridRetriever(store())


def chat_model() -> "BaseChatModel | None":
    """The configured chat model, or None; langchain is only imported when an LLM is configured."""
    settings = get_settings()
    if not settings.llm_enabled:
        return None
    from drafting.llm import make_chat_model

    return make_chat_model(settings)


def reset() -> None:
    """Forget cached parts (tests change DRAFTING_HOME between cases)."""
    get_settings.cache_clear()
    store.cache_clear()
    retriever.cache_clear()
