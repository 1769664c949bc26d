"""Entity-level recall and precision of drafting.feedback.redact on the labelled sets in tests/data/.

redact_labelled.tsv is the development set the rules were tuned on; redact_heldout.tsv was written after
the rules were frozen and is the fairer estimate.
Run: .venv/bin/python benchmarks/redact_accuracy.py [--errors]
A predicted entity counts as correct when its kind and its text equal a labelled entity of the same line.
"""

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drafting.feedback.redact import find_entities  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
LABELLED = DATA / "redact_labelled.tsv"
HELDOUT = DATA / "redact_heldout.tsv"


def load(path: Path = LABELLED) -> list[tuple[str, Counter[tuple[str, str]]]]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        next(handle)
        for raw in handle:
            text, _, labels = raw.rstrip("\n").partition("\t")
            gold: Counter[tuple[str, str]] = Counter()
            for label in filter(None, labels.split("|")):
                kind, _, value = label.partition(":")
                gold[(kind, value)] += 1
            rows.append((text, gold))
    return rows


def score(rows=None) -> dict:
    """Counts and rates, overall and by kind, plus the lines with misses and false alarms."""
    rows = rows if rows is not None else load()
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    errors = []
    for text, gold in rows:
        predicted = Counter((e.kind, e.text) for e in find_entities(text))
        hit = predicted & gold
        for (kind, _), n in hit.items():
            tp[kind] += n
        for (kind, _), n in (predicted - gold).items():
            fp[kind] += n
        for (kind, _), n in (gold - predicted).items():
            fn[kind] += n
        if predicted != gold:
            errors.append((text, sorted(gold - predicted), sorted(predicted - gold)))
    t, p, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    by_kind = {k: {"tp": tp[k], "fp": fp[k], "fn": fn[k]} for k in sorted(set(tp) | set(fp) | set(fn))}
    return {"lines": len(rows), "entities": t + n, "recall": t / max(t + n, 1),
            "precision": t / max(t + p, 1), "by_kind": by_kind, "errors": errors}


def main() -> None:
    for name, path in (("development", LABELLED), ("held-out", HELDOUT)):
        result = score(load(path))
        print(f"{name}: lines={result['lines']} entities={result['entities']} "
              f"recall={result['recall']:.3f} precision={result['precision']:.3f}")
        for kind, c in result["by_kind"].items():
            print(f"  {kind:9s} tp={c['tp']:3d} fp={c['fp']:3d} fn={c['fn']:3d}")
        if "--errors" in sys.argv:
            for text, missed, extra in result["errors"]:
                print(f"  {text}\n    missed={missed} extra={extra}")


if __name__ == "__main__":
    main()
