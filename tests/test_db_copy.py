"""`drafting db copy`: a unit's SQLite history (drafts, runs, ledgers) moved to a real PostgreSQL server,
read back through the same History and LedgerStore APIs; a target with data refused unless --merge; bad
addresses answered with one line."""

from datetime import date

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from drafting.cli import app
from drafting.config import get_settings
from drafting.feedback.ledger import RowEdit
from drafting.feedback.models import ClassifyResult, ThemeSummary
from drafting.web.db import History, HistoryQuery
from drafting.web.db_copy import TABLES
from drafting.web.db_ledger import LedgerStore
from drafting.web.engine import current_revision
from tests.postgres import postgres_server, postgres_url  # noqa: F401  (fixtures)
from tests.test_db import old_file_with_a_draft

ALL = HistoryQuery(limit=500)


def result_of(counts: dict[str, int]) -> ClassifyResult:
    """A finished classify run whose themes hold the given opinion counts."""
    total = sum(counts.values())
    return ClassifyResult(total=total, unique=total, assignments=[], engine="embedded", themes=[
        ThemeSummary(id=theme, name=f"{theme}问题", count=count, share=count / total,
                     summary=f"{theme}方面的问题", measure=f"整改{theme}", department="办公室")
        for theme, count in counts.items()])


def fill(history: History) -> None:
    """A unit's year on one machine: drafts with versions, a failed one, runs (one edited), two rounds of
    a ledger with rows moved on and the first round closed by the second."""
    for unit in ("城关镇党委", "县人民医院"):
        draft_id = history.start_draft({"unit": unit, "year": 2026}, "template")
        history.add_version(draft_id, {"text": f"{unit}初稿"})
        history.add_version(draft_id, {"text": f"{unit}修改稿"})
    history.fail_draft(history.start_draft({"unit": "县税务局"}, "llm"))
    store = LedgerStore(history)
    for month, label, counts in ((6, "2026年第一季度", {"canteen": 6, "parking": 4}),
                                 (9, "2026年第二季度", {"canteen": 2, "noise": 5})):
        result = result_of(counts)
        lines = {"lines": ["食堂饭菜太贵", "停车难"]}
        run_id = history.start_feedback(lines, "embedded", result.total, "城关镇")
        history.save_feedback(run_id, result.model_dump(mode="json"))
        ledger = store.adopt("城关镇", label, run_id, result)
        row = store.edit(ledger.id, 1, RowEdit(by="张三", version=ledger.rows[0].version,
                                               note=f"{label}已督办", owner=f"负责人{month}"))
        store.edit(ledger.id, 1, RowEdit(by="李四", version=row.version, deadline=date(2026, month, 30)))
    history.change_feedback(run_id, lambda saved: {**saved, "warnings": ["已人工调整"]})
    history.fail_feedback(history.start_feedback({"lines": ["失败的一次"]}, "llm", 1, "县人民医院"))


def everything(url: str) -> dict[str, object]:
    """All a user can read back through the APIs: lists with their times, every version, run and ledger."""
    history = History(url)
    store = LedgerStore(history)
    listed = history.list_drafts(ALL)
    return {
        "drafts": listed,
        "versions": [history.get_draft(d.id, v) for d in listed for v in range(1, d.versions + 1)],
        "latest": [history.get_draft(d.id) for d in listed],
        "runs": history.list_feedback(ALL),
        "stored_runs": [history.get_feedback(r.id) for r in history.list_feedback(ALL)],
        "ledgers": store.page(limit=500),
        "ledger_rows": [store.get(x.id) for x in store.page(limit=500)],
        "changes": [store.changes(x.id) for x in store.page(limit=500)],
    }


def stored_rows(url: str) -> dict[str, list[tuple]]:
    """Every table's rows as stored, in key order."""
    with History(url).engine.connect() as conn:
        return {table.name: [tuple(row) for row in conn.execute(
            select(table).order_by(*table.primary_key.columns))] for table in TABLES}


def copy(*args: str) -> Result:
    return CliRunner().invoke(app, ["db", "copy", *args], prog_name="drafting")


def one_error_line(result: Result, option: str) -> str:
    """The refusal: exit 2, one Chinese line on standard error naming the option, no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"错误：{option}: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def target(request) -> str:
    """A fresh, empty database on the test session's PostgreSQL server."""
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def source() -> str:
    """The configured database (DRAFTING_HOME's SQLite file), filled through the real APIs."""
    url = get_settings().database
    assert url.startswith("sqlite:///")
    fill(History(url))
    return url


