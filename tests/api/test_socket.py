"""The service over a real socket: uvicorn started by the test, the real store and template engine."""

import json

import httpx
import pytest

from .conftest import FACTS
from .live import live_server


@pytest.fixture
def server(tmp_path):
    with live_server(tmp_path / "home", tmp_path / "uvicorn.log", DRAFTING_API_TOKEN="socket-token") as base:
        yield base


def test_draft_over_a_socket(server):
    auth = {"Authorization": "Bearer socket-token"}
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
        assert bad.status_code == 422 and bad.json()["detail"] == "date: 必须填写"
