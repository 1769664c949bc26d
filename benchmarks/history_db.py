"""The history on SQLite and on PostgreSQL: a page of the history, a search, and checked moves at once.

    python benchmarks/history_db.py [--runs 5000]

Fills each database with `--runs` finished runs (a 50-opinion result each) across 50 units, then times
the first page (limit 50), a unit search with its count, and 10 threads each making 20 moves on one run
(atomic: all 200 must persist). PostgreSQL is a throwaway local server (Debian's postgresql, as the tests
start it).
"""

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drafting.testkit.postgres import running_postgres  # noqa: E402
from drafting.web.db import History, HistoryQuery  # noqa: E402

RESULT = {"moves": [], "themes": [], "assignments": [{"line": k, "text": f"意见{k}" * 5, "theme": None,
                                                      "score": 0.0} for k in range(50)]}


def timed(fn, repeat: int = 20) -> float:
    """Median milliseconds of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(name: str, url: str, runs: int) -> None:
    history = History(url)
    start = time.perf_counter()
    for k in range(runs):
        run_id = history.start_feedback({"lines": [f"第{k}条"]}, "embedded", 50, f"第{k % 50}号单位")
        history.save_feedback(run_id, RESULT)
    fill = time.perf_counter() - start
    page = timed(lambda: history.list_feedback(HistoryQuery(limit=50)))
    search = timed(lambda: (history.list_feedback(HistoryQuery(q="第7号", limit=50)),
                            history.count_feedback(HistoryQuery(q="第7号"))))
    target = history.list_feedback(HistoryQuery(limit=1))[0].id

    def mover(k: int) -> None:
        for j in range(20):
            history.change_feedback(target, lambda saved, j=j: {**saved, "moves": [*saved["moves"], (k, j)]})

    start = time.perf_counter()
    threads = [threading.Thread(target=mover, args=(k,)) for k in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    moves = time.perf_counter() - start
    kept = len(history.get_feedback(target).result["moves"])
    print(f"{name:10} fill {runs} runs {fill:6.1f} s | page {page:6.1f} ms | search+count {search:6.1f} ms | "
          f"200 concurrent moves {moves:5.2f} s ({200 / moves:5.0f}/s), kept {kept}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{folder}/history.sqlite3", args.runs)
    with running_postgres() as url:
        measure("PostgreSQL", url, args.runs)


if __name__ == "__main__":
    main()
