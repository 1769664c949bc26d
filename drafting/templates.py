"""Rendering of the jinja2 templates in prompts/: strict, so a missing value is an error, never blank text."""

from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from drafting.config import PROMPTS_DIR


@lru_cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(PROMPTS_DIR)),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context: Any) -> str:
    """Render prompts/<name> with the given values."""
    return environment().get_template(name).render(**context).strip()
