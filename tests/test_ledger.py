"""The ledger's rules as pure functions: adoption across rounds, state changes, reports, round comparison."""

import json
from datetime import date

import pytest
from click.testing import CliRunner

from drafting.cli import app
from drafting.config import get_settings
from drafting.errors import BadInput, Conflict
from drafting.feedback.ledger import (
    Ledger,
    LedgerRow,
    RowEdit,
    adopt,
    apply_edit,
    compare_rounds,
    report,
)
from drafting.feedback.models import AssignedOpinion, ClassifyResult, ThemeSummary
from drafting.web.db import History
from drafting.web.db_ledger import LedgerStore
from drafting.workflow.facts_from_run import facts_from_run
from drafting.writer.engines import choose_engine
from drafting.writer.facts import MAX_ITEM_CHARS, load_facts
from drafting.writer.pipeline import write_draft

AT = "2026-12-02T08:00:00+00:00"


def run(counts: dict[str, int], unassigned: int = 0, praise: int = 0) -> ClassifyResult:
    """A run whose themes have the given opinion counts (and some without a theme, some praise)."""
    total = sum(counts.values()) + unassigned + praise
    themes = [ThemeSummary(id=theme, name=f"{theme}问题", count=count, share=count / total,
                           summary=f"{theme}方面的问题", measure=f"整改{theme}", department="办公室")
              for theme, count in counts.items()]
    if praise:
        themes.append(ThemeSummary(id="praise", name="肯定与无意见", count=praise, share=praise / total,
                                   praise=True))
    assignments = [AssignedOpinion(line=k, text=f"意见{k}", theme=None, score=0.0) for k in range(unassigned)]
    return ClassifyResult(total=total, unique=total, themes=themes, assignments=assignments,
                          engine="embedded")


def ledger(rows: list[LedgerRow], round_: int = 1, closed: str | None = None) -> Ledger:
    return Ledger(id=f"l{round_}", unit="城关镇", round=round_, label=f"第{round_}轮", created=AT,
                  closed=closed, rows=rows)


def advance(row: LedgerRow, **fields) -> LedgerRow:
    updated, _ = apply_edit(row, RowEdit(by="李四", version=row.version, **fields), AT)
    return updated


def close(row: LedgerRow) -> LedgerRow:
    for state in ("整改中", "待验收"):
        row = advance(row, state=state)
    return advance(row, state="已销号", reviewer="王五", reviewed=date(2026, 12, 1))


def test_adoption_orders_by_size_leaves_praise_out_and_adds_other():
    rows = adopt(run({"canteen": 5, "parking": 9}, unassigned=2, praise=4), "2026年第一季度", [])
    assert [(r.number, r.theme, r.opinions, r.origin) for r in rows] == [
        (1, "parking", 9, "new"), (2, "canteen", 5, "new"), (3, "other", 2, "new")]
    assert rows[0].source == "2026年第一季度评议·parking问题"
    assert rows[0].description == "parking方面的问题" and rows[0].measure == "整改parking"
    assert all(r.state == "待整改" and r.version == 1 for r in rows)


def test_state_rules_and_who_and_when():
    row = adopt(run({"canteen": 3}), "第1轮", [])[0]
    with pytest.raises(BadInput, match="^state: 不能从待整改改为已销号"):
        advance(row, state="已销号", reviewer="王五", reviewed=date(2026, 12, 1))
    with pytest.raises(BadInput, match="^state: 不能从待整改改为待验收"):
        advance(row, state="待验收")
    working, changes = apply_edit(row, RowEdit(by="张三", version=1, state="整改中", owner="赵六"), AT)
    assert working.version == 2
    assert {(c.field, c.old, c.new, c.by, c.at) for c in changes} == {
        ("state", "待整改", "整改中", "张三", AT), ("owner", "", "赵六", "张三", AT)}
    checking = advance(working, state="待验收")
    assert advance(checking, state="整改中").state == "整改中"  # 验收不通过: back to work
    with pytest.raises(BadInput, match="^reviewer: 销号须填写复查人和复查日期"):
        advance(checking, state="已销号", reviewer="王五")
    with pytest.raises(BadInput, match="^reviewer"):
        advance(checking, state="已销号", reviewer="  ", reviewed=date(2026, 12, 1))
    done = advance(checking, state="已销号", reviewer="王五", reviewed=date(2026, 12, 1))
    assert done.state == "已销号"
    with pytest.raises(BadInput, match="已销号，不能再修改"):
        advance(done, note="补充说明")


def test_a_stale_version_is_a_conflict_and_nothing_changed_keeps_the_version():
    row = adopt(run({"canteen": 3}), "第1轮", [])[0]
    edited = advance(row, measure="新措施")
    with pytest.raises(Conflict):
        apply_edit(edited, RowEdit(by="张三", version=1, measure="另一措施"), AT)
    same, changes = apply_edit(edited, RowEdit(by="张三", version=2, measure="新措施"), AT)
    assert changes == [] and same.version == 2
    cleared, changes = apply_edit(advance(edited, deadline=date(2026, 12, 31)),
                                  RowEdit(by="张三", version=3, deadline=None, measure=None), AT)
    assert cleared.deadline is None and cleared.measure == "新措施"
    assert [c.field for c in changes] == ["deadline"]


