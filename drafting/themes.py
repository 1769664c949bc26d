"""Theme taxonomies and the classifiers that assign opinions to them (embedded or LLM)."""

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import DEFAULT_TAXONOMY, get_settings
from .errors import VALIDATION_MESSAGES, BadInput, LLMUnavailable, field_path, yaml_place

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from .config import Settings
    from .embed import Embedder

FIELD = "taxonomy"


class Theme(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, description="Stable id, e.g. service")
    name: str = Field(min_length=1, description="Chinese name shown to users, e.g. 服务群众")
    description: str = Field("", description="One sentence: what belongs here")
    examples: list[str] = Field(default_factory=list, description="Labelled example opinions")
    measure: str | None = Field(None, description="Suggested rectification measure for this theme")
    department: str | None = Field(None, description="Suggested responsible department")


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    themes: list[Theme] = Field(min_length=1)
    praise_id: str = Field("praise", description="Theme counted but never listed for rectification")


class Assignment(BaseModel):
    """One opinion's theme: None when no theme scores above the threshold."""

    theme: str | None
    score: float = Field(ge=0.0, le=1.0, description="Calibrated confidence of the theme")



class Classifier(Protocol):
    """Assigns each opinion one theme of the taxonomy (or None) from its text and its embedding row."""

    name: str
    embeds_as: Literal["query", "passage"]
    warnings: list[str]

    def classify(self, texts: list[str], vectors: np.ndarray) -> list[Assignment]: ...


def load_taxonomy(path: Path | str | None) -> Taxonomy:
    """The taxonomy in a YAML file (None: the bundled default); BadInput with one line naming the problem."""
    source = Path(path) if path is not None else DEFAULT_TAXONOMY
    try:
        raw = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput.field(FIELD, f"无法读取文件 {source}（{type(exc).__name__}）") from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise BadInput.field(FIELD, f"不是有效的 YAML（{yaml_place(exc)}有误）") from exc
    return taxonomy_from_data(data)


def taxonomy_from_data(data: Any) -> Taxonomy:
    """Validate already-parsed YAML/JSON data as a taxonomy, with one-line Chinese messages."""
    if not isinstance(data, dict) or "themes" not in data:
        raise BadInput.field(FIELD, "缺少 themes 列表")
    themes = data["themes"]
    if not isinstance(themes, list) or not themes:
        raise BadInput.field(FIELD, "themes 必须是非空列表")
    seen: set[str] = set()
    for k, theme in enumerate(themes, start=1):
        if not isinstance(theme, dict):
            raise BadInput.field(FIELD, f"第 {k} 个主题不是 id/name/description/examples 的映射")
        for key in ("id", "name"):
            value = theme.get(key)
            if value is None or not str(value).strip():
                raise BadInput.field(FIELD, f"第 {k} 个主题缺少 {key}")
            theme[key] = str(value).strip()
        if theme["id"] in seen:
            raise BadInput.field(FIELD, f"主题 id 重复：{theme['id']}")
        seen.add(theme["id"])
        examples = theme.get("examples")
        if examples is not None and not isinstance(examples, list):
            raise BadInput.field(FIELD, f"主题 {theme['id']} 的 examples 必须是列表")
        if examples:
            theme["examples"] = [str(e).strip() for e in examples if e is not None and str(e).strip()]
        if theme.get("description") is None:
            theme.pop("description", None)
    try:
        return Taxonomy.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        problem = VALIDATION_MESSAGES.get(first["type"], "取值不符合要求")
        raise BadInput.field(FIELD, f"{field_path(tuple(first['loc']), 'themes')}：{problem}") from exc


def make_classifier(name: str, taxonomy: Taxonomy, embedder: "Embedder",
                    chat_model: "BaseChatModel | None", *, settings: "Settings | None" = None) -> Classifier:
    """auto: the LLM (falling back to the embedded classifier) when a chat model is given, else embedded."""
    from .classify_embedded import EmbeddedClassifier

    settings = settings or get_settings()
    embedded = EmbeddedClassifier(taxonomy, embedder, cache_dir=settings.home / "classifiers")
    if name == "embedded" or (name == "auto" and chat_model is None):
        return embedded
    if name not in {"auto", "llm"}:
        raise BadInput.field("engine", f"未知的归类引擎 {name}（可选 auto、embedded、llm）")
    if chat_model is None:
        raise LLMUnavailable("未配置大模型（DRAFTING_LLM_MODEL），无法使用 llm 归类引擎")
    from .classify_llm import LLMClassifier

    return LLMClassifier(taxonomy, chat_model, settings, embedded,
                         fall_back=(name == "auto"))
