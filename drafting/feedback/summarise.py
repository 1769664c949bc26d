"""Summaries of a classify run: one row a theme with counts, shares, representatives and measures."""

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import yaml

from drafting.feedback.discover import Cluster, c_tf_idf, nouns_first, tokens
from drafting.feedback.models import (
    PRAISE_NAME,
    TYPICAL_OPINIONS,
    AssignedOpinion,
    ClassifyResult,
    DiscoveredTheme,
    Taxonomy,
    Theme,
    ThemeSummary,
)
from drafting.feedback.opinions import Opinions
from drafting.templates import render

OVERVIEW_MIN = 3  # a theme of fewer opinions is summed up by its description
OVERVIEW_KEYWORDS = 3
# Typical opinions: near the theme's centre, informative (content words, a concrete figure such as 两个窗口
# or 三个小时), distinct from the ones already picked; frequency counts a little.
FREQUENCY_BONUS = 0.05  # an opinion said e times as often counts as 0.05 closer to the centre
INFORMATION_WEIGHT = 0.15
CONTENT_WORDS = 5  # content words beyond this add no information
CONCRETE_BONUS = 0.5  # in units of a full content-word score
NOVELTY = 0.5  # how much likeness to an already picked opinion costs
_CONCRETE = re.compile(r"[\d一二两三四五六七八九十几半]+\s*(?:个|次|趟|天|小时|分钟|点|号|元|块|周|星期|礼拜|"
                       r"月|年|层|楼|台|人|遍|辆|项|份|斤|公里|米)")
MAX_ACTIONS = 3
MIN_CUE_CHARS = 2  # cue words borrowed from other themes must be at least this long


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
              taxonomy: Taxonomy | None, praise_id: str, clusters: list[Cluster],
              flags: list[str | None] | None = None, sector_themes: Sequence[Theme] = ()) -> ClassifyResult:
    """The ClassifyResult: every opinion with its theme, every theme with its row of the list. Flagged
    opinions (injections, formulas) are in no theme and lend no words to keywords or measures."""
    flags = flags if flags is not None else [None] * len(ops.unique)
    bank = _bank(taxonomy, sector_themes)
    alive = [i for i in ops.alive() if flags[i] is None]
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
            named = next((t for t in sector_themes if t.name == cluster.label), None)
            measure, department = _theme_measure(theme_id, cluster.label, cluster.keywords, named, rows_of,
                                                 ops, [] if named is not None else bank)
            rows.append(ThemeSummary(id=theme_id, name=cluster.label, count=count, share=count / ops.total,
                                     representatives=cluster.evidence or picks, measure=measure,
                                     department=department, discovered=True, summary=cluster.criterion))
            continue
        source = known.get(theme_id)
        praise = theme_id == praise_id
        name = source.name if source is not None else (PRAISE_NAME if praise else theme_id)
        keywords = about.get(theme_id, [])
        measure, department = ("", "") if praise else \
            _theme_measure(theme_id, name, keywords, source, rows_of, ops, bank)
        summary = render("overview.j2", keywords=keywords) if keywords else ""
        rows.append(ThemeSummary(
            id=theme_id, name=name, count=count, share=count / ops.total, representatives=picks,
            measure=measure, department=department,
            summary=summary or (source.description if source is not None else ""), praise=praise))
    rows.sort(key=lambda row: (-row.count, row.id))
    assignments = [
        AssignedOpinion(line=line, text=text, theme=theme_of[u], score=round(float(score_of[u]), 4),
                        flag=flags[u])  # type: ignore[arg-type]
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
    """The typical opinions: central, informative and distinct (most frequent first when there are no
    vectors)."""
    has_vector = vectors.shape[1] > 0 and bool(np.any(vectors[rows]))
    if not has_vector:
        order = np.argsort(-ops.weights[rows], kind="stable")
        return [ops.unique[rows[int(k)]] for k in order[:TYPICAL_OPINIONS]]
    block = vectors[rows]
    usable = np.any(block, axis=1)
    centre = block[usable].mean(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-12)
    merit = block @ centre + FREQUENCY_BONUS * np.log(ops.weights[rows]) \
        + INFORMATION_WEIGHT * np.array([_information(ops.unique[i]) for i in rows]) - (~usable) * 10.0
    picked: list[int] = []
    while len(picked) < min(TYPICAL_OPINIONS, len(rows)):
        likeness = (block @ block[picked].T).max(axis=1) if picked else np.zeros(len(rows))
        value = merit - NOVELTY * np.maximum(likeness, 0.0)
        value[picked] = -np.inf
        best = int(np.argmax(value))
        if not np.isfinite(value[best]):
            break
        picked.append(best)
    return [ops.unique[rows[k]] for k in picked]


def _information(text: str) -> float:
    """How much an opinion says: its content words (up to CONTENT_WORDS), more for a concrete figure."""
    words = min(len(set(tokens(text))), CONTENT_WORDS) / CONTENT_WORDS
    return words + (CONCRETE_BONUS if _CONCRETE.search(text) else 0.0)


def _theme_measure(theme_id: str, name: str, keywords: list[str], source: Theme | None, rows: list[int],
                   ops: Opinions, bank: list[Theme]) -> tuple[str, str]:
    """(measure, department) of a taxonomy theme: the actions its opinions call for (its own `actions`,
    then the sector taxonomies'), else its `measure`, else the template's; the department likewise."""
    built = _built_measure(source, rows, ops, bank)
    fallback, department = measure_for(theme_id, name, keywords)
    measure = built[0] if built else (source.measure if source is not None and source.measure else fallback)
    if source is not None and source.department:
        department = source.department
    elif built and built[1]:
        department = built[1]
    return measure, department


def _built_measure(source: Theme | None, rows: list[int], ops: Opinions,
                   bank: list[Theme]) -> tuple[str, str] | None:
    """The numbered actions the opinions name most (a cue word's count weighted by repeats), with the
    department of the theme whose cues matched most; None when no cue matches."""
    texts = [(ops.unique[i], int(ops.weights[i])) for i in rows]
    own = list(source.actions.items()) if source is not None else []
    hits: Counter[str] = Counter()
    owner: dict[str, Theme | None] = {}
    for cue, action in own:
        hits[action] += sum(w for t, w in texts if cue in t)
        owner.setdefault(action, source)
    least = 1  # one opinion naming a theme's own action is enough; a borrowed one needs two
    if not +hits:
        least = min(2, sum(w for _, w in texts))
        for theme in bank:
            for cue, action in theme.actions.items():
                if len(cue) >= MIN_CUE_CHARS:
                    hits[action] += sum(w for t, w in texts if cue in t)
                    owner.setdefault(action, theme)
    chosen = [a for a, n in hits.most_common() if n >= least][:MAX_ACTIONS]
    if not chosen:
        return None
    votes: Counter[str] = Counter()
    for action in chosen:
        giver = owner[action]
        if giver is not None and giver.department:
            votes[giver.department] += hits[action]
    department = votes.most_common(1)[0][0] if votes else ""
    return render("measure_actions.j2", actions=chosen).strip(), department


def _bank(taxonomy: Taxonomy | None, sector_themes: Sequence[Theme]) -> list[Theme]:
    """Themes whose actions a theme without its own may borrow: this taxonomy's, then the unit's sector's."""
    mine = [t for t in taxonomy.themes if t.actions] if taxonomy is not None else []
    return mine + [t for t in sector_themes if t.actions and t not in mine]
