"""One error tree, mapped once to exit codes (cli.py) and once to HTTP statuses (web/app.py).

Every message is one line of Chinese that a user can act on; input errors name the field.
"""

from typing import Any


class DraftingError(Exception):
    """Any failure the user should see as one line."""

    exit_code = 1
    http_status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadInput(DraftingError):
    """The input is wrong: exit 2, HTTP 422. The message names the field."""

    exit_code = 2
    http_status = 422

    @classmethod
    def field(cls, field: str, problem: str) -> "BadInput":
        return cls(f"{field}: {problem}")


NO_MODEL = "未配置大模型（DRAFTING_LLM_MODEL），不能选用 llm 引擎，请改用 auto"


class TooLarge(BadInput):
    """The input is over a configured limit."""

    http_status = 413


class NoOpinions(BadInput):
    """No opinion could be read from the input: the same line from the CLI, the API and the page."""

    def __init__(self, field: str):
        super().__init__(f"{field}: 没有意见：输入为空")


class TooManyOpinions(TooLarge):
    """More opinion lines than DRAFTING_MAX_OPINIONS: exit 2 from the CLI, HTTP 413 from the API."""

    def __init__(self, field: str, count: int, limit: int):
        super().__init__(f"{field}: 意见过多：{count} 条，上限 {limit} 条")


class NotFound(DraftingError):
    exit_code = 1
    http_status = 404


class Conflict(DraftingError):
    """The record changed since the client read it (a stale version): HTTP 409, read it again."""

    exit_code = 1
    http_status = 409


class LLMUnavailable(DraftingError):
    """The LLM could not be reached or gave no usable answer after the retries."""

    exit_code = 1
    http_status = 502


class StoreUnavailable(DraftingError):
    """The vector store (local or a Chroma server) cannot be used."""

    exit_code = 1
    http_status = 503


def yaml_place(exc: Exception) -> str:
    """Where a YAML parse error lies, for a Chinese message: 第 N 行, or 格式 when the parser does not say."""
    mark = getattr(exc, "problem_mark", None)
    return f"第 {mark.line + 1} 行" if mark is not None else "格式"


# pydantic's error types as short Chinese problems, for messages that name the field.
VALIDATION_MESSAGES = {
    "missing": "必须填写",
    "extra_forbidden": "不认识的字段",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "greater_than_equal": "不能是负数",
    "string_too_short": "不能为空",
}


def field_path(loc: tuple[Any, ...], root: str) -> str:
    """A pydantic error location as a field path: stats[2].value; `root` when the location is empty."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or root
