"""Sameness and corpus effect of template drafts on the blind held-out fact sets (tests/data/facts_heldout).

- Sameness: for every pair of drafts of different units, the share of a draft's characters that lie in
  runs of 12 or more characters found verbatim in the other draft; mean and worst pair.
- Corpus effect: for each unit with its own past summary (own_summaries/<name>.md), the share of its draft's
  characters in 10+ character runs shared with that summary, before and after the summary joins the store;
  and whether any must-not-leak string of it (README.md) appears in the new draft.
- Fidelity: figures invented or dropped, over the held-out drafts.

Run: .venv/bin/python benchmarks/draft_sameness.py [--show NAME ...]
"""

import argparse
import itertools
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafting.config import Settings  # noqa: E402
from drafting.corpus.retrieve import HybridRetriever  # noqa: E402
from drafting.corpus.store import open_store  # noqa: E402
from drafting.embed import make_embedder  # noqa: E402
from drafting.testkit.facts import generated_facts, sample_facts  # noqa: E402
from drafting.writer.facts import load_facts  # noqa: E402
from drafting.writer.models import Draft  # noqa: E402
from drafting.writer.pipeline import write_draft  # noqa: E402
from drafting.writer.template_engine import TemplateEngine  # noqa: E402

HELDOUT = ROOT / "tests" / "data" / "facts_heldout"
OWN = HELDOUT / "own_summaries"
SAMPLES = (ROOT / "tests" / "data" / "facts", ROOT / "tests" / "data" / "facts_blind")


def body(draft: Draft) -> str:
    """The draft's sections without title and signature, whitespace removed."""
    return re.sub(r"\s", "", "".join(s.heading + "".join(s.items) for s in draft.sections))


def shared_share(text: str, other: str, run: int) -> float:
    """Share of `text`'s characters inside runs of `run`+ characters that also occur in `other`."""
    grams = {other[i:i + run] for i in range(len(other) - run + 1)}
    covered = [False] * len(text)
    for i in range(len(text) - run + 1):
        if text[i:i + run] in grams:
            covered[i:i + run] = [True] * run
    return sum(covered) / (len(text) or 1)


def must_not_leak(name: str) -> list[str]:
    """The README's must-not-leak strings for one unit's own summary."""
    readme = (HELDOUT / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"`own_summaries/{name}.md`", 1)[1]
    block = section.split("Must NOT leak", 1)[1].split("\n", 1)[1].split("\n\n", 1)[0]
    return [s.strip() for s in block.replace("\n", " ").split("·") if s.strip()]


def facts_path(name: str) -> Path:
    return next(p for p in HELDOUT.iterdir() if p.stem == name and p.suffix in (".json", ".yaml"))


def own_text(name: str) -> str:
    return re.sub(r"\s", "", (OWN / f"{name}.md").read_text(encoding="utf-8").split("---", 2)[2])


def fidelity(retriever: HybridRetriever, embedder) -> None:
    """Every fact set of the tests and the generated ones, drafted with exemplars: faults, figures dropped or
    invented, items unused."""
    cases = [*sample_facts(SAMPLES), *(load_facts(facts_path(n)) for n in
                                sorted(p.stem for p in HELDOUT.iterdir() if p.suffix in (".json", ".yaml"))),
             *generated_facts()]
    engine = TemplateEngine()
    drafts = [write_draft(f, retriever=retriever, engine=engine, embedder=embedder) for f in cases]
    invented = sum(len(d.verification.unsupported_numbers) for d in drafts)
    missing = sum(len(d.verification.missing_facts) for d in drafts)
    borrowed = sum(len(s.shaped) for d in drafts for s in d.sources)
    print(f"fidelity over {len(cases)} fact sets with exemplars: {invented} figures invented, "
          f"{missing} facts "
          f"dropped or unused, {sum(not d.verification.ok for d in drafts)} drafts with faults; "
          f"{borrowed / len(drafts):.1f} borrowed sentences a draft")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", nargs="*", default=[], help="print these units' drafts as Markdown")
    args = parser.parse_args()
    settings = Settings(home=Path(tempfile.mkdtemp(prefix="drafting-sameness-")))
    embedder = make_embedder(settings)
    store = open_store(settings, embedder)
    engine = TemplateEngine()
    names = sorted(p.stem for p in HELDOUT.iterdir() if p.suffix in (".json", ".yaml"))

    def draft(name: str, retriever: HybridRetriever) -> Draft:
        facts = load_facts(facts_path(name))
        return write_draft(facts, retriever=retriever, engine=engine, embedder=embedder)

    retriever = HybridRetriever(store)
    drafts = {name: draft(name, retriever) for name in names}
    faults = {name: d.verification.feedback() for name, d in drafts.items() if not d.verification.ok}
    texts = {name: body(d) for name, d in drafts.items()}
    pairs = {(a, b): shared_share(texts[a], texts[b], 12) for a, b in itertools.permutations(names, 2)}
    print(f"{len(names)} held-out units, draft length {min(map(len, texts.values()))}–"
          f"{max(map(len, texts.values()))} characters")
    mean = sum(pairs.values()) / len(pairs)
    print(f"sameness (12+ runs shared with another unit's draft): mean {mean:.3f}, "
          f"worst pair {max(pairs.values()):.3f} {max(pairs, key=lambda k: pairs[k])}")
    for name in names:
        mine = [v for (a, _), v in pairs.items() if a == name]
        print(f"  {name:20s} mean {sum(mine) / len(mine):.3f} max {max(mine):.3f}  {len(texts[name])} chars")
    print(f"fidelity: {len(faults)} of {len(names)} held-out drafts with faults {faults or ''}")
    fidelity(retriever, embedder)
    own_names = sorted(p.stem for p in OWN.glob("*.md"))
    before = {name: shared_share(texts[name], own_text(name), 10) for name in own_names}
    store.add_files([OWN / f"{name}.md" for name in own_names])
    retriever = HybridRetriever(store)
    print("corpus effect (10+ runs shared with the unit's own past summary):")
    for name in own_names:
        after_draft = draft(name, retriever)
        after = shared_share(body(after_draft), own_text(name), 10)
        given = facts_path(name).read_text(encoding="utf-8")
        leaks = [s for s in must_not_leak(name) if s in after_draft.text and s not in given]
        shaped = sum(len(s.shaped) for s in after_draft.sources if s.title in own_text(name))
        print(f"  {name:16s} before {before[name]:.3f} after {after:.3f} gain {after - before[name]:+.3f} "
              f"leaks {leaks or 'none'} ok={after_draft.verification.ok} sentences from it {shaped}")
        if name in args.show:
            drafts[name + "+own"] = after_draft
    for name in args.show:
        for key in (name, name + "+own"):
            if key in drafts:
                out = Path(tempfile.gettempdir()) / f"draft-{key}.md"
                out.write_text(drafts[key].markdown, encoding="utf-8")
                print("wrote", out)


if __name__ == "__main__":
    main()
