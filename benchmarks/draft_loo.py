"""Leave-one-out drafting benchmark: draft each sample summary from its facts with that summary held out.

For each summary with enough figures (tests/data/facts/<name>.json), the template engine drafts from the
facts while retrieval excludes the summary itself; the draft is compared with the real text by
character-level ROUGE-L F1 and checked by verify(). The naive baseline is the nearest other summary
with its unit swapped for ours: close in wording, but full of figures the facts do not hold.

Run: .venv/bin/python benchmarks/draft_loo.py   (DRAFTING_HOME defaults to /tmp/drafting-loo-home)
"""

import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DRAFTING_HOME", "/tmp/drafting-loo-home")

from drafting import runtime  # noqa: E402
from drafting.config import CORPUS_DIR, get_settings  # noqa: E402
from drafting.corpus.load import read_file  # noqa: E402
from drafting.corpus.models import Document  # noqa: E402
from drafting.writer.facts import Facts, load_facts  # noqa: E402
from drafting.writer.models import Verification  # noqa: E402
from drafting.writer.pipeline import write_draft  # noqa: E402
from drafting.writer.template_engine import TemplateEngine  # noqa: E402
from drafting.writer.verify import verify  # noqa: E402

FACTS_DIR = ROOT / "tests" / "data" / "facts"
# facts file -> the corpus file it was written from
CASES = {
    "district_committee": "03-district-committee-appraisal.md",
    "haizhou_school_appraisal": "01-haizhou-school-appraisal.md",
    "haizhou_school_activity": "02-haizhou-school-activity.md",
    "forest_police": "04-forest-police-appraisal.md",
    "yinyu_mine": "06-yinyu-mine-appraisal.md",
}


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence, bit-parallel (Hyyrö 2004) on Python integers."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, ch in enumerate(a):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for ch in b:
        u = v & masks.get(ch, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - bin(v).count("1")


def rouge_l_f1(candidate: str, reference: str) -> float:
    """Character-level ROUGE-L F1, whitespace ignored."""
    c, r = re.sub(r"\s", "", candidate), re.sub(r"\s", "", reference)
    lcs = lcs_length(c, r)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(c), lcs / len(r)
    return 2 * precision * recall / (precision + recall)


def full_text(doc: Document) -> str:
    return f"{doc.title}\n{doc.text}"


def baseline(facts: Facts, held_out: Document, summaries: list[Document], retriever) -> tuple[Document, str]:
    """The nearest other summary (by retrieval), with its unit replaced by ours."""
    query = " ".join([facts.unit, facts.activity, facts.basis or "", *facts.highlights, "群众评议工作总结"])
    others = {d.id: d for d in summaries if d.id != held_out.id}
    for passage in retriever.search(query, 20, exclude_docs={held_out.id}):
        if passage.doc_id in others:
            nearest = others[passage.doc_id]
            break
    else:
        nearest = next(iter(others.values()))
    text = full_text(nearest)
    if nearest.unit:
        text = text.replace(nearest.unit, facts.unit)
    return nearest, text


def describe(report: Verification) -> str:
    return (f"ok={report.ok!s:5} missing={len(report.missing_facts):2}"
            f" unsupported={len(report.unsupported_numbers):3}")


def main() -> None:
    settings = get_settings()
    docs = {path.name: read_file(path, settings.max_file_bytes) for path in sorted(CORPUS_DIR.glob("*.md"))}
    summaries = [d for d in docs.values() if d.kind == "summary"]
    retriever = runtime.retriever()
    engine = TemplateEngine()
    print(f"{'case':26} {'chars':>5}  {'ROUGE-L':>7}  verification{'':28}"
          " | baseline (nearest other, unit swapped)")
    totals: dict[str, list[float]] = {"draft": [], "base": []}
    for name, source in CASES.items():
        facts = load_facts(FACTS_DIR / f"{name}.json")
        held_out = docs[source]
        reference = full_text(held_out)
        started = time.perf_counter()
        draft = write_draft(facts, retriever=retriever, engine=engine, exclude_docs={held_out.id})
        seconds = time.perf_counter() - started
        held_chunks = {p.id for p in runtime.store().passages() if p.doc_id == held_out.id}
        if any(s.id in held_chunks for s in draft.sources):
            raise AssertionError(f"{name}: the held-out summary was retrieved")
        score = rouge_l_f1(draft.text, reference)
        nearest, base_text = baseline(facts, held_out, summaries, retriever)
        base_score = rouge_l_f1(base_text, reference)
        base_report = verify(facts, base_text)
        totals["draft"].append(score)
        totals["base"].append(base_score)
        print(f"{name:26} {len(draft.text):5}  {score:7.3f}  {describe(draft.verification)} {seconds:5.2f}s"
              f" | {base_score:.3f} {describe(base_report)} from {nearest.source.split('/')[-1]}")
    mean = {k: sum(v) / len(v) for k, v in totals.items()}
    print(f"{'mean':26} {'':5}  {mean['draft']:7.3f}  {'':43} | {mean['base']:.3f}")


if __name__ == "__main__":
    main()
