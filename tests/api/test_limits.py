"""Bodies over settings.max_request_bytes are refused with 413, whether declared or streamed."""

import pytest

from drafting import runtime

from .conftest import FACTS

LIMIT = 2048


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setenv("DRAFTING_MAX_REQUEST_BYTES", str(LIMIT))
    runtime.reset()


def test_declared_length_over_the_limit(client, small_limit):
    big = {**FACTS, "highlights": ["很长的一条做法" * 200]}
    answer = client.post("/api/drafts", json=big)
    assert answer.status_code == 413
    assert "超过上限" in answer.json()["detail"]


def test_streamed_body_over_the_limit(client, small_limit):
    def chunks():
        for _ in range(10):
            yield b"x" * 512

    answer = client.post("/api/feedback", content=chunks(), headers={"Content-Type": "application/json"})
    assert answer.status_code == 413


def test_body_under_the_limit_passes(client, small_limit):
    assert client.post("/api/drafts", json=FACTS).status_code == 200
