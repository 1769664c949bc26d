"""The history of drafts (with their versions) and feedback runs, on SQLAlchemy 2 Core.

SQLite in DRAFTING_HOME is the embedded default; DRAFTING_DATABASE_URL=postgresql://… puts the history on
a server every replica shares. One schema for both, kept by the Alembic migrations in `migrations/`.
The input is saved before the work starts, so a crash leaves the input and a `running` status behind;
the next start marks such runs 已中断 (`interrupted`), and they can be run again from that input.
Times are UTC ISO 8601 text, which sorts the same on both backends and let the old SQLite files migrate
without rewriting a row.
"""

import json
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from drafting.errors import BadInput, Conflict, NotFound
from drafting.web.engine import make_engine, migrate, write_transaction

Status = Literal["running", "done", "failed", "interrupted"]
STATUS_NAMES = {"running": "进行中", "done": "已完成", "failed": "失败", "interrupted": "已中断"}
# A run another host left `running` for this long is taken as lost (no run is allowed nearly as long).
STALE_AFTER = timedelta(hours=2)
MAX_PAGE = 500

metadata = MetaData()

drafts = Table(
    "drafts", metadata,
    Column("id", String(32), primary_key=True),
    Column("created", String(40), nullable=False),
    Column("updated", String(40), nullable=False),
    Column("unit", Text, nullable=False),
    Column("engine", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("facts", Text, nullable=False),
    Column("worker", String(300), nullable=False, server_default=""),
    Index("ix_drafts_updated", "updated"),
    Index("ix_drafts_unit", "unit"),
)

draft_versions = Table(
    "draft_versions", metadata,
    Column("draft_id", String(32), ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("created", String(40), nullable=False),
    Column("draft", Text, nullable=False),
)

feedback_runs = Table(
    "feedback_runs", metadata,
    Column("id", String(32), primary_key=True),
    Column("created", String(40), nullable=False),
    Column("updated", String(40), nullable=False),
    Column("engine", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("input", Text, nullable=False),
    Column("result", Text),
    Column("unit", Text, nullable=False, server_default=""),
    Column("preview", Text, nullable=False, server_default=""),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("worker", String(300), nullable=False, server_default=""),
    Index("ix_feedback_runs_updated", "updated"),
    Index("ix_feedback_runs_unit", "unit"),
)

ledgers = Table(
    "ledgers", metadata,
    Column("id", String(32), primary_key=True),
    Column("unit", Text, nullable=False),
    Column("round", Integer, nullable=False),
    Column("label", Text, nullable=False),
    Column("run_id", String(32)),
    Column("created", String(40), nullable=False),
    Column("updated", String(40), nullable=False),
    Column("closed", String(40)),
    UniqueConstraint("unit", "round", name="uq_ledgers_unit_round"),
)

ledger_rows = Table(
    "ledger_rows", metadata,
    Column("ledger_id", String(32), ForeignKey("ledgers.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("theme", Text, nullable=False),
    Column("state", String(8), nullable=False),
    Column("version", Integer, nullable=False),
    Column("data", Text, nullable=False),
    Column("updated", String(40), nullable=False),
    Column("updated_by", Text, nullable=False, server_default=""),
)

ledger_changes = Table(
    "ledger_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ledger_id", String(32), ForeignKey("ledgers.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("field", String(32), nullable=False),
    Column("old", Text, nullable=False),
    Column("new", Text, nullable=False),
    Column("by", Text, nullable=False),
    Column("at", String(40), nullable=False),
    Index("ix_ledger_changes_ledger", "ledger_id", "id"),
)


class HistoryQuery(BaseModel):
    """A page of the history: newest first, optionally only one unit's and only within dates."""

    limit: int = Field(50, description="Records on the page, 1 to 500")
    offset: int = Field(0, description="Records skipped before the page, 0 or more")
    q: str | None = Field(None, max_length=200, description="Part of the unit's name (or the run's source)")
    since: date | None = Field(None, description="Created on or after this day (UTC)")
    until: date | None = Field(None, description="Created on or before this day (UTC)")

    @field_validator("limit")
    @classmethod
    def _limit(cls, value: int) -> int:
        if not 1 <= value <= MAX_PAGE:
            raise ValueError(f"每页条数应在 1 到 {MAX_PAGE} 之间")
        return value

    @field_validator("offset")
    @classmethod
    def _offset(cls, value: int) -> int:
        if value < 0:
            raise ValueError("不能是负数")
        return value


class DraftInfo(BaseModel):
    """One line of the draft history."""

    id: str
    created: str = Field(description="UTC time the draft was first written, ISO 8601")
    updated: str = Field(description="UTC time of the latest version")
    unit: str
    engine: str = Field(description="Engine asked for: auto, template or llm")
    status: Status = Field(description="running 进行中, done 已完成, failed 失败, interrupted 已中断")
    versions: int = Field(description="Number of saved versions")


class FeedbackInfo(BaseModel):
    """One line of the feedback-run history."""

    id: str
    created: str
    updated: str
    engine: str
    status: Status = Field(description="running 进行中, done 已完成, failed 失败, interrupted 已中断")
    total: int = Field(description="Opinions in the run")
    preview: str = Field(description="The first opinion, shortened")
    unit: str = Field("", description="The unit whose opinions these are, when given")


class StoredDraft(BaseModel):
    id: str
    facts: dict[str, Any]
    engine: str
    status: Status
    version: int
    versions: int
    draft: dict[str, Any] | None


class StoredFeedback(BaseModel):
    id: str
    created: str
    input: dict[str, Any]
    engine: str
    status: Status
    unit: str
    version: int = Field(description="Bumped by every saved change; a stale one is refused (409)")
    result: dict[str, Any] | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def worker_id() -> str:
    """This process, as host:pid, recorded on the runs it starts."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _lost(worker: str, updated: str) -> bool:
    """A running record whose process is gone: this host's dead (or our own, reused) pid, or too old."""
    if not worker:
        return True  # written before runs named their process: that process is gone
    host, _, pid = worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            return True
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    try:
        when = datetime.fromisoformat(updated)
    except ValueError:
        return True
    return when.replace(tzinfo=when.tzinfo or UTC) < datetime.now(UTC) - STALE_AFTER


def _filters(table: Table, query: HistoryQuery, *search: Any) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.q and query.q.strip():
        conditions.append(or_(*(column.contains(query.q.strip(), autoescape=True) for column in search)))
    if query.since is not None:
        conditions.append(table.c.created >= query.since.isoformat())
    if query.until is not None:
        conditions.append(table.c.created < (query.until + timedelta(days=1)).isoformat())
    return conditions


class History:
    """Drafts and feedback runs in one database (SQLite file or PostgreSQL server)."""

    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = make_engine(url)
        migrate(self.engine)
        self.interrupted = self.recover()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with write_transaction(self.engine) as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def recover(self) -> int:
        """Mark drafts and runs whose process died while they ran as interrupted; how many were."""
        count = 0
        with self._write() as conn:
            for table in (drafts, feedback_runs):
                rows = conn.execute(select(table.c.id, table.c.worker, table.c.updated)
                                    .where(table.c.status == "running")).all()
                lost = [r.id for r in rows if _lost(r.worker, r.updated)]
                if lost:
                    conn.execute(update(table).where(table.c.id.in_(lost))
                                 .values(status="interrupted", updated=_now()))
                count += len(lost)
        return count

    # drafts

    def start_draft(self, facts: dict[str, Any], engine: str) -> str:
        draft_id = uuid.uuid4().hex[:12]
        now = _now()
        with self._write() as conn:
            conn.execute(drafts.insert().values(id=draft_id, created=now, updated=now,
                                                unit=str(facts.get("unit", "")), engine=engine,
                                                status="running", facts=_dumps(facts), worker=worker_id()))
        return draft_id

    def restart_draft(self, draft_id: str, engine: str) -> StoredDraft:
        """An interrupted or failed draft runs again from its kept facts."""
        with self._write() as conn:
            row = self._locked(conn, drafts, draft_id, "稿件")
            if row.status not in ("interrupted", "failed"):
                raise Conflict(f"稿件 {draft_id} 的状态是{STATUS_NAMES[row.status]}，"
                               "只有已中断或失败的稿件可以重新生成")
            conn.execute(update(drafts).where(drafts.c.id == draft_id)
                         .values(status="running", engine=engine, updated=_now(), worker=worker_id()))
        return self.get_draft(draft_id)

    def add_version(self, draft_id: str, draft: dict[str, Any]) -> int:
        """Save a draft as the next version and mark the draft done; returns the version number."""
        now = _now()
        with self._write() as conn:
            self._locked(conn, drafts, draft_id, "稿件")
            version = 1 + int(conn.execute(select(func.coalesce(func.max(draft_versions.c.version), 0))
                                           .where(draft_versions.c.draft_id == draft_id)).scalar_one())
            conn.execute(draft_versions.insert().values(draft_id=draft_id, version=version, created=now,
                                                        draft=_dumps(draft)))
            conn.execute(update(drafts).where(drafts.c.id == draft_id).values(status="done", updated=now))
        return version

    def fail_draft(self, draft_id: str) -> None:
        with self._write() as conn:
            conn.execute(update(drafts).where(drafts.c.id == draft_id)
                         .values(status="failed", updated=_now()))

    def get_draft(self, draft_id: str, version: int | None = None) -> StoredDraft:
        with self._read() as conn:
            row = self._row(conn, drafts, draft_id, "稿件")
            count = int(conn.execute(select(func.count()).select_from(draft_versions)
                                     .where(draft_versions.c.draft_id == draft_id)).scalar_one())
            chosen = select(draft_versions.c.version, draft_versions.c.draft).where(
                draft_versions.c.draft_id == draft_id)
            if version is None:
                found = conn.execute(chosen.order_by(draft_versions.c.version.desc()).limit(1)).first()
            else:
                found = conn.execute(chosen.where(draft_versions.c.version == version)).first()
                if found is None:
                    raise NotFound(f"稿件 {draft_id} 没有第 {version} 版")
        return StoredDraft(id=draft_id, facts=json.loads(row.facts), engine=row.engine, status=row.status,
                           version=int(found.version) if found else 0, versions=count,
                           draft=json.loads(found.draft) if found else None)

    def list_drafts(self, query: HistoryQuery | None = None) -> list[DraftInfo]:
        """One page of drafts, the latest changed first."""
        query = query or HistoryQuery()
        versions = (select(func.count()).select_from(draft_versions)
                    .where(draft_versions.c.draft_id == drafts.c.id).scalar_subquery())
        statement = (select(drafts.c.id, drafts.c.created, drafts.c.updated, drafts.c.unit, drafts.c.engine,
                            drafts.c.status, versions.label("versions"))
                     .where(*_filters(drafts, query, drafts.c.unit))
                     .order_by(drafts.c.updated.desc(), drafts.c.created.desc(), drafts.c.id)
                     .limit(query.limit).offset(query.offset))
        with self._read() as conn:
            rows = conn.execute(statement).all()
        return [DraftInfo.model_validate(r._asdict()) for r in rows]

    def count_drafts(self, query: HistoryQuery | None = None) -> int:
        query = query or HistoryQuery()
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(drafts)
                                    .where(*_filters(drafts, query, drafts.c.unit))).scalar_one())

    def delete_draft(self, draft_id: str) -> None:
        with self._write() as conn:
            self._locked(conn, drafts, draft_id, "稿件")
            conn.execute(draft_versions.delete().where(draft_versions.c.draft_id == draft_id))
            conn.execute(drafts.delete().where(drafts.c.id == draft_id))

    # feedback runs

    def start_feedback(self, input: dict[str, Any], engine: str, total: int, unit: str = "") -> str:
        run_id = uuid.uuid4().hex[:12]
        now = _now()
        lines = input.get("lines") or [""]
        with self._write() as conn:
            conn.execute(feedback_runs.insert().values(
                id=run_id, created=now, updated=now, engine=engine, status="running", total=total,
                input=_dumps(input), result=None, unit=unit, preview=str(lines[0])[:40], version=1,
                worker=worker_id()))
        return run_id

    def restart_feedback(self, run_id: str) -> StoredFeedback:
        """An interrupted or failed run runs again from its kept (masked) input."""
        with self._write() as conn:
            row = self._locked(conn, feedback_runs, run_id, "归类记录")
            if row.status not in ("interrupted", "failed"):
                raise Conflict(f"归类记录 {run_id} 的状态是{STATUS_NAMES[row.status]}，"
                               "只有已中断或失败的记录可以重新归类")
            conn.execute(update(feedback_runs).where(feedback_runs.c.id == run_id)
                         .values(status="running", updated=_now(), worker=worker_id()))
        return self.get_feedback(run_id)

    def save_feedback(self, run_id: str, result: dict[str, Any]) -> None:
        with self._write() as conn:
            self._locked(conn, feedback_runs, run_id, "归类记录")
            conn.execute(update(feedback_runs).where(feedback_runs.c.id == run_id).values(
                status="done", result=_dumps(result), updated=_now(), version=feedback_runs.c.version + 1))

    def change_feedback(self, run_id: str, change: Callable[[dict[str, Any]], dict[str, Any]],
                        expected: int | None = None) -> StoredFeedback:
        """Apply `change` to the saved result in one transaction that holds the row; with `expected`, a
        record changed since that version is refused (Conflict, 409) instead of overwritten."""
        with self._write() as conn:
            row = self._locked(conn, feedback_runs, run_id, "归类记录")
            if row.result is None:
                raise BadInput.field("id", f"归类记录 {run_id} 尚未完成（状态：{STATUS_NAMES[row.status]}）")
            if expected is not None and expected != row.version:
                raise Conflict(f"归类记录 {run_id} 已被他人修改（当前第 {row.version} 版，"
                               f"提交的是第 {expected} 版），请刷新后重试")
            result = change(json.loads(row.result))
            conn.execute(update(feedback_runs).where(feedback_runs.c.id == run_id).values(
                result=_dumps(result), updated=_now(), version=row.version + 1))
        return self.get_feedback(run_id)

    def fail_feedback(self, run_id: str) -> None:
        with self._write() as conn:
            conn.execute(update(feedback_runs).where(feedback_runs.c.id == run_id)
                         .values(status="failed", updated=_now()))

    def get_feedback(self, run_id: str) -> StoredFeedback:
        with self._read() as conn:
            row = self._row(conn, feedback_runs, run_id, "归类记录")
        return StoredFeedback(id=run_id, created=row.created, input=json.loads(row.input), engine=row.engine,
                              status=row.status, unit=row.unit, version=row.version,
                              result=json.loads(row.result) if row.result else None)

    def list_feedback(self, query: HistoryQuery | None = None) -> list[FeedbackInfo]:
        """One page of runs, the latest changed first."""
        query = query or HistoryQuery()
        c = feedback_runs.c
        statement = (select(c.id, c.created, c.updated, c.engine, c.status, c.total, c.preview, c.unit)
                     .where(*_filters(feedback_runs, query, c.unit))
                     .order_by(c.updated.desc(), c.created.desc(), c.id)
                     .limit(query.limit).offset(query.offset))
        with self._read() as conn:
            rows = conn.execute(statement).all()
        return [FeedbackInfo.model_validate(r._asdict()) for r in rows]

    def count_feedback(self, query: HistoryQuery | None = None) -> int:
        query = query or HistoryQuery()
        with self._read() as conn:
            return int(conn.execute(
                select(func.count()).select_from(feedback_runs)
                .where(*_filters(feedback_runs, query, feedback_runs.c.unit))).scalar_one())

    def unit_runs(self, unit: str, before: str | None = None) -> list[StoredFeedback]:
        """The unit's finished runs, oldest first (only those created before `before`, when given)."""
        c = feedback_runs.c
        statement = select(c.id).where(c.unit == unit, c.status == "done").order_by(c.created, c.id)
        if before is not None:
            statement = statement.where(c.created <= before)
        with self._read() as conn:
            ids = [r.id for r in conn.execute(statement).all()]
        return [self.get_feedback(run_id) for run_id in ids]

    def delete_feedback(self, run_id: str) -> None:
        with self._write() as conn:
            self._locked(conn, feedback_runs, run_id, "归类记录")
            conn.execute(feedback_runs.delete().where(feedback_runs.c.id == run_id))

    @staticmethod
    def _row(conn: Connection, table: Table, key: str, what: str) -> Any:
        row = conn.execute(select(table).where(table.c.id == key)).first()
        if row is None:
            raise NotFound(f"找不到{what} {key}")
        return row

    @staticmethod
    def _locked(conn: Connection, table: Table, key: str, what: str) -> Any:
        """The row, held until the transaction ends (FOR UPDATE on PostgreSQL; SQLite's write lock)."""
        row = conn.execute(select(table).where(table.c.id == key).with_for_update()).first()
        if row is None:
            raise NotFound(f"找不到{what} {key}")
        return row


@lru_cache(maxsize=8)
def open_history(url: str) -> History:
    """One History a database (migrated and recovered once a process); a service has one, tests a few."""
    return History(url)
