"""The one settings object reads the environment by the README's names only."""

from pathlib import Path

from drafting.config import Settings


def test_the_shell_s_home_and_plain_names_configure_nothing(monkeypatch, tmp_path):
    for name in ("DRAFTING_HOME", "DRAFTING_DATABASE_URL", "DRAFTING_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone@elsewhere/db")
    monkeypatch.setenv("API_TOKEN", "x" * 40)
    monkeypatch.chdir(tmp_path)  # no .env here
    settings = Settings()
    assert settings.home == tmp_path / ".local" / "share" / "drafting"
    assert settings.database_url is None and settings.api_token is None


def test_the_readme_s_names_configure_and_code_may_use_field_names(monkeypatch, tmp_path):
    monkeypatch.setenv("DRAFTING_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DRAFTING_LLM_MODEL", "qwen")
    monkeypatch.chdir(tmp_path)
    assert (Settings().home, Settings().llm_model) == (tmp_path / "home", "qwen")
    given = Settings(home=Path("/srv/drafting"), llm_model="other")
    assert (given.home, given.llm_model) == (Path("/srv/drafting"), "other")
