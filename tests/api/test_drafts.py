"""Drafts through the API: write, list, read, versions, Word, delete, bad input, streaming, persistence."""

import io
import json
import socket

import docx
from fastapi.testclient import TestClient
from sqlalchemy import update

from drafting.config import get_settings
from drafting.errors import BadInput
from drafting.web import deps
from drafting.web.db import History, drafts, open_history
from drafting.writer.facts import parse_facts
from service import app
from tests.test_db import dead_pid

from .conftest import FACTS


def post_draft(client, facts=FACTS, **params):
    return client.post("/api/drafts", json=facts, params=params)


def test_draft_round_trip(client, retriever):
    made = post_draft(client)
    assert made.status_code == 200, made.text
    record = made.json()
    assert record["engine"] == "template"
    assert record["verification"]["ok"] is True
    assert record["version"] == 1 and record["versions"] == 1
    assert "645场次" in record["text"] and "7800多" in record["text"]
    assert record["sources"][0]["title"] == "中共某某区委群众评议工作总结"
    assert retriever.queries, "the draft should have asked the retriever for exemplars"

    listed = client.get("/api/drafts").json()
    assert [d["id"] for d in listed] == [record["id"]]
    assert listed[0]["unit"] == "中共某某区委"
    assert client.get(f"/api/drafts/{record['id']}").json()["text"] == record["text"]

    word = client.get(f"/api/drafts/{record['id']}/docx")
    assert word.status_code == 200
    assert "filename*=UTF-8''" in word.headers["content-disposition"]
    paragraphs = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert "645" in paragraphs and "中共某某区委" in paragraphs


def test_edited_text_is_a_new_verified_version(client):
    record = post_draft(client).json()
    edited = record["text"].replace("645", "650", 1)
    saved = client.put(f"/api/drafts/{record['id']}", json={"text": edited})
    assert saved.status_code == 200, saved.text
    second = saved.json()
    assert second["version"] == 2 and second["versions"] == 2
    assert second["verification"]["ok"] is False
    assert any("650" in n for n in second["verification"]["unsupported_numbers"])
    assert second["sections"] and all(s["items"] for s in second["sections"])
    first = client.get(f"/api/drafts/{record['id']}", params={"version": 1}).json()
    assert first["text"] == record["text"] and first["verification"]["ok"] is True
    word = client.get(f"/api/drafts/{record['id']}/docx").content
    assert "650" in "\n".join(p.text for p in docx.Document(io.BytesIO(word)).paragraphs)


def test_delete(client):
    record = post_draft(client).json()
    assert client.delete(f"/api/drafts/{record['id']}").status_code == 204
    missing = client.get(f"/api/drafts/{record['id']}")
    assert missing.status_code == 404
    assert record["id"] in missing.json()["detail"]
    assert client.get("/api/drafts").json() == []
    assert client.delete(f"/api/drafts/{record['id']}").status_code == 404


def cli_message(data) -> str:
    try:
        parse_facts(data)
    except BadInput as exc:
        return exc.message
    raise AssertionError("the facts should have been refused")


def test_bad_facts_give_the_cli_message(client):
    for broken, field in [({**FACTS, "sector": "部队"}, "领域："),
                          ({k: v for k, v in FACTS.items() if k != "unit"}, "单位名称："),
                          ({**FACTS, "stats": [{"label": "满意度", "value": "120", "unit": "%"}]},
                           "主要数据第1项的数值："),
                          ({**FACTS, "appraisal": {"members_basic_satisfied": 1, "members_satisfied": 8}},
                           "评议统计·满意（8）")]:
        answer = post_draft(client, broken)
        assert answer.status_code == 422, broken
        detail = answer.json()["detail"]
        assert detail == cli_message(broken)
        assert detail.startswith(field) and "\n" not in detail


def test_yaml_body_and_unparsable_body(client):
    yaml_facts = "unit: 银宇煤矿党支部\ndate: 2011-01-15\nsector: 企业\n"
    made = client.post("/api/drafts", content=yaml_facts.encode("utf-8"),
                       headers={"Content-Type": "application/yaml"})
    assert made.status_code == 200, made.text
    assert made.json()["facts"]["unit"] == "银宇煤矿党支部"
    broken = client.post("/api/drafts", content=b"{unit: [", headers={"Content-Type": "application/json"})
    assert broken.status_code == 422
    assert broken.json()["detail"].startswith("facts")


