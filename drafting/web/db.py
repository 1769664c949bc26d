"""SQLite history of drafts (with their versions) and feedback runs.

One short connection per call (the service runs handlers on a thread pool), WAL mode, every write in
one transaction. The input is saved before the work starts, so a crash mid-request leaves the input
and a `running` status behind rather than nothing.
"""

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from drafting.errors import NotFound

Status = Literal["running", "done", "failed"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    unit TEXT NOT NULL,
    engine TEXT NOT NULL,
    status TEXT NOT NULL,
    facts TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS draft_versions (
    draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    created TEXT NOT NULL,
    draft TEXT NOT NULL,
    PRIMARY KEY (draft_id, version)
);
CREATE TABLE IF NOT EXISTS feedback_runs (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    engine TEXT NOT NULL,
    status TEXT NOT NULL,
    total INTEGER NOT NULL DEFAULT 0,
    input TEXT NOT NULL,
    result TEXT
);
"""


class DraftInfo(BaseModel):
    """One line of the draft history."""

    id: str
    created: str = Field(description="UTC time the draft was first written, ISO 8601")
    updated: str = Field(description="UTC time of the latest version")
    unit: str
    engine: str = Field(description="Engine asked for: auto, template or llm")
    status: Status
    versions: int = Field(description="Number of saved versions")


class FeedbackInfo(BaseModel):
    """One line of the feedback-run history."""

    id: str
    created: str
    updated: str
    engine: str
    status: Status
    total: int = Field(description="Opinions in the run")
    preview: str = Field(description="The first opinion, shortened")


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
    input: dict[str, Any]
    engine: str
    status: Status
    result: dict[str, Any] | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class History:
    """Drafts and feedback runs in one SQLite file."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    # drafts

    def start_draft(self, facts: dict[str, Any], engine: str) -> str:
        draft_id = uuid.uuid4().hex[:12]
        now = _now()
        with self._connect() as conn:
            conn.execute("INSERT INTO drafts VALUES (?, ?, ?, ?, ?, 'running', ?)",
                         (draft_id, now, now, str(facts.get("unit", "")), engine, _dumps(facts)))
        return draft_id

    def add_version(self, draft_id: str, draft: dict[str, Any]) -> int:
        """Save a draft as the next version and mark the draft done; returns the version number."""
        now = _now()
        with self._connect() as conn:
            self._draft_row(conn, draft_id)
            row = conn.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM draft_versions WHERE draft_id = ?",
                               (draft_id,)).fetchone()
            version = int(row[0])
            conn.execute("INSERT INTO draft_versions VALUES (?, ?, ?, ?)",
                         (draft_id, version, now, _dumps(draft)))
            conn.execute("UPDATE drafts SET status = 'done', updated = ? WHERE id = ?", (now, draft_id))
        return version

    def fail_draft(self, draft_id: str) -> None:
        with self._connect() as conn:
            conn.execute("UPDATE drafts SET status = 'failed', updated = ? WHERE id = ?", (_now(), draft_id))

    def get_draft(self, draft_id: str, version: int | None = None) -> StoredDraft:
        with self._connect() as conn:
            row = self._draft_row(conn, draft_id)
            count = int(conn.execute("SELECT COUNT(*) FROM draft_versions WHERE draft_id = ?",
                                     (draft_id,)).fetchone()[0])
            if version is None:
                found = conn.execute("SELECT version, draft FROM draft_versions WHERE draft_id = ? "
                                     "ORDER BY version DESC LIMIT 1", (draft_id,)).fetchone()
            else:
                found = conn.execute("SELECT version, draft FROM draft_versions "
                                     "WHERE draft_id = ? AND version = ?", (draft_id, version)).fetchone()
                if found is None:
                    raise NotFound(f"稿件 {draft_id} 没有第 {version} 版")
        return StoredDraft(id=draft_id, facts=json.loads(row["facts"]), engine=row["engine"],
                           status=row["status"],
                           version=int(found["version"]) if found else 0, versions=count,
                           draft=json.loads(found["draft"]) if found else None)

    def list_drafts(self, limit: int = 200) -> list[DraftInfo]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT d.*, (SELECT COUNT(*) FROM draft_versions v WHERE v.draft_id = d.id) AS versions "
                "FROM drafts d ORDER BY d.updated DESC, d.created DESC LIMIT ?", (limit,)).fetchall()
        return [DraftInfo(id=r["id"], created=r["created"], updated=r["updated"], unit=r["unit"],
                          engine=r["engine"], status=r["status"], versions=r["versions"]) for r in rows]

    def delete_draft(self, draft_id: str) -> None:
        with self._connect() as conn:
            self._draft_row(conn, draft_id)
            conn.execute("DELETE FROM draft_versions WHERE draft_id = ?", (draft_id,))
            conn.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))

    @staticmethod
    def _draft_row(conn: sqlite3.Connection, draft_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        if row is None:
            raise NotFound(f"找不到稿件 {draft_id}")
        return row

    # feedback runs

    def start_feedback(self, input: dict[str, Any], engine: str, total: int) -> str:
        run_id = uuid.uuid4().hex[:12]
        now = _now()
        with self._connect() as conn:
            conn.execute("INSERT INTO feedback_runs VALUES (?, ?, ?, ?, 'running', ?, ?, NULL)",
                         (run_id, now, now, engine, total, _dumps(input)))
        return run_id

    def save_feedback(self, run_id: str, result: dict[str, Any]) -> None:
        with self._connect() as conn:
            self._feedback_row(conn, run_id)
            conn.execute("UPDATE feedback_runs SET status = 'done', result = ?, updated = ? WHERE id = ?",
                         (_dumps(result), _now(), run_id))

    def fail_feedback(self, run_id: str) -> None:
        with self._connect() as conn:
            conn.execute("UPDATE feedback_runs SET status = 'failed', updated = ? WHERE id = ?",
                         (_now(), run_id))

    def get_feedback(self, run_id: str) -> StoredFeedback:
        with self._connect() as conn:
            row = self._feedback_row(conn, run_id)
        return StoredFeedback(id=run_id, input=json.loads(row["input"]), engine=row["engine"],
                              status=row["status"],
                              result=json.loads(row["result"]) if row["result"] else None)

    def list_feedback(self, limit: int = 200) -> list[FeedbackInfo]:
        with self._connect() as conn:
            rows = conn.execute("SELECT id, created, updated, engine, status, total, input "
                                "FROM feedback_runs ORDER BY updated DESC, created DESC LIMIT ?",
                                (limit,)).fetchall()
        infos = []
        for r in rows:
            lines = json.loads(r["input"]).get("lines") or [""]
            infos.append(FeedbackInfo(id=r["id"], created=r["created"], updated=r["updated"],
                                      engine=r["engine"], status=r["status"], total=r["total"],
                                      preview=lines[0][:40]))
        return infos

    def delete_feedback(self, run_id: str) -> None:
        with self._connect() as conn:
            self._feedback_row(conn, run_id)
            conn.execute("DELETE FROM feedback_runs WHERE id = ?", (run_id,))

    @staticmethod
    def _feedback_row(conn: sqlite3.Connection, run_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM feedback_runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise NotFound(f"找不到归类记录 {run_id}")
        return row


@lru_cache
def open_history(path: Path) -> History:
    """One History a database file (the schema is created once)."""
    return History(path)
