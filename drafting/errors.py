"""One error tree, mapped once to exit codes (cli.py) and once to HTTP statuses (service.py).

Every message is one line of Chinese that a user can act on; input errors name the field.
"""


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


class TooLarge(BadInput):
    """The input is over a configured limit."""

    http_status = 413


class NotFound(DraftingError):
    exit_code = 1
    http_status = 404


class Unauthorized(DraftingError):
    exit_code = 1
    http_status = 401


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
