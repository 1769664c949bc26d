"""Feedback runs through the API: classify, history, move an opinion, exports, uploads, bad input, delete."""

import io
import json
import sqlite3
import threading
from datetime import date
from pathlib import Path

import docx
import openpyxl
from sqlalchemy import update

from drafting.config import get_settings
from drafting.feedback.taxonomy import detect_sector
from drafting.web.db import feedback_runs, open_history
from tests.test_ledger import run

from .conftest import CONCERNS, OPINIONS, seed_run


def classify(client, **body):
    answer = client.post("/api/feedback", json={"text": OPINIONS, **body})
    assert answer.status_code == 200, answer.text
    return answer.json()


def counts(record) -> dict[str, int]:
    return {t["id"]: t["count"] for t in record["themes"]}


def test_classify_move_export_delete(client):
    """One run with the default taxonomy (the embedded classifier is the slow part), checked end to end."""
    record = classify(client)
    check_round_trip(client, record)
    check_move_updates_counts_shares_and_exports(client, record)
    check_moves_are_checked(client, record)
    check_concurrent_moves_persist_or_are_refused(client, record)
    assert client.delete(f"/api/feedback/{record['id']}").status_code == 204
    assert client.get(f"/api/feedback/{record['id']}").status_code == 404
    assert client.get(f"/api/feedback/{record['id']}/xlsx").status_code == 404
    assert client.get("/api/feedback").json() == []


def check_round_trip(client, record):
    assert record["total"] == 8
    assert sum(t["count"] for t in record["themes"]) + sum(
        1 for a in record["assignments"] if a["theme"] is None) == record["total"]
    theme_of = {a["text"]: a["theme"] for a in record["assignments"]}
    assert theme_of["承诺书签完就放抽屉里了，年底也没人问兑现了多少。"] == "commitment"
    assert theme_of["学习基本上就是读文件、念报纸，大家坐着听，效果一般。"] == "study"
    assert client.get(f"/api/feedback/{record['id']}").json() == record
    listed = client.get("/api/feedback").json()
    assert [r["id"] for r in listed] == [record["id"]] and listed[0]["total"] == 8
    choices = {t["id"] for t in client.get(f"/api/feedback/{record['id']}/themes").json()}
    assert {"study", "commitment", "member_development", "praise"} <= choices


def check_move_updates_counts_shares_and_exports(client, record):
    index = next(i for i, a in enumerate(record["assignments"]) if a["theme"] == "study")
    moved_text = record["assignments"][index]["text"]
    before = counts(record)
    answer = client.patch(f"/api/feedback/{record['id']}/assignments/{index}", json={"theme": "commitment"})
    assert answer.status_code == 200, answer.text
    after = answer.json()
    assert counts(after)["study"] == before["study"] - 1
    assert counts(after)["commitment"] == before["commitment"] + 1
    share = {t["id"]: t["share"] for t in after["themes"]}
    assert abs(share["commitment"] - counts(after)["commitment"] / after["total"]) < 1e-3
    assert after["assignments"][index]["theme"] == "commitment"
    assert client.get(f"/api/feedback/{record['id']}").json() == after

    sheet = client.get(f"/api/feedback/{record['id']}/xlsx")
    assert sheet.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert moved_text in cells
    commitment_name = next(t["name"] for t in after["themes"] if t["id"] == "commitment")
    rows = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    assert any(commitment_name in row and counts(after)["commitment"] in row for row in rows), rows

    word = client.get(f"/api/feedback/{record['id']}/docx")
    assert word.status_code == 200
    document = docx.Document(io.BytesIO(word.content))
    listed = document.tables[0]  # the list, not the appendix 意见明细
    table_text = " ".join(c.text for row in listed.rows for c in row.cells)
    assert commitment_name in table_text

    unassign = client.patch(f"/api/feedback/{record['id']}/assignments/{index}", json={"theme": None})
    assert counts(unassign.json())["commitment"] == before["commitment"]


