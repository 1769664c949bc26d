"""The service over a real socket: uvicorn started by the test, the real store and template engine."""

import json
import os
import signal
import subprocess

import httpx
import pytest

from tests.test_ledger import run

from .conftest import FACTS, seed_run
from .live import live_server

TOKEN = "socket-token-long-enough-to-be-accepted"


@pytest.fixture
def server(tmp_path):
    with live_server(tmp_path / "home", tmp_path / "uvicorn.log", DRAFTING_API_TOKEN=TOKEN) as base:
        yield base


def test_draft_over_a_socket(server):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=server, timeout=120) as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        assert http.get("/api/drafts").status_code == 401
        events = []
        with http.stream("POST", "/api/drafts", params={"engine": "template"}, json=FACTS,
                         headers={**auth, "Accept": "text/event-stream"}) as answer:
            assert answer.status_code == 200
            for line in answer.iter_lines():
                if line.startswith("event: "):
                    events.append(line[7:])
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
        assert events[0] == "progress" and events[-1] == "result"
        assert data["verification"]["ok"] is True
        assert data["sources"], "the sample corpus should have given exemplars"
        stored = http.get(f"/api/drafts/{data['id']}", headers=auth).json()
        assert stored["text"] == data["text"]
        bad = http.post("/api/drafts", json={"unit": "某单位"}, headers=auth)
        assert bad.status_code == 422 and bad.json()["detail"] == "成文日期：必须填写"


@pytest.mark.slow
def test_two_services_on_one_postgresql_see_each_others_writes(tmp_path, postgres_url):
    """Two replicas (own homes, one database): a run, a move and a ledger edit made on one are read on the
    other, and an edit made on a version the other replica has already changed is refused."""
    run_id = seed_run(postgres_url, "城关镇", run({"canteen": 4, "parking": 2}, unassigned=1))
    shared = {"DRAFTING_DATABASE_URL": postgres_url}
    with live_server(tmp_path / "a", tmp_path / "a.log", **shared) as first, \
            live_server(tmp_path / "b", tmp_path / "b.log", **shared) as second, \
            httpx.Client(base_url=first, timeout=60) as a, httpx.Client(base_url=second, timeout=60) as b:
        assert [r["id"] for r in b.get("/api/feedback", params={"q": "城关镇"}).json()] == [run_id]
        moved = a.patch(f"/api/feedback/{run_id}/assignments/0", json={"theme": "canteen", "version": 2})
        assert moved.status_code == 200, moved.text
        assert b.get(f"/api/feedback/{run_id}").json()["version"] == 3
        late = b.patch(f"/api/feedback/{run_id}/assignments/0", json={"theme": None, "version": 2})
        assert late.status_code == 409

        ledger = a.post("/api/ledgers", json={"run_id": run_id, "label": "第一轮"}).json()
        row = {"by": "张三", "version": 1, "state": "整改中"}
        assert b.patch(f"/api/ledgers/{ledger['id']}/rows/1", json=row).status_code == 200
        assert a.get(f"/api/ledgers/{ledger['id']}").json()["rows"][0]["state"] == "整改中"
        assert a.patch(f"/api/ledgers/{ledger['id']}/rows/1", json=row).status_code == 409


@pytest.mark.slow
def test_a_run_killed_mid_way_is_interrupted_and_rerun(tmp_path):
    """kill -9 during a run; the restarted service shows it 已中断 with its input, and reruns it."""
    lines = [f"第{k}号窗口办事排队时间太长，希望增加窗口" for k in range(400)]
    started: list[subprocess.Popen] = []
    home = tmp_path / "home"
    body = {"lines": lines, "taxonomy": "none", "unit": "县政务中心"}
    with live_server(home, tmp_path / "first.log", started) as base, httpx.Client(base_url=base) as http:
        with http.stream("POST", "/api/feedback", json=body, headers={"Accept": "text/event-stream"},
                         timeout=120) as answer:
            for line in answer.iter_lines():  # masking comes before the run is saved; kill after it
                if line.startswith("data: ") and json.loads(line[6:]).get("stage") not in (None, "redact"):
                    os.kill(started[0].pid, signal.SIGKILL)
                    break
        started[0].wait(timeout=30)
    with live_server(home, tmp_path / "second.log") as base, httpx.Client(base_url=base, timeout=300) as http:
        listed = http.get("/api/feedback").json()
        assert [(r["status"], r["unit"], r["total"]) for r in listed] == [("interrupted", "县政务中心", 400)]
        rerun = http.post(f"/api/feedback/{listed[0]['id']}/rerun")
        assert rerun.status_code == 200, rerun.text
        assert rerun.json()["total"] == 400 and http.get("/api/feedback").json()[0]["status"] == "done"
