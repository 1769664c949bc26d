"""The history on SQLite and on a real PostgreSQL server, one suite for both: paging and search, atomic
checked changes, runs a crash left running, and the migration of SQLite files of the pre-Alembic schema."""

import json
import socket
import sqlite3
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, update

from drafting.errors import BadInput, Conflict, NotFound
from drafting.web.db import History, HistoryQuery, drafts, feedback_runs, metadata
from drafting.web.engine import current_revision
from tests.postgres import postgres_server, postgres_url  # noqa: F401  (fixtures)

# The schema the service created before the migrations, as old SQLite files hold it.
OLD_SCHEMA = """
CREATE TABLE drafts (id TEXT PRIMARY KEY, created TEXT NOT NULL, updated TEXT NOT NULL, unit TEXT NOT NULL,
    engine TEXT NOT NULL, status TEXT NOT NULL, facts TEXT NOT NULL);
CREATE TABLE draft_versions (draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    version INTEGER NOT NULL, created TEXT NOT NULL, draft TEXT NOT NULL, PRIMARY KEY (draft_id, version));
CREATE TABLE feedback_runs (id TEXT PRIMARY KEY, created TEXT NOT NULL, updated TEXT NOT NULL,
    engine TEXT NOT NULL, status TEXT NOT NULL, total INTEGER NOT NULL DEFAULT 0, input TEXT NOT NULL,
    result TEXT);
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.sqlite3'}"
    return request.getfixturevalue("postgres_url")


def set_created(history: History, table, key: str, when: str) -> None:
    """Backdate a record (the service stamps the current time)."""
    with history.engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == key).values(created=when, updated=when))


def test_schema_is_the_models_after_migration(url):
    history = History(url)
    assert current_revision(history.engine) == "0003"
    with history.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_drafts_page_and_search_by_unit_and_date(url):
    history = History(url)
    made = {}
    for k, unit in enumerate(["城关镇党委", "县人民医院", "城关镇卫生院", "县税务局", "城关镇党委"]):
        made[k] = history.start_draft({"unit": unit}, "template")
        history.add_version(made[k], {"text": unit})
        set_created(history, drafts, made[k], f"2026-11-{10 + k:02d}T08:00:00+00:00")
    newest_first = [made[k] for k in range(4, -1, -1)]
    assert [d.id for d in history.list_drafts()] == newest_first
    page = history.list_drafts(HistoryQuery(limit=2, offset=2))
    assert [d.id for d in page] == newest_first[2:4] and page[0].versions == 1
    town = HistoryQuery(q="城关镇")
    assert {d.unit for d in history.list_drafts(town)} == {"城关镇党委", "城关镇卫生院"}
    assert history.count_drafts(town) == 3 and history.count_drafts() == 5
    window = HistoryQuery(since="2026-11-11", until="2026-11-13")
    assert [d.id for d in history.list_drafts(window)] == [made[3], made[2], made[1]]
    both = HistoryQuery(q="城关镇", since="2026-11-11", until="2026-11-13")
    assert [d.id for d in history.list_drafts(both)] == [made[2]]
    assert history.count_drafts(HistoryQuery(q="100%_")) == 0  # LIKE wildcards are taken literally


def test_feedback_page_search_and_preview(url):
    history = History(url)
    ids = [history.start_feedback({"lines": [f"第{k}条意见" * 10]}, "embedded", 1, unit)
           for k, unit in enumerate(["城关镇", "县医院", "城关镇"])]
    for k, run_id in enumerate(ids):
        set_created(history, feedback_runs, run_id, f"2026-10-0{k + 1}T09:00:00+00:00")
    listed = history.list_feedback(HistoryQuery(q="城关镇"))
    assert [r.id for r in listed] == [ids[2], ids[0]]
    assert listed[0].preview == ("第2条意见" * 10)[:40] and listed[0].unit == "城关镇"
    assert history.count_feedback(HistoryQuery(until="2026-10-02")) == 2
    assert [r.id for r in history.list_feedback(HistoryQuery(limit=1, offset=1))] == [ids[1]]


def test_concurrent_changes_all_persist_or_are_refused(url):
    history = History(url)
    run_id = history.start_feedback({"lines": ["a"]}, "embedded", 1)
    history.save_feedback(run_id, {"moves": []})
    version = history.get_feedback(run_id).version

    def append(k: int):
        return lambda saved: {"moves": [*saved["moves"], k]}

    outcomes: list[str] = []

    def free(k: int) -> None:
        history.change_feedback(run_id, append(k))

    def checked(k: int) -> None:
        try:
            history.change_feedback(run_id, append(100 + k), expected=version + 10)
            outcomes.append("saved")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=free, args=(k,)) for k in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = history.get_feedback(run_id)
    assert sorted(stored.result["moves"]) == list(range(10)) and stored.version == version + 10

    threads = [threading.Thread(target=checked, args=(k,)) for k in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = history.get_feedback(run_id)
    assert sorted(outcomes) == ["refused"] * 9 + ["saved"]
    assert len(final.result["moves"]) == 11 and final.version == version + 11


def test_runs_left_running_by_a_dead_process_are_interrupted_and_rerun(url):
    history = History(url)
    lost = history.start_feedback({"lines": ["保留的输入"]}, "embedded", 1)
    alive = history.start_feedback({"lines": ["另一进程正在处理"]}, "embedded", 1)
    elsewhere = history.start_draft({"unit": "别处"}, "auto")
    stale = history.start_draft({"unit": "早已失联"}, "auto")
    with history.engine.begin() as conn:
        conn.execute(update(feedback_runs).where(feedback_runs.c.id == lost)
                     .values(worker=f"{history_host()}:{dead_pid()}"))
        conn.execute(update(feedback_runs).where(feedback_runs.c.id == alive)
                     .values(worker=f"{history_host()}:1"))
        conn.execute(update(drafts).where(drafts.c.id == elsewhere).values(worker="other-host:7"))
        conn.execute(update(drafts).where(drafts.c.id == stale)
                     .values(worker="other-host:8", updated="2020-01-01T00:00:00+00:00"))
    restarted = History(url)
    assert restarted.interrupted == 2
    assert restarted.get_feedback(lost).status == "interrupted"
    assert restarted.get_feedback(lost).input["lines"] == ["保留的输入"]
    assert restarted.get_feedback(alive).status == "running"
    assert restarted.get_draft(elsewhere).status == "running"
    assert restarted.get_draft(stale).status == "interrupted"
    assert restarted.restart_feedback(lost).status == "running"
    with pytest.raises(Conflict):
        restarted.restart_feedback(lost)
    with pytest.raises(NotFound):
        restarted.restart_draft("nothere", "auto")


def test_a_change_to_an_unfinished_run_names_the_field(url):
    history = History(url)
    run_id = history.start_feedback({"lines": ["a"]}, "embedded", 1)
    with pytest.raises(BadInput, match="^id: .*尚未完成（状态：进行中）"):
        history.change_feedback(run_id, lambda saved: saved)


def old_file_with_a_draft(path: Path, updated: str = "2025-01-02T03:04:05+00:00") -> None:
    """A SQLite file of the schema before Alembic holding draft d1 (unit 老单位, one version 旧稿)."""
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA)
        conn.execute("INSERT INTO drafts VALUES ('d1', '2025-01-02T03:04:05+00:00', ?, '老单位', 'template', "
                     "'done', ?)", (updated, json.dumps({"unit": "老单位"}, ensure_ascii=False)))
        conn.execute("INSERT INTO draft_versions VALUES ('d1', 1, ?, ?)",
                     (updated, json.dumps({"text": "旧稿"}, ensure_ascii=False)))
    conn.close()


def test_an_old_sqlite_file_is_migrated_with_its_records(tmp_path):
    path = tmp_path / "drafting.sqlite3"
    old_file_with_a_draft(path)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO feedback_runs VALUES ('r1', '2025-01-03T00:00:00+00:00', "
                     "'2025-01-03T00:00:00+00:00', 'embedded', 'done', 2, ?, ?)",
                     (json.dumps({"lines": ["食堂饭菜太贵", "停车难"]}, ensure_ascii=False), json.dumps({})))
        conn.execute("INSERT INTO feedback_runs VALUES ('r2', '2025-01-04T00:00:00+00:00', "
                     "'2025-01-04T00:00:00+00:00', 'embedded', 'running', 1, ?, NULL)",
                     (json.dumps({"lines": ["崩溃前的意见"]}, ensure_ascii=False),))
    conn.close()
    history = History(f"sqlite:///{path}")
    assert current_revision(history.engine) == "0003"
    assert history.get_draft("d1").draft == {"text": "旧稿"}
    listed = [(r.id, r.preview) for r in history.list_feedback()]
    assert listed == [("r2", "崩溃前的意见"), ("r1", "食堂饭菜太贵")]
    assert history.get_feedback("r1").version == 1
    assert history.get_feedback("r2").status == "interrupted"  # the old file names no worker
    # the old DDL differs only where SQLite does not care (TEXT for VARCHAR(n), a nullable TEXT key):
    # every table, column and index of the models is there
    found = inspect(history.engine)
    for table in metadata.tables.values():
        assert {c["name"] for c in found.get_columns(table.name)} == set(table.columns.keys())
        assert {i["name"] for i in found.get_indexes(table.name)} == {i.name for i in table.indexes}


def history_host() -> str:
    return socket.gethostname()


def dead_pid() -> int:
    """A pid no process has: one past the kernel's maximum."""
    with open("/proc/sys/kernel/pid_max", encoding="utf-8") as handle:
        return int(handle.read()) + 1
