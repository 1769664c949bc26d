"""The one place a draft engine is chosen: template, llm, or auto (the LLM with the template as fallback)."""

from typing import Any

from drafting.config import get_settings
from drafting.errors import NO_MODEL, BadInput
from drafting.writer.llm_engine import LLMDraftEngine
from drafting.writer.models import DraftEngine
from drafting.writer.template_engine import TemplateEngine


def choose_engine(name: str, chat_model: Any,
                  settings: Any = None) -> DraftEngine:
    """template: the offline engine; llm: the LLM alone; auto: the LLM with the template as fallback."""
    if name == "template" or (name == "auto" and chat_model is None):
        return TemplateEngine()
    if name not in ("auto", "llm"):
        raise BadInput.field("--engine", f"只能是 auto、template 或 llm，不能是 {name}")
    if chat_model is None:
        raise BadInput.field("engine", NO_MODEL)
    return LLMDraftEngine(chat_model, settings or get_settings(),
                          fallback=TemplateEngine() if name == "auto" else None)
