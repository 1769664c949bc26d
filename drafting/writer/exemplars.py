"""Exemplars: the passages of past summaries retrieved for each slot of a draft, and where each highlight
and result figure of the facts belongs, by meaning when an embedder is given."""

from functools import lru_cache

import numpy as np
import yaml
from pydantic import BaseModel, Field

from drafting.config import PROMPTS_DIR
from drafting.corpus.models import Passage, Retriever
from drafting.embed import Embedder
from drafting.writer.facts import Facts
from drafting.writer.models import PARTS, Exemplars
from drafting.writer.phrasing import figure_kind, stat_phrase

SLOTS_FILE = PROMPTS_DIR / "template" / "slots.yaml"
SLOT_K = 24  # passages a slot reads sentences from
PART_K = 3  # passages a part shows the LLM
KEYWORD_BONUS = 0.04  # a highlight that uses a slot's own words leans to it


class Slot(BaseModel):
    """One slot of a template draft, as prompts/template/slots.yaml gives it."""

    part: str = Field(description="The draft part the slot belongs to, one of PARTS")
    home: bool = Field(description="Whether highlights and result figures may be placed here")
    query: str = Field(description="Search words for the slot's exemplars")
    must: str = Field("", description="A borrowed sentence must match this pattern (empty: any)")
    topic: str = Field("", description="Another unit's sentence must match this pattern (empty: any)")


@lru_cache
def slots() -> dict[str, Slot]:
    data = yaml.safe_load(SLOTS_FILE.read_text(encoding="utf-8"))
    return {name: Slot(**entry) for name, entry in data.items()}


def slots_for(facts: Facts) -> dict[str, Slot]:
    """The slots a draft of these facts has: 上一轮整改落实情况 only when they carry last round's rows."""
    return {name: slot for name, slot in slots().items() if slot.part != "carried" or facts.carried}


def slot_query(name: str, facts: Facts) -> str:
    """The search text for one slot: the genre's cues, the activity, and for some slots the facts' items."""
    extra = [facts.campaign or ""]
    if name == "problems.lead":
        extra += facts.problems[:2]
    if name.startswith("next."):
        extra += facts.next_steps[:2]
    return " ".join([slots()[name].query, *extra])


def placeable(facts: Facts) -> list[str]:
    """What goes where its meaning fits: the highlights, then the figures of the work's results."""
    return [*facts.highlights, *(stat_phrase(s) for s in facts.stats if figure_kind(s) == "result")]


def place_by_meaning(facts: Facts, embedder: Embedder) -> dict[str, str]:
    """Each highlight and result figure to the home slot whose search words it means most like."""
    items = placeable(facts)
    homes = [name for name, slot in slots().items() if slot.home]
    if not items:
        return {}
    vectors = embedder.queries(items + [slots()[name].query for name in homes])
    similarity = vectors[: len(items)] @ vectors[len(items):].T
    bonus = np.array([[KEYWORD_BONUS * sum(w in item for w in slots()[name].query.split()) for name in homes]
                      for item in items])
    return {item: homes[int(row.argmax())] for item, row in zip(items, similarity + bonus, strict=True)}


def retrieve_exemplars(facts: Facts, retriever: Retriever, *, k: int = SLOT_K,
                       exclude_docs: set[str] | None = None, embedder: Embedder | None = None) -> Exemplars:
    """Exemplar passages for each slot, the facts' own sector first; each part keeps its best few."""
    queries = {name: slot_query(name, facts) for name in slots_for(facts)}
    retriever.prime(list(queries.values()))
    found_by_slot: dict[str, list[Passage]] = {}
    for name, query in queries.items():
        found: list[Passage] = []
        if facts.sector:
            found = retriever.search(query, k, sector=facts.sector, exclude_docs=exclude_docs)
        if len(found) < k:
            seen = {p.id for p in found}
            found += [p for p in retriever.search(query, k, exclude_docs=exclude_docs)
                      if p.id not in seen][: k - len(found)]
        found_by_slot[name] = found
    parts: dict[str, list[Passage]] = {}
    for part in PARTS:
        best: dict[str, Passage] = {}
        for name, found in found_by_slot.items():
            if slots()[name].part == part:
                for p in found:
                    best.setdefault(p.id, p)
        parts[part] = sorted(best.values(), key=lambda p: -p.score)[:PART_K]
    placements = place_by_meaning(facts, embedder) if embedder is not None else {}
    return Exemplars(parts=parts, slots=found_by_slot, placements=placements)