def test_copy_to_postgresql_keeps_every_record_id_version_and_time(source, target):
    before = everything(source)
    result = copy("--to", target)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ("已复制稿件3篇、归类记录3次、整改台账2本"
                                     "（稿件版本4个、台账行5行、台账修改记录6条）。")
    assert "复制稿件：3/3" in result.stderr and "复制台账修改记录：6/6" in result.stderr
    assert current_revision(History(target).engine) == "0003"
    after = everything(target)
    assert after == before
    assert [d.versions for d in after["drafts"]] == [0, 2, 2]
    assert stored_rows(target) == stored_rows(source)  # ids too, the change log's integer ones included
    assert sorted(r.version for r in after["stored_runs"]) == [1, 2, 3]  # failed, saved, saved and edited
    # the copied change log's ids were written explicitly: the server's next ones must follow them
    store = LedgerStore(History(target))
    open_round = next(x for x in store.page() if x.closed is None)
    store.edit(open_round.id, 2, RowEdit(by="王五", version=1, state="整改中"))
    assert [c.by for c in store.changes(open_round.id)][-1] == "王五"
    assert len(store.changes(open_round.id)) == len(before["changes"][0]) + 1


def test_a_target_with_data_is_refused_unless_merge_adds_only_what_is_new(source, target):
    assert copy("--to", target).exit_code == 0
    copied = everything(target)
    refused = one_error_line(copy("--to", target), "--to")
    assert "--merge" in refused and "稿件3篇" in refused
    assert everything(target) == copied

    # the replicas go on writing to the server; the old machine took one more draft and a new unit's round
    server = LedgerStore(History(target))
    server.edit(server.page()[0].id, 2, RowEdit(by="王五", version=1, note="已督办"))
    history = History(source)
    extra = history.start_draft({"unit": "县医院"}, "template")
    history.add_version(extra, {"text": "补交的稿件"})
    result = result_of({"queue": 3})
    run_id = history.start_feedback({"lines": ["排队太久"]}, "embedded", 3, "县医院")
    history.save_feedback(run_id, result.model_dump(mode="json"))
    ledger = LedgerStore(history).adopt("县医院", "2026年第二季度", run_id, result)
    LedgerStore(history).edit(ledger.id, 1, RowEdit(by="赵六", version=1, state="整改中"))

    merged = copy("--to", target, "--merge")
    assert merged.exit_code == 0, merged.output
    assert merged.stdout.splitlines() == [
        "已复制稿件1篇、归类记录1次、整改台账1本（稿件版本1个、台账行1行、台账修改记录1条）。",
        "目标中已有、未复制：稿件3篇、归类记录3次、整改台账2本（连同其版本、行和修改记录）。"]
    target_store = LedgerStore(History(target))
    assert target_store.get(ledger.id) == LedgerStore(history).get(ledger.id)
    assert target_store.changes(ledger.id) == LedgerStore(history).changes(ledger.id)
    assert History(target).get_draft(extra).draft == {"text": "补交的稿件"}
    assert History(target).count_drafts() == 4 and target_store.count() == 3
    assert target_store.changes(copied["ledgers"][0].id)[-1].new == "已督办"  # the replicas' edit stays


def test_bad_addresses_answer_one_line_naming_the_option(source, target, tmp_path):
    one_error_line(copy("--to", "not a database address"), "--to")
    assert "只支持" in one_error_line(copy("--to", "mysql://user@host/db"), "--to")
    closed_port = target.rsplit(":", 1)[0] + ":1/nothere"
    assert "无法连接" in one_error_line(copy("--to", closed_port), "--to")
    missing = tmp_path / "missing.sqlite3"
    assert "找不到" in one_error_line(copy("--from", f"sqlite:///{missing}", "--to", target), "--from")
    not_a_database = tmp_path / "notes.sqlite3"
    not_a_database.write_text("这不是数据库" * 200, encoding="utf-8")
    one_error_line(copy("--from", f"sqlite:///{not_a_database}", "--to", target), "--from")
    one_error_line(copy("--to", source), "--to")  # the source itself
    assert History(target).count_drafts() == 0 and not missing.exists()


def test_a_file_of_the_schema_before_alembic_is_upgraded_then_copied(tmp_path, target):
    path = tmp_path / "old.sqlite3"
    old_file_with_a_draft(path, updated="2025-01-02T03:04:06+00:00")
    result = copy("--from", f"sqlite:///{path}", "--to", target)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("源数据库的结构较旧，已先升级")
    copied = History(target).list_drafts()
    assert [(d.id, d.created, d.updated, d.unit, d.versions) for d in copied] == [
        ("d1", "2025-01-02T03:04:05+00:00", "2025-01-02T03:04:06+00:00", "老单位", 1)]
    assert History(target).get_draft("d1").draft == {"text": "旧稿"}
