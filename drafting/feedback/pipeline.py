"""Feedback: pasted opinions -> redacted, split, deduplicated, flagged, classified, discovered, summarised.

The run is a sequence of named steps over one `_Run` (the opinions and each distinct opinion's theme and
score): settle what the words decide (no opinion, praise, praise of staff, injections and formulas),
embed the rest (each text once per embedder and process), classify, read split lines' subjectless parts
with their line, discover themes among what is left, summarise.
"""

import math
import weakref
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from drafting.config import DEFAULT_TAXONOMY
from drafting.embed import Embedder
from drafting.errors import BadInput
from drafting.feedback.classify_embedded import known_queries
from drafting.feedback.discover import Cluster, discover, tokens
from drafting.feedback.models import (
    OTHER_NAME,
    PRAISE_ID,
    Classifier,
    ClassifyResult,
    OpinionInput,
    Progress,
    Taxonomy,
    Theme,
)
from drafting.feedback.opinions import (
    Opinions,
    commends_staff,
    flag_of,
    is_no_opinion,
    prepare,
    reads_as_praise,
)
from drafting.feedback.read import annotate
from drafting.feedback.redact import Masked
from drafting.feedback.summarise import summarise
from drafting.feedback.taxonomy import sector_themes

MAX_OTHER_SHARE = 0.08
PROGRESS_STEPS = 40  # the embedding counter moves at least every 1/40 of the work
MIN_CHUNK, MAX_CHUNK = 16, 256
MAX_CACHED_ROWS = 200_000  # rows of already seen texts kept per embedder


@dataclass
class _Run:
    """A run's opinions and, per distinct opinion, its theme, score and flag."""

    ops: Opinions
    praise_id: str
    theme_of: list[str | None]
    score_of: np.ndarray
    settled: np.ndarray  # decided by the words: never embedded, classified or clustered
    flags: list[str | None]
    commended: list[int] = field(default_factory=list)
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))


def classify_opinions(lines: Sequence[str], *, taxonomy: Taxonomy | None, classifier: Classifier | None,
                      embedder: Embedder, progress: Progress | None = None,
                      source: OpinionInput | None = None) -> ClassifyResult:
    """Group one-answer-a-line opinions into the taxonomy's themes and newly discovered ones; `source`,
    what the reader made of the lines, adds each form row's 序号 and 部门 and the skipped lines."""
    tell = _teller(progress)
    lines = _non_blank(lines)
    if taxonomy is not None and classifier is None:
        raise BadInput.field("engine", "有主题分类表时需要一个归类器")
    run = _settle_by_words(prepare(lines, tell), taxonomy.praise_id if taxonomy is not None else PRAISE_ID)
    open_rows = _embed_open(run, classifier, embedder, tell)
    if classifier is not None and len(open_rows):
        _classify(run, open_rows, classifier, tell)
    hints = sector_themes(taxonomy, lines)
    clusters, other = _discover_rest(run, taxonomy, embedder, hints, tell)
    tell("summarise", 0, 1)
    result = summarise(run.ops, run.theme_of, run.score_of, run.vectors, taxonomy=taxonomy,
                       praise_id=run.praise_id, clusters=clusters, flags=run.flags, sector_themes=hints)
    tell("summarise", 1, 1)
    result = result.model_copy(update={
        "engine": classifier.name if classifier is not None else "embedded",
        "warnings": _warnings(run, taxonomy, classifier, other),
        "commendations": [run.ops.unique[i] for i in run.commended],
        "sector": taxonomy.sector if taxonomy is not None else None})
    return annotate(result, source) if source is not None else result


