"""整改措施 written by the LLM for each theme of the rectification list (template measures otherwise).

One request for all listed themes; the reply is parsed line by line (`编号: 措施`), and any theme the
model leaves out, or a reply that cannot be used, keeps its template measure with a warning.
"""

import re
from typing import TYPE_CHECKING

from drafting.errors import LLMUnavailable
from drafting.feedback.models import PRAISE_ID, ClassifyResult
from drafting.templates import render

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from drafting.config import Settings

MAX_MEASURE_CHARS = 160
_LINE = re.compile(r"^\s*(\d{1,3})\s*[:：.、]\s*(.+?)\s*$")


def suggest_measures(result: ClassifyResult, chat_model: "BaseChatModel",
                     settings: "Settings") -> ClassifyResult:
    """The result with the LLM's measure on every listed theme it answered for."""
    from drafting.llm import complete, messages

    listed = [t for t in result.themes if not t.praise and t.id != PRAISE_ID and t.count > 0]
    if not listed:
        return result
    prompt = messages(render("llm/measures_system.j2"), render("llm/measures_user.j2", themes=listed))
    try:
        reply = complete(chat_model, prompt, settings)
    except LLMUnavailable as exc:
        return result.model_copy(update={"warnings": [*result.warnings, f"{exc.message}；整改措施使用模板"]})
    answers: dict[int, str] = {}
    for line in reply.splitlines():
        match = _LINE.match(line)
        if match and 1 <= int(match.group(1)) <= len(listed):
            answers.setdefault(int(match.group(1)), match.group(2)[:MAX_MEASURE_CHARS])
    measures = {listed[k - 1].id: text for k, text in answers.items()}
    themes = [t.model_copy(update={"measure": measures[t.id]}) if t.id in measures else t
              for t in result.themes]
    warnings = list(result.warnings)
    if len(measures) < len(listed):
        warnings.append(f"大模型没有给出 {len(listed) - len(measures)} 个类别的整改措施，这些类别使用模板")
    return result.model_copy(update={"themes": themes, "warnings": warnings})
