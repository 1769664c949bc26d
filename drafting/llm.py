"""The one place a chat model is made, and the one way to call it (bounded retries, LLMUnavailable)."""

import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import SecretStr

from drafting.config import Settings
from drafting.errors import LLMUnavailable

# Servers that need no key (a local vLLM, Ollama, llama.cpp) still get one: the openai client insists on it.
_PLACEHOLDER_KEY = "not-needed"
_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL)


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """A chat model on the configured OpenAI-compatible endpoint; None when DRAFTING_LLM_MODEL is unset."""
    if not settings.llm_model:
        return None
    from langchain_openai import ChatOpenAI

    key = settings.openai_api_key or SecretStr(_PLACEHOLDER_KEY)
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.openai_base_url,
        api_key=key,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_retries,
    )


def messages(system: str, user: str) -> list[BaseMessage]:
    """A system instruction and one user turn, both already rendered from prompts/."""
    return [SystemMessage(content=system), HumanMessage(content=user)]


def describe_failure(exc: BaseException, settings: Settings) -> str:
    """One line of Chinese saying what went wrong with the LLM call."""
    if isinstance(exc, openai.APITimeoutError):
        return f"请求超时（{settings.llm_timeout:g} 秒）"
    if isinstance(exc, openai.AuthenticationError):
        return "密钥无效或缺失（OPENAI_API_KEY）"
    if isinstance(exc, openai.NotFoundError):
        return f"服务找不到模型或接口（{settings.llm_model}）"
    if isinstance(exc, openai.APIStatusError):
        return f"服务返回错误 HTTP {exc.status_code}"
    if isinstance(exc, openai.APIConnectionError):
        return f"无法连接服务（{settings.openai_base_url or 'OpenAI 默认地址'}）"
    if isinstance(exc, LLMUnavailable):
        return exc.message
    return f"返回内容无法解析（{type(exc).__name__}）"


def _transport_retried(exc: BaseException) -> bool:
    """Failures the openai client has already retried itself (max_retries) and that would fail again."""
    return isinstance(exc, (openai.APIStatusError, openai.APIConnectionError))


class Budget:
    """The LLM time one run (a draft, a classify run) may spend in all: settings.llm_budget seconds."""

    def __init__(self, settings: Settings) -> None:
        self.seconds = settings.llm_budget
        self.ends = time.monotonic() + settings.llm_budget
        self._timeout = settings.llm_timeout
        self._share = settings.llm_retries + 1  # the client may retry a timed-out request itself

    @property
    def spent(self) -> bool:
        return time.monotonic() >= self.ends

    def failure(self) -> LLMUnavailable:
        return LLMUnavailable(f"大模型不可用：超过总时限（{self.seconds:g} 秒）")

    def request_timeout(self) -> float:
        """The timeout for the next request, so that it and the client's own retries end in time."""
        left = self.ends - time.monotonic()
        if left <= 0:
            raise self.failure()
        return min(self._timeout, left / self._share)


def clean_reply(text: str) -> str:
    """Drop reasoning blocks some models print before the answer, and surrounding blank space."""
    return _THINKING.sub("", text).strip()


def complete(chat_model: BaseChatModel, prompt: Sequence[BaseMessage], settings: Settings, *,
             on_text: Callable[[str], None] | None = None, budget: Budget | None = None) -> str:
    """The model's reply as text, retried up to settings.llm_retries times on garbage or empty output.

    With `on_text`, the reply is streamed and every piece is passed on as it arrives; a reply that breaks
    off after text was passed on is not retried (the listener cannot take text back). With `budget`, no
    request outlasts what is left of it.
    Any failure ends as LLMUnavailable with a one-line Chinese reason.
    """
    last: BaseException = LLMUnavailable("返回了空内容")
    for _ in range(settings.llm_retries + 1):
        emitted = False
        options: dict[str, Any] = {} if budget is None else {"timeout": budget.request_timeout()}
        try:
            if on_text is None:
                text = str(chat_model.invoke(list(prompt), **options).text)
            else:
                pieces = []
                for chunk in chat_model.stream(list(prompt), **options):
                    piece = str(chunk.text)
                    if piece:
                        pieces.append(piece)
                        emitted = True
                        on_text(piece)
                text = "".join(pieces)
        except Exception as exc:  # noqa: BLE001 - every client or parse failure becomes LLMUnavailable
            last = exc
            if budget is not None and budget.spent:
                raise budget.failure() from exc
            if _transport_retried(exc) or emitted:
                break
            continue
        text = clean_reply(text)
        if text:
            return text
        last = LLMUnavailable("返回了空内容")
    raise LLMUnavailable(f"大模型不可用：{describe_failure(last, settings)}") from last
