"""Concurrent clients against a real uvicorn: drafts, feedback runs and moves mixed, for a bounded time.

    python benchmarks/service_load.py [--clients 20] [--seconds 60]

Starts `uvicorn service:app` on a free loopback port with a fresh DRAFTING_HOME, runs the clients, then checks
that every record they made is in the history and that every move persisted; prints throughput, p50/p95 per
kind, errors and the server's peak RSS. tests/api/test_load.py runs the same load for a shorter time.
"""

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
FACTS = {
    "unit": "中共某某区委", "sector": "机关", "date": "2024-01-12",
    "basis": "市委创先争优活动领导小组关于开展群众评议工作的通知",
    "stats": [{"label": "开展评议大会", "value": "645", "unit": "场次"},
              {"label": "群众满意度", "value": "96", "unit": "%"}],
    "problems": ["个别党组织对群众评议工作重视程度不够高"],
    "next_steps": ["推行一季一评议、半年一小结、年终一总评的群众评诺制度"],
}
TOPICS = ["食堂的饭菜太贵了，分量还少", "单位停车位太少，每天早上抢车位", "办事窗口的工作人员态度冷淡",
          "学习基本上就是读文件、念报纸，效果一般", "承诺书签完就放抽屉里了，年底也没人问",
          "建议多组织参观红色教育基地", "窗口服务人员经常不在岗，群众等半天",
          "停车场没有照明，晚上取车不安全", "希望食堂增加一些清淡的菜", "有些党员的承诺写得很空，像口号",
          "政策解释不耐心，说话生硬", "会议太多，文件太多，基层疲于应付"]
PLACES = ["一楼", "二楼", "东门", "西区", "南楼", "北院"]
# Every run names its sector, so the clients' runs share the taxonomy whose theme ids they move opinions to
# (eight lines alone may be read as another sector's).
SECTOR = "党建"


def opinions(count: int, seed: int) -> list[str]:
    """Distinct opinion lines (a place in each keeps near duplicates from folding them together)."""
    rng = random.Random(seed)
    pairs = list(itertools.product(TOPICS, PLACES))
    rng.shuffle(pairs)
    return [f"{place}{topic}。" for topic, place in pairs[:count]]


@dataclass
class Load:
    """What the clients did and saw."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)
    moves: dict[int, str | None] = field(default_factory=dict)  # shared run: index -> theme last set
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(map(len, self.latencies.values()))

    def summary(self) -> dict:
        kinds = {kind: {"n": len(times), "p50_s": round(statistics.median(times), 2),
                        "p95_s": round(quantile(times, 0.95), 2)} for kind, times in self.latencies.items()}
        return {"requests": self.requests, "seconds": round(self.seconds, 1),
                "throughput_rps": round(self.requests / self.seconds, 2), "errors": len(self.errors),
                "kinds": kinds}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed(load: Load, kind: str, call) -> httpx.Response | None:
    start = time.monotonic()
    try:
        answer = await call
    except httpx.HTTPError as exc:
        load.errors.append(f"{kind}: {type(exc).__name__}")
        return None
    load.latencies.setdefault(kind, []).append(time.monotonic() - start)
    if answer.status_code >= 400:
        load.errors.append(f"{kind}: {answer.status_code} {answer.text[:200]}")
        return None
    return answer


async def client_loop(http: httpx.AsyncClient, number: int, deadline: float, load: Load, shared: str,
                      themes: list[str | None]) -> None:
    """One client: its opinion on the shared run moved first (all at once), then in turn a draft, a move,
    a feedback run and a move (on the shared run or on its own last run)."""
    own: list[str] = []
    for step in itertools.count():
        if step and time.monotonic() >= deadline:
            return
        kind = ("draft", "move", "feedback", "move")[(step + number) % 4] if step else "move"
        if kind == "draft":
            facts = {**FACTS, "unit": f"中共某某区委第{number}支部"}
            if answer := await timed(load, "draft", http.post("/api/drafts", json=facts)):
                load.drafts.append(answer.json()["id"])
        elif kind == "feedback":
            body = {"lines": opinions(8, seed=number * 1000 + step), "sector": SECTOR}
            if answer := await timed(load, "feedback", http.post("/api/feedback", json=body)):
                load.runs.append(answer.json()["id"])
                own.append(answer.json()["id"])
        else:
            theme = themes[(step + number) % len(themes)]
            if own and step % 8 >= 4 and step:
                await timed(load, "move", http.patch(f"/api/feedback/{own[-1]}/assignments/0",
                                                     json={"theme": theme}))
            elif await timed(load, "move", http.patch(f"/api/feedback/{shared}/assignments/{number}",
                                                      json={"theme": theme})):
                load.moves[number] = theme


async def run_load(base: str, clients: int, seconds: float, headers: dict[str, str] | None = None) -> Load:
    """Run the clients for `seconds` (each finishes the request it is in), then check the history."""
    load = Load()
    limits = httpx.Limits(max_connections=clients + 2)
    async with httpx.AsyncClient(base_url=base, timeout=300, headers=headers, limits=limits) as http:
        shared = (await http.post("/api/feedback", json={"lines": opinions(clients + 4, seed=0),
                                                         "sector": SECTOR})).json()
        assert len(shared["assignments"]) >= clients, "the shared run needs one opinion per client"
        themes = [t["id"] for t in (await http.get(f"/api/feedback/{shared['id']}/themes")).json()][:6]
        load.runs.append(shared["id"])
        start = time.monotonic()
        await asyncio.gather(*(client_loop(http, n, start + seconds, load, shared["id"], [*themes, None])
                               for n in range(clients)))
        load.seconds = time.monotonic() - start
        await check_history(http, load, shared["id"])
    return load


async def check_history(http: httpx.AsyncClient, load: Load, shared: str) -> None:
    """Every record made is in the history, every move on the shared run persisted."""
    for kind, ids in (("drafts", load.drafts), ("feedback", load.runs)):
        listed = await http.get(f"/api/{kind}", params={"limit": 1})
        if int(listed.headers["x-total-count"]) != len(ids):
            load.errors.append(f"history: {listed.headers['x-total-count']} {kind}, {len(ids)} made")
        for record_id in ids:
            if (await http.get(f"/api/{kind}/{record_id}")).status_code != 200:
                load.errors.append(f"history: {kind} {record_id} missing")
    assignments = (await http.get(f"/api/feedback/{shared}")).json()["assignments"]
    for index, theme in load.moves.items():
        if assignments[index]["theme"] != theme:
            load.errors.append(f"move lost: opinion {index} is {assignments[index]['theme']}, not {theme}")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from drafting.testkit.ports import free_port

    with tempfile.TemporaryDirectory() as home:
        port = free_port()
        env = {**os.environ, "DRAFTING_HOME": home}
        env.pop("DRAFTING_API_TOKEN", None)
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "service:app", "--port", str(port),
                                   "--log-level", "warning"], cwd=ROOT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.3)
            load = asyncio.run(run_load(base, args.clients, args.seconds))
            report = {"clients": args.clients, **load.summary(), "server_peak_rss_mb": round(
                peak_rss_mb(server.pid)), "first_errors": load.errors[:5]}
            print(json.dumps(report, ensure_ascii=False, indent=2))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
