"""Twenty concurrent clients against a real uvicorn for a bounded time, mixing drafts, feedback runs and moves
(benchmarks/service_load.py, which also gives the README's throughput and p95): no request fails, every
record made is in the history afterwards, and every move on the run they share persisted."""

import asyncio

import pytest

from benchmarks.service_load import run_load

from .live import live_server

CLIENTS = 20
SECONDS = 10  # with the server's start and the checks after, the test stays within a minute


@pytest.mark.slow
def test_twenty_clients_lose_nothing(tmp_path):
    with live_server(tmp_path / "home", tmp_path / "uvicorn.log") as base:
        load = asyncio.run(run_load(base, CLIENTS, SECONDS))
    print(load.summary())
    assert load.errors == []
    assert {"draft", "feedback", "move"} <= set(load.latencies)
    assert load.drafts and len(load.runs) > 1
    assert len(load.moves) == CLIENTS, "every client moved its opinion on the shared run"
