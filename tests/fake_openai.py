"""pytest fixtures over the fake OpenAI-compatible server (drafting.fake_openai), registered for every test
by `pytest_plugins` in tests/conftest.py: `fake_openai` is the bare server; `fake_openai_env` also points the
settings at it (DRAFTING_LLM_MODEL, OPENAI_BASE_URL, OPENAI_API_KEY, DRAFTING_LLM_TIMEOUT,
DRAFTING_LLM_RETRIES) and calls `drafting.runtime.reset()`; `use_fake_openai(monkeypatch, server, timeout=…,
retries=…)` does the same with other values."""

from collections.abc import Iterator

import pytest

from drafting import runtime
from drafting.fake_openai import FakeOpenAI, serving


@pytest.fixture(name="fake_openai")
def fake_openai_fixture() -> Iterator[FakeOpenAI]:
    """A fresh fake OpenAI server on a free port of 127.0.0.1, running in a thread."""
    with serving() as fake:
        yield fake


def use_fake_openai(monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAI, *, model: str = "fake-chat",
                    timeout: float = 2.0, retries: int = 0) -> None:
    """Point the settings at the fake server (LLM turned on) and drop cached parts."""
    monkeypatch.setenv("DRAFTING_LLM_MODEL", model)
    monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fake-test")
    monkeypatch.setenv("DRAFTING_LLM_TIMEOUT", str(timeout))
    monkeypatch.setenv("DRAFTING_LLM_RETRIES", str(retries))
    runtime.reset()


@pytest.fixture(name="fake_openai_env")
def fake_openai_env_fixture(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    """The fake server with the settings pointed at it: 2 s timeout, no retries."""
    use_fake_openai(monkeypatch, fake_openai)
    return fake_openai