def _teller(progress: Progress | None) -> Progress:
    def tell(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    return tell


def _non_blank(lines: Sequence[str]) -> Sequence[str]:
    kept = [line for line in lines if line.strip()]
    if not kept:
        raise BadInput.field("text", "没有意见：输入为空")
    return Masked(kept) if isinstance(lines, Masked) else kept


def _settle_by_words(ops: Opinions, praise_id: str) -> _Run:
    """What the words decide: injections and formulas (flagged, in no theme), 无/满意 and praise with no
    complaint in it (praise), praise of staff (praise, and reported as 表扬)."""
    n = len(ops.unique)
    run = _Run(ops=ops, praise_id=praise_id, theme_of=[None] * n, score_of=np.zeros(n, dtype=np.float32),
               settled=np.zeros(n, dtype=bool), flags=[flag_of(text) for text in ops.unique])
    for i, text in enumerate(ops.unique):
        if run.flags[i] is not None:
            run.settled[i] = True
        elif is_no_opinion(text) or reads_as_praise(text) or commends_staff(text):
            run.settled[i] = True
            run.theme_of[i] = praise_id
            run.score_of[i] = 1.0
            if commends_staff(text):
                run.commended.append(i)
    return run


def _embed_open(run: _Run, classifier: Classifier | None, embedder: Embedder, tell: Progress) -> np.ndarray:
    """Rows for the opinions still open (as the classifier wants them); near duplicates folded."""
    ops = run.ops
    rows = np.flatnonzero(~run.settled)
    run.vectors = np.zeros((len(ops.unique), 0), dtype=np.float32)
    if not len(rows):
        return rows
    embed = classifier.embed if classifier is not None else embedder.queries
    found = _embed([ops.unique[i] for i in rows], embed, _cache_for(embedder, classifier), tell)
    run.vectors = np.zeros((len(ops.unique), found.shape[1]), dtype=np.float32)
    run.vectors[rows] = found
    rows, merged = ops.merge_near(rows, run.vectors)
    for i in merged:
        run.theme_of[i] = None
    return rows


def _classify(run: _Run, rows: np.ndarray, classifier: Classifier, tell: Progress) -> None:
    """The classifier's theme for each open opinion; subjectless parts of split lines take their line's."""
    tell("fit", 0, 1)
    classifier.fit()
    tell("fit", 1, 1)
    tell("classify", 0, len(rows))
    found = classifier.classify([run.ops.unique[i] for i in rows], run.vectors[rows])
    for row, assignment in zip(rows.tolist(), found, strict=True):
        run.theme_of[row] = assignment.theme
        run.score_of[row] = assignment.score
    if classifier.rereads_lines:
        _subjectless_parts(run, set(rows.tolist()))
    tell("classify", len(rows), len(rows))


def _subjectless_parts(run: _Run, classified: set[int]) -> None:
    """A part of a split line with no subject of its own ("2、希望尽快解决" after "1、小区电梯经常坏") takes
    the theme of the nearest part before it on the line that has one (after it, for a first part), when
    it is not also an answer by itself. Parts with a subject keep their own themes."""
    ops = run.ops
    parts_of: dict[int, list[int]] = defaultdict(list)
    for line, row in zip(ops.lines, ops.uid.tolist(), strict=True):
        parts_of[line].append(row)
    alone = {parts[0] for parts in parts_of.values() if len(parts) == 1}
    for parts in parts_of.values():
        if len(parts) < 2:
            continue
        subject = [bool(tokens(ops.unique[row])) for row in parts]
        for k, row in enumerate(parts):
            if subject[k] or row not in classified or row in alone:
                continue
            donors = [parts[j] for j in [*range(k - 1, -1, -1), *range(k + 1, len(parts))]
                      if subject[j] and run.theme_of[parts[j]] is not None]
            if donors:
                run.theme_of[row] = run.theme_of[donors[0]]
                run.score_of[row] = run.score_of[donors[0]]


def _discover_rest(run: _Run, taxonomy: Taxonomy | None, embedder: Embedder, hints: Sequence[Theme],
                   tell: Progress) -> tuple[list[Cluster], int]:
    """New themes among the opinions no theme took; the count left as 其他."""
    ops = run.ops
    alive = ops.alive()
    open_rows = np.array([i for i in alive if run.theme_of[i] is None and not run.settled[i]], dtype=int)
    if not len(open_rows):
        return [], 0
    tell("discover", 0, len(open_rows))
    taken = {t.name for t in taxonomy.themes} if taxonomy is not None else set()
    background = [ops.unique[i] for i in alive if run.flags[i] is None]
    clusters, leftover, similarity = discover(
        [ops.unique[i] for i in open_rows], run.vectors[open_rows], ops.weights[open_rows],
        background=background, taken_names=taken, max_other=MAX_OTHER_SHARE, total=ops.total,
        mean=common_direction(embedder), sector_themes=hints)
    for cluster in clusters:
        for k, sim in zip(cluster.members, cluster.similarity, strict=True):
            run.theme_of[open_rows[k]] = cluster.label
            run.score_of[open_rows[k]] = sim
    for i, sim in zip(open_rows[leftover], similarity, strict=True):
        run.score_of[i] = sim
    tell("discover", len(open_rows), len(open_rows))
    return clusters, int(ops.weights[open_rows[leftover]].sum()) if len(leftover) else 0


def _warnings(run: _Run, taxonomy: Taxonomy | None, classifier: Classifier | None, other: int) -> list[str]:
    """The classifier's warnings, themes with nothing to learn from, flagged text and the size of 其他."""
    warnings = list(classifier.warnings) if classifier is not None else []
    if taxonomy is not None:
        bare = [t.name for t in taxonomy.themes
                if t.id != run.praise_id and not t.description and not t.examples]
        if bare:
            warnings.append(f"主题“{'”“'.join(bare)}”没有说明和示例，只凭名称归类，结果可能不准，"
                            "建议在分类表中补充 description 和 examples")
    weights = run.ops.weights
    injected = int(sum(weights[i] for i, f in enumerate(run.flags) if f == "injection"))
    formulas = int(sum(weights[i] for i, f in enumerate(run.flags) if f == "formula"))
    if injected:
        warnings.append(f"有 {injected} 条内容可疑（像是给电脑下的指令，而不是意见），已单独标出，"
                        "未计入任何主题，请人工查看")
    if formulas:
        warnings.append(f"有 {formulas} 条内容以“=”“+”等符号开头，已单独标出，未计入任何主题，"
                        "导出时按原文保存")
    if other:
        share = other / run.ops.total
        note = f"有 {other} 条意见（{share:.1%}）未能归入任何主题，列为“{OTHER_NAME}”"
        if share > MAX_OTHER_SHARE:
            note += f"，超过 {MAX_OTHER_SHARE:.0%}，请人工复核"
        warnings.append(note)
    return warnings


def common_direction(embedder: Embedder) -> np.ndarray:
    """The embedder's mean vector over reference sentences: the default taxonomy's descriptions
    and examples (kept per embedder, so a long-lived service embeds them once)."""
    if embedder.name not in _COMMON:
        import yaml

        with open(DEFAULT_TAXONOMY, encoding="utf-8") as handle:
            themes = yaml.safe_load(handle)["themes"]
        sentences = [t["description"] for t in themes] + [e for t in themes for e in t["examples"]]
        _COMMON[embedder.name] = known_queries(embedder, sentences).mean(axis=0)
    return _COMMON[embedder.name]


_COMMON: dict[str, np.ndarray] = {}

# Rows of texts already embedded, per embedder object and classifier engine: a service embeds a text once.
_SEEN: "weakref.WeakKeyDictionary[object, dict[str, dict[str, np.ndarray]]]" = weakref.WeakKeyDictionary()


def _cache_for(embedder: Embedder, classifier: Classifier | None) -> dict[str, np.ndarray]:
    """The row cache of this embedder for the way this classifier embeds (bounded: cleared when full)."""
    try:
        per_embedder = _SEEN.setdefault(embedder, {})
    except TypeError:  # an embedder that cannot be weakly referenced is not cached
        return {}
    kind = type(classifier).__name__ if classifier is not None else ""
    if sum(len(v) for v in per_embedder.values()) > MAX_CACHED_ROWS:
        per_embedder.clear()
    return per_embedder.setdefault(kind, {})


def _embed(texts: list[str], embed: Callable[[list[str]], np.ndarray], cache: dict[str, np.ndarray],
           tell: Progress) -> np.ndarray:
    """Each text embedded once (rows already seen come from `cache`), in chunks so the counter moves
    at least every 1/PROGRESS_STEPS of the work."""
    missing = list(dict.fromkeys(t for t in texts if t not in cache))
    size = min(MAX_CHUNK, max(MIN_CHUNK, math.ceil(len(missing) / PROGRESS_STEPS)))
    tell("embed", 0, len(texts))
    done = len(texts) - len(missing)
    for start in range(0, len(missing), size):
        chunk = missing[start:start + size]
        cache.update(zip(chunk, np.asarray(embed(chunk), dtype=np.float32), strict=True))
        done += len(chunk)
        tell("embed", done, len(texts))
    tell("embed", len(texts), len(texts))
    return np.vstack([cache[t] for t in texts]).astype(np.float32)
