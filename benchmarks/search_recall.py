"""Recall@5 and MRR of corpus search over tests/data/search_queries.yaml: vector only, keyword only, hybrid.

    .venv/bin/python benchmarks/search_recall.py [--weights 0.3,0.5,0.7]

Each query names a distinctive substring of the chunk it should find; a query is found at rank r
when the r-th result holds that substring. MRR counts the first hit in the top 10.
"""

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drafting.config import Settings  # noqa: E402
from drafting.corpus.retrieve import KEYWORD_WEIGHT, HybridRetriever  # noqa: E402
from drafting.corpus.store import open_store  # noqa: E402
from drafting.embed import make_embedder  # noqa: E402

QUERIES = Path(__file__).resolve().parent.parent / "tests" / "data" / "search_queries.yaml"


def evaluate(retriever: HybridRetriever, queries: list[dict], k: int = 5) -> tuple[float, float, list[str]]:
    """(recall@k, MRR@10, the queries missed at k)."""
    found, reciprocal, missed = 0, 0.0, []
    for item in queries:
        results = retriever.search(item["query"], k=10)
        rank = next((r for r, p in enumerate(results, 1) if item["expect"] in p.text), None)
        found += rank is not None and rank <= k
        reciprocal += 1 / rank if rank else 0.0
        if rank is None or rank > k:
            missed.append(f"{item['query']} (rank {rank})")
    return found / len(queries), reciprocal / len(queries), missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--weights", default="", help="also try these keyword weights for hybrid, comma-separated"
    )
    parser.add_argument("--misses", action="store_true", help="list the queries each mode misses")
    args = parser.parse_args()
    queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    settings = Settings(home=Path(tempfile.mkdtemp(prefix="drafting-recall-")))
    store = open_store(settings, make_embedder(settings))
    store.query_vectors([item["query"] for item in queries])
    print(f"{len(queries)} queries over {store.count()} chunks of {len(store.list_documents())} documents")
    runs = [
        ("vector", HybridRetriever(store, mode="vector")),
        ("keyword", HybridRetriever(store, mode="keyword")),
        (f"hybrid (w={KEYWORD_WEIGHT})", HybridRetriever(store)),
    ]
    runs += [
        (f"hybrid (w={w})", HybridRetriever(store, keyword_weight=float(w)))
        for w in args.weights.split(",")
        if w
    ]
    print(f"{'mode':<20} {'recall@5':>9} {'MRR':>6}")
    for name, retriever in runs:
        recall, mrr, missed = evaluate(retriever, queries)
        print(f"{name:<20} {recall:>9.3f} {mrr:>6.3f}")
        if args.misses:
            for line in missed:
                print("    missed:", line)


if __name__ == "__main__":
    main()
