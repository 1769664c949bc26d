"""Summaries of a classify run: one row a theme with counts, shares, representatives and measures."""

from functools import lru_cache

import numpy as np
import yaml

from drafting.feedback.discover import Cluster, c_tf_idf, nouns_first
from drafting.feedback.models import (
    PRAISE_NAME,
    AssignedOpinion,
    ClassifyResult,
    DiscoveredTheme,
    Taxonomy,
    ThemeSummary,
)
from drafting.feedback.opinions import Opinions
from drafting.templates import render

REPRESENTATIVES = 3
OVERVIEW_MIN = 3  # a theme of fewer opinions is summed up by its description
OVERVIEW_KEYWORDS = 3
FREQUENCY_BONUS = 0.1  # an opinion said e times as often counts as 0.1 closer to the centre


def measure_for(theme_id: str, name: str, keywords: list[str]) -> tuple[str, str]:
    """(measure, department) from prompts/measures.yaml.j2: the theme's own entry (led by what its
    opinions are about, when known), else the default one."""
    entries = _measures(name, tuple(keywords))
    entry = entries.get(theme_id) if theme_id != "default" else None
    entry = entry if isinstance(entry, dict) else None
    lead = str(entries.get("_lead") or "") if entry is not None else ""
    entry = entry or entries["default"]
    return lead + str(entry.get("measure") or ""), str(entry.get("department") or "")


@lru_cache(maxsize=256)
def _measures(name: str, keywords: tuple[str, ...]) -> dict:
    return yaml.safe_load(render("measures.yaml.j2", theme_name=name, keywords=list(keywords)))


def summarise(ops: Opinions, theme_of: list[str | None], score_of: np.ndarray, vectors: np.ndarray, *,
              taxonomy: Taxonomy | None, praise_id: str, clusters: list[Cluster]) -> ClassifyResult:
    """The ClassifyResult: every opinion with its theme, every theme with its row of the list."""
    alive = ops.alive()
    members: dict[str, list[int]] = {}
    for i in alive:
        theme = theme_of[i]
        if theme is not None:
            members.setdefault(theme, []).append(i)
    known = {t.id: t for t in taxonomy.themes} if taxonomy is not None else {}
    found = {c.label: c for c in clusters}
    about = _keywords({theme: rows_of for theme, rows_of in members.items()
                       if theme in known and theme != praise_id}, ops, alive)
    rows: list[ThemeSummary] = []
    for theme_id, rows_of in members.items():
        count = int(ops.weights[rows_of].sum())
        picks = _representatives(rows_of, ops, vectors)
        if theme_id in found:
            cluster = found[theme_id]
            measure, department = measure_for(theme_id, cluster.label, cluster.keywords)
            rows.append(ThemeSummary(id=theme_id, name=cluster.label, count=count, share=count / ops.total,
                                     representatives=cluster.evidence or picks, measure=measure,
                                     department=department, discovered=True, summary=cluster.criterion))
            continue
        source = known.get(theme_id)
        praise = theme_id == praise_id
        name = source.name if source is not None else (PRAISE_NAME if praise else theme_id)
        keywords = about.get(theme_id, [])
        measure, department = ("", "") if praise else measure_for(theme_id, name, keywords)
        summary = render("overview.j2", keywords=keywords) if keywords else ""
        rows.append(ThemeSummary(
            id=theme_id, name=name, count=count, share=count / ops.total, representatives=picks,
            measure=(source.measure if source is not None and source.measure else measure),
            department=(source.department if source is not None and source.department else department),
            summary=summary or (source.description if source is not None else ""), praise=praise))
    rows.sort(key=lambda row: (-row.count, row.id))
    assignments = [
        AssignedOpinion(line=line, text=text, theme=theme_of[u], score=round(float(score_of[u]), 4))
        for line, text, u in zip(ops.lines, ops.texts, ops.uid.tolist(), strict=True)]
    discovered = [
        DiscoveredTheme(label=c.label, criterion=c.criterion, keywords=c.keywords, evidence=c.evidence,
                        lines=sorted({a.line for a in assignments if a.theme == c.label}))
        for c in clusters]
    return ClassifyResult(total=ops.total, unique=len(alive), themes=rows, assignments=assignments,
                          discovered=discovered, engine="embedded")


def _keywords(members: dict[str, list[int]], ops: Opinions, alive: list[int]) -> dict[str, list[str]]:
    """What each theme's opinions are about, against all the run's opinions: its first keywords by
    class-based TF-IDF, nouns first, for themes of at least OVERVIEW_MIN opinions."""
    themes = [theme for theme, rows in members.items() if int(ops.weights[rows].sum()) >= OVERVIEW_MIN]
    docs = [[ops.unique[i] for i in members[theme] for _ in range(int(ops.weights[i]))] for theme in themes]
    ranked = c_tf_idf(docs, [ops.unique[i] for i in alive]) if docs else []
    return {theme: nouns_first(words[:OVERVIEW_KEYWORDS * 2])[:OVERVIEW_KEYWORDS]
            for theme, words in zip(themes, ranked, strict=True) if words}


def _representatives(rows: list[int], ops: Opinions, vectors: np.ndarray) -> list[str]:
    """The typical opinions: near the theme's centre, and the more often said the better (most frequent
    first when there are no vectors)."""
    has_vector = vectors.shape[1] > 0 and bool(np.any(vectors[rows]))
    if has_vector:
        block = vectors[rows]
        usable = np.any(block, axis=1)
        centre = block[usable].mean(axis=0)
        typical = block @ centre + FREQUENCY_BONUS * np.log(ops.weights[rows])
        order = np.argsort(-typical - (~usable) * 10.0, kind="stable")
    else:
        order = np.argsort(-ops.weights[rows], kind="stable")
    return [ops.unique[rows[int(k)]] for k in order[:REPRESENTATIVES]]