def test_bad_query_and_body_fields_name_the_field(client):
    answer = post_draft(client, engine="gpt")
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("engine") and "template" in answer.json()["detail"]
    record = post_draft(client).json()
    extra = client.put(f"/api/drafts/{record['id']}", json={"text": "x", "title": "y"})
    assert extra.status_code == 422 and extra.json()["detail"] == "title: 不认识的字段"
    empty = client.put(f"/api/drafts/{record['id']}", json={})
    assert empty.status_code == 422 and empty.json()["detail"] == "text: 必须填写"


def test_llm_engine_without_a_model_is_a_clear_error(client):
    answer = post_draft(client, engine="llm")
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("engine: 未配置大模型（DRAFTING_LLM_MODEL）")


def events(body: str) -> list[tuple[str, dict]]:
    out = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_streamed_draft(client):
    with client.stream("POST", "/api/drafts", json=FACTS, headers={"Accept": "text/event-stream"}) as answer:
        assert answer.headers["content-type"].startswith("text/event-stream")
        stream = events(answer.read().decode("utf-8"))
    names = [name for name, _ in stream]
    assert names[0] == "progress" and "text" in names and names[-1] == "result"
    result = stream[-1][1]
    assert "".join(d["text"] for n, d in stream if n == "text") == result["text"]
    assert client.get(f"/api/drafts/{result['id']}").json()["version"] == 1


def test_history_survives_a_restart(client, drafting_home):
    record = post_draft(client).json()
    reopened = History(f"sqlite:///{drafting_home / 'drafting.sqlite3'}")
    stored = reopened.get_draft(record["id"])
    assert stored.status == "done" and stored.draft["text"] == record["text"]
    assert stored.facts["unit"] == FACTS["unit"]


class BrokenRetriever:
    """A retriever that fails as a bug would (not a DraftingError)."""

    def search(self, query, k=5, *, sector=None, exclude_docs=None):
        raise RuntimeError("disk on fire")


def test_a_crash_mid_request_keeps_the_input(client):
    app.dependency_overrides[deps.retriever] = BrokenRetriever
    with TestClient(app, raise_server_exceptions=False) as crashing:
        answer = crashing.post("/api/drafts", json=FACTS)
    assert answer.status_code == 500
    assert answer.json() == {"detail": "服务器内部错误，请查看服务日志"}
    kept = client.get("/api/drafts").json()
    assert [d["status"] for d in kept] == ["failed"]
    assert client.get(f"/api/drafts/{kept[0]['id']}/facts").json()["unit"] == FACTS["unit"]


def test_history_pages_and_searches(client):
    for unit in ("城关镇党委", "县人民医院", "城关镇卫生院"):
        assert post_draft(client, {**FACTS, "unit": unit}).status_code == 200
    page = client.get("/api/drafts", params={"limit": 2})
    assert page.headers["x-total-count"] == "3"
    assert [d["unit"] for d in page.json()] == ["城关镇卫生院", "县人民医院"]
    town = client.get("/api/drafts", params={"q": "城关镇", "offset": 1})
    assert town.headers["x-total-count"] == "2" and [d["unit"] for d in town.json()] == ["城关镇党委"]
    assert client.get("/api/drafts", params={"until": "2000-01-01"}).json() == []
    bad = client.get("/api/drafts", params={"since": "昨天"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.json()["detail"]


def test_an_interrupted_draft_is_rerun_from_its_facts(client):
    history = open_history(get_settings().database)
    draft_id = history.start_draft(FACTS, "template")
    with history.engine.begin() as conn:  # as a process killed mid-draft on this host leaves it
        conn.execute(update(drafts).where(drafts.c.id == draft_id)
                     .values(worker=f"{socket.gethostname()}:{dead_pid()}"))
    open_history.cache_clear()
    assert client.get("/api/drafts").json()[0]["status"] == "interrupted"
    rerun = client.post(f"/api/drafts/{draft_id}/rerun", params={"engine": "template"})
    assert rerun.status_code == 200, rerun.text
    assert rerun.json()["id"] == draft_id and rerun.json()["verification"]["ok"] is True
    again = client.post(f"/api/drafts/{draft_id}/rerun")
    assert again.status_code == 409
