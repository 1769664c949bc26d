"""Bodies over settings.max_request_bytes are refused with 413, whether declared or streamed; a streamed run
stops when its time budget is spent or its client leaves, and a shutdown does not wait for it."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from drafting import runtime
from drafting.testkit.ports import free_port

from .conftest import FACTS
from .live import ROOT

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


def many_opinions(count: int) -> list[str]:
    topics = ("食堂饭菜太贵", "停车位太少")
    return [f"第{i}号意见：{topics[i % 2]}，希望第{i % 97}项尽快解决。" for i in range(count)]


def test_a_streamed_run_past_its_time_budget_stops_with_504(client, monkeypatch):
    monkeypatch.setenv("DRAFTING_REQUEST_TIMEOUT", "1")
    runtime.reset()
    answer = client.post("/api/feedback", json={"lines": many_opinions(3000)},
                         headers={"Accept": "text/event-stream"})
    assert answer.status_code == 200
    last = answer.text.strip().split("\n\n")[-1]
    assert last.startswith("event: error") and '"status": 504' in last and "处理超时（超过 1 秒）" in last
    deadline = time.monotonic() + 120
    while any(t.name == "drafting-run" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(t.name == "drafting-run" for t in threading.enumerate())
    runs = client.get("/api/feedback").json()
    assert all(run["status"] == "failed" for run in runs), "the work stopped at its next step, unfinished"


def settled(pid: int, seconds: float = 120) -> None:
    """Wait until the process is idle: under 0.2 s of CPU in a 2 s window."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(2)
        if cpu_seconds(pid) - before < 0.2:
            return
    raise AssertionError("the server kept working")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow
def test_a_run_stops_when_its_client_leaves_and_a_shutdown_does_not_wait_for_one(tmp_path):
    port = free_port()
    env = {**os.environ, "DRAFTING_HOME": str(tmp_path / "home"), "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN": "5"}
    with open(tmp_path / "uvicorn.log", "w", encoding="utf-8") as log:
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "service:app", "--port", str(port)],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        with httpx.Client(base_url=base, timeout=120) as http:
            with http.stream("POST", "/api/feedback", json={"lines": many_opinions(3000)},
                             headers={"Accept": "text/event-stream"}) as answer:
                first_progress(answer)
            settled(server.pid)
            runs = http.get("/api/feedback").json()
            assert all(run["status"] == "failed" for run in runs), "the run went on after its client left"

            with http.stream("POST", "/api/feedback", json={"lines": many_opinions(3001)},
                             headers={"Accept": "text/event-stream"}) as answer:
                first_progress(answer)
                server.send_signal(signal.SIGTERM)  # with the client still reading
                server.wait(timeout=60)  # uvicorn re-raises the signal once it has shut down
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    log = (tmp_path / "uvicorn.log").read_text(encoding="utf-8")
    assert "Finished server process" in log and "Traceback" not in log


def first_progress(answer: httpx.Response) -> None:
    for line in answer.iter_lines():
        if line.startswith("event: progress"):
            return
    raise AssertionError("the run sent no progress")


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("uvicorn did not start")
