"""Theme taxonomies and the classifiers that assign opinions to them (embedded or LLM)."""

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from drafting.config import DEFAULT_TAXONOMY
from drafting.errors import VALIDATION_MESSAGES, BadInput, field_path, yaml_place
from drafting.feedback.models import Taxonomy, Theme

FIELD = "taxonomy"
SECTOR_FIELD = "sector"
SECTOR_DIR = Path(__file__).resolve().parent / "taxonomies"
DEFAULT_SECTOR = "party"
# A sector is detected when its cue words are in at least this share of the lines, and in more lines than
# the next sector's by SECTOR_MARGIN; otherwise the party-building default stays.
SECTOR_MIN_SHARE = 0.12
SECTOR_MARGIN = 1.3


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
        examples = _with_keywords(theme, examples)
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


def _with_keywords(theme: dict[str, Any], examples: list | None) -> list | None:
    """`keywords:` (words that mark the theme, as organisers often list them) are read as short examples."""
    keywords = theme.pop("keywords", None)
    if keywords is None:
        return examples
    if not isinstance(keywords, list):
        raise BadInput.field(FIELD, f"主题 {theme['id']} 的 keywords 必须是列表")
    theme["examples"] = [*(examples or []), *keywords]
    return theme["examples"]


@lru_cache
def sectors() -> dict[str, dict[str, Any]]:
    """The sector index (taxonomies/sectors.yaml): id -> file, 领域 names and cue words."""
    with open(SECTOR_DIR / "sectors.yaml", encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle))


def sector_choices() -> list[str]:
    """The 领域 a person picks from, one name a sector (党建 for the default)."""
    return [entry["names"][0] for entry in sectors().values()]


def sector_id(name: str) -> str:
    """The sector id of an id or a 领域 name (医院, 街道社区…); BadInput naming the choices otherwise."""
    wanted = name.strip()
    for key, entry in sectors().items():
        if wanted == key or wanted in entry["names"]:
            return key
    choices = "、".join(entry["names"][0] for entry in sectors().values())
    raise BadInput.field(SECTOR_FIELD, f"未知的领域“{wanted}”（可选 {choices}，或不填由意见识别）")


def detect_sector(lines: Sequence[str]) -> str:
    """The sector whose cue words the most lines use, when clearly ahead; else the party-building default."""
    hits = {key: sum(any(cue in line for cue in entry["cues"]) for line in lines)
            for key, entry in sectors().items()}
    ranked = sorted(hits.items(), key=lambda kv: -kv[1])
    (best, most), (_, second) = ranked[0], ranked[1]
    if most < max(2, SECTOR_MIN_SHARE * len(lines)) or most < SECTOR_MARGIN * second:
        return DEFAULT_SECTOR
    return best


def sector_taxonomy(sector: str | None, lines: Sequence[str] = ()) -> Taxonomy:
    """The bundled taxonomy of a sector (an id or a 领域 name), or of the one detected from `lines` when
    `sector` is None or empty; the party-building default for 党建 and when nothing stands out."""
    key = sector_id(sector) if sector and sector.strip() else detect_sector(lines)
    return _sector_taxonomy(key).model_copy(deep=True)


@lru_cache
def _sector_taxonomy(key: str) -> Taxonomy:
    entry = sectors()[key]
    taxonomy = load_taxonomy(SECTOR_DIR / entry["file"] if entry["file"] else None)
    return taxonomy.model_copy(update={"sector": entry["names"][0]})


def choose_taxonomy(path: Path | str | None, sector: str | None, lines: Sequence[str]) -> Taxonomy:
    """The user's taxonomy file when given, else the sector's (given, or detected from the opinions)."""
    return load_taxonomy(path) if path is not None else sector_taxonomy(sector, lines)


def sector_themes(taxonomy: Taxonomy | None, lines: Sequence[str]) -> tuple[Theme, ...]:
    """The themes of the unit's sector (the taxonomy's own when it is a sector taxonomy, else the sector
    detected from the opinions; none for the party-building default), praise left out: they name
    discovered themes and lend their actions and departments to themes that have none."""
    chosen: Taxonomy | None = taxonomy
    if taxonomy is None or taxonomy.sector is None:
        key = detect_sector(lines)
        chosen = _sector_taxonomy(key) if sectors()[key]["file"] else None
    return tuple(t for t in chosen.themes if t.id != chosen.praise_id) if chosen is not None else ()