def test_report_lists_and_sentence():
    first = adopt(run({"a": 5, "b": 4, "c": 3, "d": 2}), "第1轮", [])
    first[0] = close(first[0])
    first[1] = advance(first[1], kind="长期坚持")
    second = adopt(run({"a": 1, "e": 6}), "第2轮", [ledger(first)])
    by_theme = {r.theme: r for r in second}
    assert by_theme["b"].origin == "carried" and by_theme["b"].kind == "长期坚持"
    assert by_theme["a"].origin == "returned" and by_theme["e"].origin == "new"
    second = [close(r) if r.theme == "c" else r for r in second]
    lists = report(ledger(second, round_=2))
    assert {r.theme for r in lists.new} == {"a", "e"}
    assert {r.theme for r in lists.ongoing} == {"b", "d"}
    assert {r.theme for r in lists.closed} == {"c"}
    assert lists.sentence == "共梳理问题5项，已整改销号1项，正在整改3项，其余纳入长期整改。"
    plain = report(ledger(adopt(run({"x": 1}), "第1轮", [])))
    assert plain.sentence == "共梳理问题1项，已整改销号0项，正在整改1项。"


def test_rounds_compared_per_theme_with_flags():
    first = adopt(run({"canteen": 8, "parking": 5, "window": 4}), "第1轮", [])
    first = [close(r) if r.theme in {"canteen", "parking"} else r for r in first]
    second_run = run({"canteen": 9, "parking": 2, "window": 1, "noise": 3})
    compared = compare_rounds("城关镇", second_run, run({"canteen": 8, "parking": 5, "window": 4}),
                              [ledger(first)], "run1")
    change = {t.theme: t for t in compared.themes}
    assert (change["canteen"].before, change["canteen"].after, change["canteen"].change) == (8, 9, 1)
    assert change["canteen"].not_falling and change["canteen"].came_back
    assert not change["parking"].not_falling and change["parking"].came_back
    assert change["parking"].change == -3
    assert not change["window"].closed_before and not change["window"].came_back
    assert (change["noise"].before, change["noise"].after) == (0, 3)
    assert compared.previous_label == "第1轮" and compared.previous_run == "run1"
    assert [t.theme for t in compared.themes][0] == "canteen"  # largest now first


def test_facts_from_feedback_on_the_command_line(tmp_path, drafting_home):
    """`drafting facts --from-feedback` from a classify JSON file and from a run in the history: the YAML
    names what the writer must add, validates, and drafts with every figure verified."""
    result = run({"canteen": 6, "parking": 4}, unassigned=1, praise=2)
    result.themes[0].measure = "一是调整菜价；二是增加菜品；明确责任人和完成时限"
    saved = tmp_path / "run.json"
    saved.write_text(result.model_dump_json(), encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(app, ["facts", "--from-feedback", str(saved), "--unit", "城关镇",
                              "--date", "2026-12-02"])
    assert out.exit_code == 0, out.output
    assert "#   appraisal:" in out.output and "#   highlights:" in out.output
    facts = load_facts(out.output)
    assert (facts.unit, facts.date) == ("城关镇", date(2026, 12, 2))
    assert [(s.label, s.value) for s in facts.stats][:3] == [("征集群众意见", "13"), ("参与评议群众", "1"),
                                                            ("反映canteen问题方面的意见", "6")]
    assert facts.next_steps[0] == "针对canteen问题方面的问题，调整菜价，增加菜品，明确责任人和完成时限"
    draft = write_draft(facts, retriever=None, engine=choose_engine("template", None))
    assert draft.verification.ok, draft.verification

    nameless = runner.invoke(app, ["facts", "--from-feedback", str(saved)])
    assert nameless.exit_code == 2 and "unit" in nameless.output

    history = History(get_settings().database)
    run_id = history.start_feedback({"lines": ["食堂太贵"]}, "embedded", 13, "县医院")
    history.save_feedback(run_id, result.model_dump(mode="json"))
    LedgerStore(history).adopt("县医院", "第一轮", run_id, result)
    stored = runner.invoke(app, ["facts", "--from-feedback", run_id, "--format", "json"])
    assert stored.exit_code == 0, stored.output
    made = json.loads(stored.output)
    assert made["facts"]["unit"] == "县医院"
    assert {"label": "梳理问题", "value": "3", "unit": "项"} in made["facts"]["stats"]
    assert made["facts"].get("carried", []) == []
    assert runner.invoke(app, ["facts", "--from-feedback", "nothere"]).exit_code == 1

    later = run({"canteen": 2, "parking": 5})
    next_id = history.start_feedback({"lines": ["食堂太贵"]}, "embedded", 7, "县医院")
    history.save_feedback(next_id, later.model_dump(mode="json"))
    carried = json.loads(runner.invoke(app, ["facts", "--from-feedback", next_id, "--format", "json"]).output)
    rows = {row["problem"]: row for row in carried["facts"]["carried"]}
    assert len(rows) == 3  # last round's ledger, row by row, with each theme's count then and now
    assert sorted((row["opinions_before"], row["opinions_now"]) for row in rows.values()) == [
        (1, 0), (4, 5), (6, 2)]  # 其他 (one opinion, none now), parking, canteen


def test_long_measures_are_cut_at_a_clause_within_the_facts_bounds():
    result = run({"canteen": 3})
    result.themes[0].measure = "；".join(f"第{k}项措施落实到位" for k in range(60))
    made = facts_from_run(result, run_id="r1", unit="城关镇", on=date(2026, 12, 2))
    step = made.facts.next_steps[0]
    assert len(step) <= MAX_ITEM_CHARS and step.endswith("落实到位")
    with pytest.raises(BadInput, match="60"):  # a BadInput naming the bound, not a 500
        facts_from_run(result, run_id="r1", unit="城" * 61)
