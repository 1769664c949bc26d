"""A warm draft inside the service: time POST /api/drafts over N requests, beside write_draft called directly.

    .venv/bin/python benchmarks/service_warm.py [-n 30]

Runs in a temporary DRAFTING_HOME (the sample corpus loads once, before timing), through FastAPI's
TestClient (the whole app: middleware, validation, SQLite history), template engine, real store.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FACTS = {
    "unit": "中共某某区委", "sector": "机关", "date": "2024-01-12",
    "basis": "市委创先争优活动领导小组关于开展群众评议工作的通知",
    "stats": [{"label": "开展评议大会", "value": "645", "unit": "场次"},
              {"label": "发放评议问卷", "value": "7800多", "unit": "份"},
              {"label": "群众满意度", "value": "96", "unit": "%"}],
    "highlights": ["开通书记热线，当场解决群众反映的问题"],
    "problems": ["个别党组织对群众评议工作重视程度不够高"],
    "next_steps": ["推行一季一评议、半年一小结、年终一总评的群众评诺制度"],
}


def timings(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def line(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    mean = statistics.mean(ms)
    return (f"{name:<28} n={len(ms):<4} mean {mean:7.1f} ms  p50 {statistics.median(ms):7.1f} ms"
            f"  p95 {p95:7.1f} ms  ({1000 / mean:5.1f}/s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=30, help="timed requests")
    args = parser.parse_args()
    os.environ["DRAFTING_HOME"] = tempfile.mkdtemp(prefix="drafting-bench-")
    for name in ("DRAFTING_LLM_MODEL", "DRAFTING_API_TOKEN", "DRAFTING_CHROMA_URL"):
        os.environ.pop(name, None)

    from fastapi.testclient import TestClient

    from drafting import runtime
    from drafting.writer.engines import choose_engine
    from drafting.writer.facts import parse_facts
    from drafting.writer.pipeline import write_draft
    from service import app

    start = time.perf_counter()
    runtime.store().count()
    print(f"store ready (sample corpus loaded) in {time.perf_counter() - start:.1f} s")
    facts = parse_facts(FACTS)
    retriever = runtime.retriever()
    engine = choose_engine("template", None)
    write_draft(facts, retriever=retriever, engine=engine)
    direct = timings(lambda: write_draft(facts, retriever=retriever, engine=engine), args.n)
    print(line("write_draft (direct)", direct))

    with TestClient(app) as client:
        def post() -> None:
            answer = client.post("/api/drafts", json=FACTS, params={"engine": "template"})
            answer.raise_for_status()

        def stream() -> None:
            with client.stream("POST", "/api/drafts", json=FACTS, params={"engine": "template"},
                               headers={"Accept": "text/event-stream"}) as answer:
                answer.read()

        post()
        print(line("POST /api/drafts (JSON)", timings(post, args.n)))
        print(line("POST /api/drafts (SSE)", timings(stream, args.n)))
        listed = timings(lambda: client.get("/api/drafts").raise_for_status(), args.n)
        print(line("GET /api/drafts (history)", listed))


if __name__ == "__main__":
    main()
