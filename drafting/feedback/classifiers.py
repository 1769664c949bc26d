"""The one place a classifier is chosen: embedded, llm, or auto (the LLM, the embedded one as fallback)."""

from typing import TYPE_CHECKING

from drafting.config import get_settings
from drafting.errors import NO_MODEL, BadInput
from drafting.feedback.classify_embedded import EmbeddedClassifier
from drafting.feedback.classify_llm import LLMClassifier
from drafting.feedback.models import Classifier, Taxonomy

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from drafting.config import Settings
    from drafting.embed import Embedder


def make_classifier(name: str, taxonomy: Taxonomy, embedder: "Embedder",
                    chat_model: "BaseChatModel | None", *, settings: "Settings | None" = None) -> Classifier:
    """auto: the LLM (falling back to the embedded classifier) when a chat model is given, else embedded."""
    settings = settings or get_settings()
    embedded = EmbeddedClassifier(taxonomy, embedder, cache_dir=settings.home / "classifiers")
    if name == "embedded" or (name == "auto" and chat_model is None):
        return embedded
    if name not in {"auto", "llm"}:
        raise BadInput.field("engine", f"未知的归类引擎 {name}（可选 auto、embedded、llm）")
    if chat_model is None:
        raise BadInput.field("engine", NO_MODEL)
    return LLMClassifier(taxonomy, chat_model, settings, embedded,
                         fall_back=(name == "auto"))
