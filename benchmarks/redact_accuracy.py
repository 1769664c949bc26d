"""Recall per kind and precision of drafting.feedback.redact on every labelled set in tests/data/.

Sets:
- development: redact_labelled.tsv, the lines the first rules were tuned on;
- held-out: redact_heldout.tsv, written after those rules were frozen;
- blind (dev half) and blind (held-out half): redact_blind.tsv, 400 lines by an author who never saw the
  code; rules are tuned on its odd data rows (1st, 3rd, …) only, the even rows are the held-out figure;
- blind2: redact_blind2.tsv, a second blind set by another author who never saw the code, measured once
  before any of its lines were read (the figure reported as held-out); later figures are "after reading";
- blind3: redact_blind3.tsv, a third blind set (400 lines, other contexts and sectors), measured once before
  any of its lines were read: names 0.836, addresses 0.877, precision 0.958; later figures are after reading;
- own-dev: tests/data/redact_dev_*.tsv, development lines written for the rules (not held out);
- organiser: the `pii` column of tests/data/organiser_heldout/*.labels.tsv, each whole line masked;
- organiser-blind2: the same column of tests/data/organiser_blind2/*.labels.tsv (a tax office's call notes
  and a community WeChat group), measured once before any rule was changed for it;
- organiser-blind3: the same column of tests/data/organiser_blind3/*.labels.tsv (a 派出所, a 政务服务中心 and
  a bus company's form);
- form-columns: the workbook's 提出人 and 备注 cells (company_form.other_pii.tsv), each cell masked alone;
  form-columns-blind3 the bus company form's 联系方式 cells.

The rule. `redact.shown(entity)` names the characters a mask keeps visible: the surname of 王**, the first
three and last four digits of 138****5678, the road or village of 人民路***, a plate's province and
letter (苏G·*****), a bank card's last four digits; records, QQ and WeChat ids show nothing. A labelled
entity counts as masked when none of its other characters (those its own kind's mask would hide) survive
the predicted masks; which kind was predicted does not matter. A predicted entity is a false alarm when
it overlaps no labelled entity. Recall is counted per kind, precision over all kinds. `leaks` counts
labelled values still found verbatim in the masked text, and `keep_lost` the ordinary words of
KEEP_WORDS (马路, 麻醉师, 农忙…) that masking damaged.

Run: .venv/bin/python benchmarks/redact_accuracy.py [--errors] [--set NAME]
"""

import argparse
import csv
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drafting.feedback.redact import Entity, Kind, find_entities, redact, shown  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
LABELLED = DATA / "redact_labelled.tsv"
HELDOUT = DATA / "redact_heldout.tsv"
BLIND = DATA / "redact_blind.tsv"
BLIND2 = DATA / "redact_blind2.tsv"
ORGANISER = DATA / "organiser_heldout"
ORGANISER_FILES = ("hospital.txt", "village_record.txt", "school.txt", "company_form.csv")
ORGANISER_BLIND2 = DATA / "organiser_blind2"
ORGANISER_BLIND2_FILES = ("community_wechat.txt", "tax_hall.txt")
BLIND3 = DATA / "redact_blind3.tsv"
ORGANISER_BLIND3 = DATA / "organiser_blind3"
ORGANISER_BLIND3_FILES = ("police_station.txt", "gov_service.txt", "bus_company.csv")
OPINION_COLUMNS = ("意见建议", "意见内容")  # the opinion column of the organiser forms
# The brief's and the organiser README's ordinary words that start with a surname character.
KEEP_WORDS = ("马路", "麻醉师", "农忙", "安全鞋", "安全带", "保安", "护士长", "王主任", "李家庄", "吴医生",
              "王老师", "班主任", "班长", "白班", "夜班", "周末")


@dataclass
class Row:
    """One line of text and its labelled personal data as (kind, value) pairs."""

    text: str
    gold: list[tuple[str, str]] = field(default_factory=list)


def _parse_labels(labels: str) -> list[tuple[str, str]]:
    pairs = []
    for label in filter(None, labels.split("|")):
        kind, _, value = label.partition(":")
        pairs.append((kind, value))
    return pairs


def load(path: Path = LABELLED) -> list[Row]:
    """A `text<TAB>kind:value|…` file with a header row."""
    with open(path, encoding="utf-8") as handle:
        next(handle)
        return [Row(text, _parse_labels(labels))
                for text, _, labels in (raw.rstrip("\n").partition("\t") for raw in handle)]


def blind_halves() -> tuple[list[Row], list[Row]]:
    """The blind set's odd data rows (for development) and its even rows (held out)."""
    rows = load(BLIND)
    return rows[0::2], rows[1::2]


def load_organiser(name: str, folder: Path = ORGANISER) -> list[Row]:
    """Each line (or form cell) of one organiser file with the personal data of all its parts."""
    gold: dict[int, list[tuple[str, str]]] = defaultdict(list)
    with open(folder / (Path(name).stem + ".labels.tsv"), encoding="utf-8") as handle:
        for record in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            gold[int(record["line_no"])] += _parse_labels(record["pii"])
    path = folder / name
    if path.suffix == ".csv":
        with open(path, encoding="utf-8", newline="") as handle:
            lines = [next(record[c] for c in OPINION_COLUMNS if c in record)
                     for record in csv.DictReader(handle)]
    else:
        lines = path.read_text(encoding="utf-8").split("\n")
    return [Row(text, gold.get(k, [])) for k, text in enumerate(lines, start=1) if text.strip()]


