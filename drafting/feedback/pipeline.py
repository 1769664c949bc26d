"""Feedback: pasted opinions -> redacted, split, deduplicated, classified, discovered, summarised."""

from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from drafting.config import DEFAULT_TAXONOMY
from drafting.embed import Embedder
from drafting.errors import BadInput, NoOpinions
from drafting.feedback.discover import Cluster, discover
from drafting.feedback.models import (
    OTHER_NAME,
    PRAISE_ID,
    Assignment,
    Classifier,
    ClassifyResult,
    Progress,
    Taxonomy,
)
from drafting.feedback.opinions import Opinions, is_no_opinion, prepare, reads_as_praise
from drafting.feedback.redact import Masked
from drafting.feedback.summarise import summarise

MAX_OTHER_SHARE = 0.15
EMBED_CHUNK = 256


def classify_opinions(lines: Sequence[str], *, taxonomy: Taxonomy | None, classifier: Classifier | None,
                      embedder: Embedder, progress: Progress | None = None) -> ClassifyResult:
    """Group one-answer-a-line opinions into the taxonomy's themes and newly discovered ones."""

    def tell(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    kept = [line for line in lines if line.strip()]
    lines = Masked(kept) if isinstance(lines, Masked) else kept
    if not lines:
        raise NoOpinions("text")
    if taxonomy is not None and classifier is None:
        raise BadInput.field("engine", "有主题分类表时需要一个归类器")
    ops = prepare(lines, tell)
    n = len(ops.unique)
    praise_id = taxonomy.praise_id if taxonomy is not None else PRAISE_ID
    score_of = np.zeros(n, dtype=np.float32)
    # 无, 满意 and praise with no complaint in it are counted as praise, never clustered into a problem
    no_opinion = np.array([is_no_opinion(text) or reads_as_praise(text) for text in ops.unique], dtype=bool)
    theme_of: list[str | None] = [praise_id if flag else None for flag in no_opinion]
    score_of[no_opinion] = 1.0

    to_embed = np.flatnonzero(~no_opinion)
    passages = getattr(classifier, "embeds_as", "query") == "passage"
    vectors = np.zeros((n, 0), dtype=np.float32)
    if len(to_embed):
        texts = [ops.unique[i] for i in to_embed]
        # a classifier that says how its rows are made (e.g. from the opening characters) embeds them
        embed = getattr(classifier, "embed", None) or (embedder.passages if passages else embedder.queries)
        rows = _embed(texts, embed, tell)
        vectors = np.zeros((n, rows.shape[1]), dtype=np.float32)
        vectors[to_embed] = rows
        to_embed, merged = ops.merge_near(to_embed, vectors)
        for i in merged:
            theme_of[i] = None
        if classifier is not None and len(to_embed):
            tell("classify", 0, len(to_embed))
            found = classifier.classify([ops.unique[i] for i in to_embed], vectors[to_embed])
            for row, assignment in zip(to_embed.tolist(), found, strict=True):
                theme_of[row] = assignment.theme
                score_of[row] = assignment.score
            if getattr(classifier, "name", "") == "embedded":  # an LLM is not asked twice
                _read_in_context(ops, to_embed, vectors, classifier, theme_of, score_of)
            tell("classify", len(to_embed), len(to_embed))

    alive = ops.alive()
    open_rows = np.array([i for i in alive if theme_of[i] is None and not no_opinion[i]], dtype=int)
    taken = {t.name for t in taxonomy.themes} if taxonomy is not None else set()
    warnings: list[str] = list(getattr(classifier, "warnings", []) or [])
    if taxonomy is not None:
        bare = [t.name for t in taxonomy.themes
                if t.id != praise_id and not t.description and not t.examples]
        if bare:
            warnings.append(f"主题“{'”“'.join(bare)}”没有说明和示例，只凭名称归类，结果可能不准，"
                            "建议在分类表中补充 description 和 examples")
    clusters: list[Cluster] = []
    leftover = open_rows
    if len(open_rows):
        tell("discover", 0, len(open_rows))
        clusters, leftover, similarity = discover(
            [ops.unique[i] for i in open_rows], vectors[open_rows], ops.weights[open_rows],
            background=[ops.unique[i] for i in alive], taken_names=taken, max_other=MAX_OTHER_SHARE,
            total=ops.total, mean=common_direction(embedder, passages))
        for cluster in clusters:
            for k, sim in zip(cluster.members, cluster.similarity, strict=True):
                theme_of[open_rows[k]] = cluster.label
                score_of[open_rows[k]] = sim
        leftover = open_rows[leftover]
        for i, sim in zip(leftover, similarity, strict=True):
            score_of[i] = sim
        tell("discover", len(open_rows), len(open_rows))
    other_count = int(ops.weights[leftover].sum()) if len(leftover) else 0
    if other_count:
        share = other_count / ops.total
        note = f"有 {other_count} 条意见（{share:.1%}）未能归入任何主题，列为“{OTHER_NAME}”"
        if share > MAX_OTHER_SHARE:
            note += f"，超过 {MAX_OTHER_SHARE:.0%}，请人工复核"
        warnings.append(note)

    tell("summarise", 0, 1)
    result = summarise(ops, theme_of, score_of, vectors, taxonomy=taxonomy, praise_id=praise_id,
                       clusters=clusters)
    tell("summarise", 1, 1)
    engine = "llm" if classifier is not None and getattr(classifier, "name", "") == "llm" else "embedded"
    return result.model_copy(update={"engine": engine, "warnings": warnings})


def _read_in_context(ops: Opinions, rows: np.ndarray, vectors: np.ndarray, classifier: Classifier,
                     theme_of: list[str | None], score_of: np.ndarray) -> None:
    """A part of a split line takes its whole line's theme when the line reads more surely than the
    part alone ("2、希望尽快解决" belongs with "1、小区电梯经常坏"), provided all the lines it sits in
    agree and it is not also an answer by itself. Two clear opinions on one line keep their own themes.
    A line's row is the mean of its parts' rows, so nothing is embedded again."""
    classified = set(rows.tolist())
    parts_of: dict[int, list[int]] = defaultdict(list)
    for line, row in zip(ops.lines, ops.uid.tolist(), strict=True):
        if row in classified and row not in parts_of[line]:
            parts_of[line].append(row)
    split = [line for line, parts in parts_of.items() if len(parts) > 1]
    alone = {parts[0] for parts in parts_of.values() if len(parts) == 1}  # also an answer by itself
    if not split:
        return
    texts = ["；".join(ops.unique[row] for row in parts_of[line]) for line in split]
    means = np.vstack([vectors[parts_of[line]].mean(axis=0) for line in split])
    means /= np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
    readings: dict[int, list[Assignment]] = defaultdict(list)
    for line, whole in zip(split, classifier.classify(texts, means), strict=True):
        for row in parts_of[line]:
            if row not in alone:
                readings[row].append(whole)
    for row, wholes in readings.items():
        themes = {whole.theme for whole in wholes}
        surest = min(whole.score for whole in wholes)
        if len(themes) == 1 and None not in themes and surest > score_of[row]:
            theme_of[row] = wholes[0].theme
            score_of[row] = surest


def common_direction(embedder: Embedder, passages: bool = False) -> np.ndarray:
    """The embedder's mean vector over reference sentences: the default taxonomy's descriptions
    and examples (kept per embedder, so a long-lived service embeds them once)."""
    key = (embedder.name, passages)
    if key not in _COMMON:
        import yaml

        with open(DEFAULT_TAXONOMY, encoding="utf-8") as handle:
            themes = yaml.safe_load(handle)["themes"]
        sentences = [t["description"] for t in themes] + [e for t in themes for e in t["examples"]]
        _COMMON[key] = (embedder.passages if passages else embedder.queries)(sentences).mean(axis=0)
    return _COMMON[key]


_COMMON: dict[tuple[str, bool], np.ndarray] = {}


def _embed(texts: list[str], embed: Callable[[list[str]], np.ndarray], tell: Progress) -> np.ndarray:
    """Each unique opinion embedded once, in chunks so the progress bar moves."""
    parts = []
    tell("embed", 0, len(texts))
    for start in range(0, len(texts), EMBED_CHUNK):
        parts.append(embed(texts[start:start + EMBED_CHUNK]))
        tell("embed", min(start + EMBED_CHUNK, len(texts)), len(texts))
    return np.vstack(parts).astype(np.float32)