def check_moves_are_checked(client, record):
    unknown = client.patch(f"/api/feedback/{record['id']}/assignments/0", json={"theme": "nope"})
    assert unknown.status_code == 422 and unknown.json()["detail"].startswith("theme")
    far = client.patch(f"/api/feedback/{record['id']}/assignments/999", json={"theme": "study"})
    assert far.status_code == 422 and far.json()["detail"].startswith("index")
    negative = client.patch(f"/api/feedback/{record['id']}/assignments/-1", json={"theme": "study"})
    assert negative.status_code == 422 and negative.json()["detail"].startswith("index")
    missing = client.patch("/api/feedback/nothere/assignments/0", json={"theme": "study"})
    assert missing.status_code == 404


def check_concurrent_moves_persist_or_are_refused(client, record):
    """10 moves at once without a version all persist; 10 moves made on one version: one wins, 9 hear 409."""
    url = f"/api/feedback/{record['id']}/assignments"
    indexes = list(range(len(record["assignments"])))
    answers: list[int] = []

    def move(index: int, **extra) -> None:
        answers.append(client.patch(f"{url}/{index}", json={"theme": "commitment", **extra}).status_code)

    threads = [threading.Thread(target=move, args=(i,)) for i in indexes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * len(indexes)
    after = client.get(f"/api/feedback/{record['id']}").json()
    assert all(a["theme"] == "commitment" for a in after["assignments"])
    assert counts(after)["commitment"] == len(indexes)

    answers.clear()
    version = after["version"]
    threads = [threading.Thread(target=move, args=(k % len(indexes),), kwargs={"version": version})
               for k in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200] + [409] * 9
    assert client.get(f"/api/feedback/{record['id']}").json()["version"] == version + 1
    stale = client.patch(f"{url}/0", json={"theme": "study", "version": version})
    assert stale.status_code == 409 and "请刷新后重试" in stale.json()["detail"]


def test_history_pages_and_searches_by_unit(client):
    seed_run(get_settings().database, "城关镇", run({"canteen": 1}))
    seed_run(get_settings().database, "县医院", run({"canteen": 1}))
    body = {"lines": ["食堂饭菜太贵"], "taxonomy": "none", "unit": "城关镇"}
    made = client.post("/api/feedback", json=body)
    assert made.status_code == 200 and made.json()["unit"] == "城关镇"
    everything = client.get("/api/feedback")
    assert everything.headers["x-total-count"] == "3" and len(everything.json()) == 3
    town = client.get("/api/feedback", params={"q": "城关", "limit": 1, "offset": 1})
    assert town.headers["x-total-count"] == "2" and [r["unit"] for r in town.json()] == ["城关镇"]
    assert town.json()[0]["id"] == everything.json()[2]["id"]
    today = client.get("/api/feedback", params={"since": date.today().isoformat()}).headers["x-total-count"]
    assert today == "3"
    assert client.get("/api/feedback", params={"until": "2000-01-01"}).json() == []
    bad = client.get("/api/feedback", params={"limit": 501})
    assert bad.status_code == 422 and "每页条数应在 1 到 500 之间" in bad.json()["detail"]


def test_an_interrupted_run_is_rerun_from_its_kept_input(client, drafting_home):
    history = open_history(get_settings().database)
    lines = [line for line in CONCERNS.splitlines() if line]
    kept = {"lines": lines, "taxonomy": "none", "source": "粘贴"}
    run_id = history.start_feedback(kept, "auto", len(lines), "城关镇")
    with history.engine.begin() as conn:  # as a process on another host, lost hours ago, leaves it
        conn.execute(update(feedback_runs).where(feedback_runs.c.id == run_id)
                     .values(worker="gone-host:1", updated="2020-01-01T00:00:00+00:00"))
    open_history.cache_clear()
    listed = client.get("/api/feedback").json()
    assert [(r["id"], r["status"]) for r in listed] == [(run_id, "interrupted")]
    unfinished = client.get(f"/api/feedback/{run_id}")
    assert unfinished.status_code == 422 and "已中断" in unfinished.json()["detail"]
    rerun = client.post(f"/api/feedback/{run_id}/rerun")
    assert rerun.status_code == 200, rerun.text
    assert rerun.json()["id"] == run_id and rerun.json()["total"] == len(lines)
    assert client.get("/api/feedback").json()[0]["status"] == "done"
    again = client.post(f"/api/feedback/{run_id}/rerun")
    assert again.status_code == 409 and "已完成" in again.json()["detail"]


def test_lines_upload_and_no_taxonomy(client, drafting_home):
    lines = [line for line in CONCERNS.splitlines() if line]
    by_lines = client.post("/api/feedback", json={"lines": lines, "taxonomy": "none"})
    assert by_lines.status_code == 200, by_lines.text
    assert by_lines.json()["total"] == len(lines)
    found = [t for t in by_lines.json()["themes"] if t["discovered"]]
    assert len(found) >= 2 and any("食堂" in t["name"] for t in found)

    text_file = ("意见.txt", CONCERNS.encode(), "text/plain")
    upload = client.post("/api/feedback", files={"file": text_file}, data={"taxonomy": "none"})
    assert upload.status_code == 200, upload.text
    assert upload.json()["total"] == len(lines)

    book = openpyxl.Workbook()
    for line in lines:
        book.active.append([line])
    data = io.BytesIO()
    book.save(data)
    sheet_file = ("意见.xlsx", data.getvalue(), "application/octet-stream")
    xlsx = client.post("/api/feedback", files={"file": sheet_file}, data={"taxonomy": "none"})
    assert xlsx.status_code == 200, xlsx.text
    assert xlsx.json()["total"] == len(lines)


def test_personal_data_is_masked_in_the_answer_and_the_database(client, drafting_home):
    record = classify(client, text="我是张三，电话13812345678，学习总是念文件，希望多开展实践活动\n",
                      taxonomy="none")
    assert "13812345678" not in json.dumps(record, ensure_ascii=False)
    stored = database_text(drafting_home)
    assert "13812345678" not in stored and "张三" not in stored and "张**" in stored


def database_text(home: Path) -> str:
    """Every stored run's input, result and preview, read through SQLite itself (its WAL included)."""
    with sqlite3.connect(home / "drafting.sqlite3") as conn:
        rows = conn.execute("SELECT input, coalesce(result, ''), preview FROM feedback_runs").fetchall()
    return "\n".join(cell for row in rows for cell in row)


def test_an_uploaded_file_s_name_is_masked_before_it_is_stored(client, drafting_home):
    named = ("李建国反映的意见.txt", "食堂饭菜太贵，希望降价\n".encode(), "text/plain")
    assert client.post("/api/feedback", files={"file": named}, data={"taxonomy": "none"}).status_code == 200
    stored = database_text(drafting_home)
    assert "李**反映的意见.txt" in stored and "李建国" not in stored


def test_bad_input_names_the_field(client):
    for body, field in [({"text": ""}, "text"), ({"text": "  \n "}, "text"),
                        ({"text": "有意见", "lines": ["有意见"]}, "text"),
                        ({"text": "有意见", "colour": 1}, "colour"),
                        ({"text": "有意见", "engine": "gpt"}, "engine"),
                        ({"lines": "不是列表"}, "lines"),
                        ({"text": "有意见", "taxonomy": "themes: 3"}, "taxonomy")]:
        answer = client.post("/api/feedback", json=body)
        assert answer.status_code == 422, (body, answer.text)
        detail = answer.json()["detail"]
        assert detail.startswith(field) and "\n" not in detail, (body, detail)
    broken = client.post("/api/feedback", content=b"{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 422
    bad_file = client.post("/api/feedback", files={"file": ("意见.pdf", b"%PDF-1.4", "application/pdf")})
    assert bad_file.status_code == 422


def test_streamed_run_reports_progress(client):
    with client.stream("POST", "/api/feedback", json={"text": CONCERNS, "taxonomy": "none"},
                       headers={"Accept": "text/event-stream"}) as answer:
        body = answer.read().decode("utf-8")
    names = [line[7:] for line in body.splitlines() if line.startswith("event: ")]
    assert "progress" in names and names[-1] == "result"
    stages = {json.loads(line[6:])["stage"] for line in body.splitlines()
              if line.startswith("data: ") and '"stage"' in line}
    assert {"embed", "discover"} <= stages


def test_a_themes_measure_and_department_are_edited_and_used(client, database):
    run_id = seed_run(database, "城关镇", run({"canteen": 8, "parking": 5}, praise=2))
    version = client.get(f"/api/feedback/{run_id}").json()["version"]
    path = f"/api/feedback/{run_id}/themes"
    edited = client.patch(f"{path}/canteen", json={"measure": " 增设售卖窗口，菜价每周公示 ",
                                                     "department": "后勤保障科", "version": version})
    assert edited.status_code == 200, edited.text
    themes = {t["id"]: (t["measure"], t["department"]) for t in edited.json()["themes"]}
    assert themes["canteen"] == ("增设售卖窗口，菜价每周公示", "后勤保障科")
    assert themes["parking"] == ("整改parking", "办公室")
    assert edited.json()["version"] == version + 1
    cleared = client.patch(f"{path}/parking", json={"department": ""}).json()
    assert {t["id"]: t["department"] for t in cleared["themes"]}["parking"] == ""

    stale = client.patch(f"{path}/canteen", json={"measure": "另一措施", "version": version})
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    for body, field in (({"measure": "   "}, "measure"), ({"measure": "长" * 2001}, "measure"),
                        ({"department": "部" * 101}, "department"), ({}, "measure"),
                        ({"measure": "x", "owner": "张三"}, "owner")):
        bad = client.patch(f"{path}/canteen", json=body)
        assert bad.status_code == 422 and bad.json()["detail"].startswith(f"{field}: "), (body, bad.text)
    praise = client.patch(f"{path}/praise", json={"measure": "表扬"})
    assert praise.status_code == 422 and praise.json()["detail"].startswith("theme: ")
    assert client.patch(f"{path}/nothere", json={"measure": "x"}).status_code == 404

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/feedback/{run_id}/xlsx").content))
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert any("增设售卖窗口，菜价每周公示" in c for c in cells) and "后勤保障科" in cells
    document = docx.Document(io.BytesIO(client.get(f"/api/feedback/{run_id}/docx").content))
    text = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert any("增设售卖窗口，菜价每周公示" in c for c in text)
    ledger = client.post("/api/ledgers", json={"run_id": run_id, "label": "第一轮"}).json()
    canteen = next(r for r in ledger["rows"] if r["theme"] == "canteen")
    assert (canteen["measure"], canteen["department"]) == ("增设售卖窗口，菜价每周公示", "后勤保障科")


NEXT_ROUND = """不要只局限于理论学习，多开展一些实践性活动。
学习基本上就是读文件、念报纸，大家坐着听，效果一般。
建议多组织参观红色教育基地，比在会议室里学更有感触。
学习形式单一，每次都是念文件，希望换换方式。
理论学习太多，实践活动太少，建议多到基层走走。
有些党员的承诺写得很空，像口号，没法检查完成没有。
满意
没有意见
"""


def test_a_units_next_round_is_grouped_like_its_last(client, database):
    """Rounds compare theme by theme only when grouped alike: with no taxonomy or 领域 given, a unit's next
    run takes the 领域 its last run used, not one detected afresh from the new opinions."""
    earlier = run({"canteen": 3})
    earlier.sector = "党建"
    seed_run(database, "县机关党委", earlier)
    assert detect_sector(NEXT_ROUND.splitlines()) == "government"  # afresh, these would go to 机关
    answer = client.post("/api/feedback", json={"text": NEXT_ROUND, "unit": "县机关党委"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["sector"] == "党建"
    assert open_history(database).get_feedback(answer.json()["id"]).input["sector"] == "党建"
    other = client.post("/api/feedback", json={"text": OPINIONS, "unit": "县机关党委", "sector": "机关"})
    assert other.json()["sector"] == "机关"
