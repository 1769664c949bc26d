"""Theme taxonomies and the classifiers that assign opinions to them (embedded or LLM)."""

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from drafting.config import DEFAULT_TAXONOMY
from drafting.errors import VALIDATION_MESSAGES, BadInput, field_path, yaml_place
from drafting.feedback.models import Taxonomy

if TYPE_CHECKING:

    pass

FIELD = "taxonomy"


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