def load_form_columns(form: Path = ORGANISER / "company_form.csv") -> list[Row]:
    """A form's cells beside the opinion (提出人, 备注, 联系方式), with their labelled personal data."""
    with open(form, encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    cells: dict[tuple[int, str], list[tuple[str, str]]] = defaultdict(list)  # a cell may take several rows
    with open(form.with_suffix(".other_pii.tsv"), encoding="utf-8") as handle:
        for label in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            cells[(int(label["row_no"]), label["column"])] += _parse_labels(label["pii"])
    return [Row(records[row - 1][column], gold) for (row, column), gold in cells.items()]


def all_sets() -> dict[str, list[Row]]:
    """Every labelled set by name."""
    dev_half, held_half = blind_halves()
    sets = {"development": load(LABELLED), "held-out": load(HELDOUT),
            "blind-dev": dev_half, "blind-heldout": held_half}
    if BLIND2.exists():
        sets["blind2"] = load(BLIND2)
    sets["own-dev"] = [row for path in sorted(DATA.glob("redact_dev_*.tsv")) for row in load(path)]
    sets["organiser"] = [row for name in ORGANISER_FILES for row in load_organiser(name)]
    sets["form-columns"] = load_form_columns()
    sets["organiser-blind2"] = [row for name in ORGANISER_BLIND2_FILES
                                for row in load_organiser(name, ORGANISER_BLIND2)]
    if BLIND3.exists():
        sets["blind3"] = load(BLIND3)
    if ORGANISER_BLIND3.exists():
        sets["organiser-blind3"] = [row for name in ORGANISER_BLIND3_FILES
                                    for row in load_organiser(name, ORGANISER_BLIND3)]
        sets["form-columns-blind3"] = load_form_columns(ORGANISER_BLIND3 / "bus_company.csv")
    return sets


def _survivors(text: str, entities: list[Entity]) -> list[bool]:
    """For each character of the text, whether it is still visible after masking."""
    visible = [True] * len(text)
    for entity in entities:
        keep = shown(entity)
        for k in range(entity.start, entity.end):
            visible[k] = k - entity.start in keep
    return visible


def _locate(text: str, gold: list[tuple[str, str]]) -> list[tuple[str, int, int]]:
    """(kind, start, end) of each labelled value: the first occurrence not already taken by another."""
    spans: list[tuple[str, int, int]] = []
    for kind, value in gold:
        start = text.find(value)
        while start >= 0 and any(s == start for _, s, _ in spans):
            start = text.find(value, start + 1)
        if start < 0:
            start = text.find(value)
        if start < 0:
            raise ValueError(f"label {kind}:{value} is not in {text!r}")
        spans.append((kind, start, start + len(value)))
    return spans


def score(rows: list[Row] | None = None) -> dict:
    """Per-kind recall, overall precision, verbatim leaks and damaged keep words, with the failures."""
    rows = rows if rows is not None else load()
    total: Counter[str] = Counter()
    masked: Counter[str] = Counter()
    false_alarms: Counter[str] = Counter()
    predicted = leaks = keep_lost = 0
    misses: list[tuple[str, str, str]] = []
    alarms: list[tuple[str, str, str]] = []
    for row in rows:
        entities = find_entities(row.text)
        visible = _survivors(row.text, entities)
        spans = _locate(row.text, row.gold)
        output = redact(row.text)
        for kind, start, end in spans:
            keep = shown(Entity(cast(Kind, kind), start, end, row.text[start:end]))
            hidden = all(not visible[k] for k in range(start, end) if k - start not in keep)
            total[kind] += 1
            masked[kind] += hidden
            leaks += row.text[start:end] in output
            if not hidden:
                misses.append((kind, row.text[start:end], row.text))
        for entity in entities:
            predicted += 1
            if not any(entity.start < end and start < entity.end for _, start, end in spans):
                false_alarms[entity.kind] += 1
                alarms.append((entity.kind, entity.text, row.text))
        keep_lost += sum(max(0, row.text.count(w) - output.count(w)) for w in KEEP_WORDS)
    n, hit, fp = sum(total.values()), sum(masked.values()), sum(false_alarms.values())
    by_kind = {kind: {"n": total[kind], "masked": masked[kind], "recall": masked[kind] / total[kind]}
               for kind in sorted(total)}
    return {"lines": len(rows), "entities": n, "recall": hit / max(n, 1),
            "predicted": predicted, "false_alarms": fp, "precision": (predicted - fp) / max(predicted, 1),
            "by_kind": by_kind, "false_alarms_by_kind": dict(false_alarms), "leaks": leaks,
            "keep_lost": keep_lost, "misses": misses, "alarms": alarms}


def report(name: str, result: dict, errors: bool) -> None:
    """Print one set's figures (and its failures when asked)."""
    print(f"{name}: lines={result['lines']} entities={result['entities']} recall={result['recall']:.3f} "
          f"precision={result['precision']:.3f} ({result['false_alarms']} false alarms of "
          f"{result['predicted']}) leaks={result['leaks']} keep_lost={result['keep_lost']}")
    for kind, c in result["by_kind"].items():
        print(f"  {kind:9s} {c['masked']:3d}/{c['n']:3d} = {c['recall']:.3f}")
    if result["false_alarms_by_kind"]:
        print("  false alarms: " + ", ".join(f"{k} {v}" for k, v in result["false_alarms_by_kind"].items()))
    if errors:
        for kind, value, text in result["misses"]:
            print(f"  MISS {kind}:{value}  | {text}")
        for kind, value, text in result["alarms"]:
            print(f"  FALSE {kind}:{value}  | {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every miss and false alarm")
    parser.add_argument("--set", action="append", help="only these sets (repeatable)")
    args = parser.parse_args()
    for name, rows in all_sets().items():
        if args.set is None or name in args.set:
            report(name, score(rows), args.errors)


if __name__ == "__main__":
    main()
