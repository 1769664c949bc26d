"""The database connection: a SQLAlchemy engine for SQLite or PostgreSQL, migrated by Alembic at start.

SQLite write transactions begin IMMEDIATE, so two writers queue on the file's lock instead of one failing
after it has read; PostgreSQL writers hold the rows they change (SELECT … FOR UPDATE). Migrations run
under a lock (an advisory lock on PostgreSQL, the file's write lock on SQLite), so replicas and workers
that start together migrate once.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url

from drafting.errors import BadInput

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The schema every SQLite file had before the migrations: files without alembic_version are stamped so.
BASELINE = "0001"
MIGRATION_LOCK = 7_140_014  # any fixed number: the key of PostgreSQL's advisory lock for migrations


def database_url(url: str, field: str = "DRAFTING_DATABASE_URL") -> URL:
    """`sqlite:///path` or `postgresql://…` parsed; anything else is BadInput naming where it was given."""
    try:
        parsed = make_url(url)
    except Exception:
        raise BadInput.field(field, "不是有效的数据库地址") from None
    if parsed.get_backend_name() not in ("postgresql", "sqlite"):
        raise BadInput.field(field, "只支持 postgresql:// 或 sqlite:/// 开头的地址")
    return parsed


def make_engine(url: str, field: str = "DRAFTING_DATABASE_URL") -> Engine:
    """An engine for `sqlite:///path` or `postgresql://…` (driven by psycopg 3)."""
    parsed = database_url(url, field)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True)
    if parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: committed at the end, rolled back on an exception."""
    with engine.execution_options(write=True).begin() as conn:
        yield conn


def alembic_config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision, stamping a pre-Alembic SQLite file as the baseline."""
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config = alembic_config(conn)
        tables = set(inspect(conn).get_table_names())
        if "drafts" in tables and "alembic_version" not in tables:
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None before any migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
