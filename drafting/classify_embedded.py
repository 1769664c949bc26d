"""The offline classifier: e5 embeddings and character n-grams, a linear model over the taxonomy's examples,
smoothed over the nearest-neighbour graph of the opinions being classified (transductive)."""

from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from .config import DEFAULT_TAXONOMY
from .embed import Embedder
from .themes import Assignment, Taxonomy

BUNDLED_EXAMPLES = Path(__file__).resolve().parent / "data" / "opinions.yaml"
# Texts are embedded from their first characters: a long message's title and opening carry its topic,
# and e5 reads at most 512 tokens anyway.
EMBED_CHARS = 256
EMBEDDING_WEIGHT = 2.0  # e5 block against the unit-norm TF-IDF block in the joint feature row
PROTOTYPE_WEIGHT = 2.0  # "name：description" counts as this many examples
NEIGHBOURS = 10
SMOOTHING = 0.5  # share of an opinion's distribution taken from its neighbours'
MIN_BATCH_FOR_GRAPH = 20
C = 10.0


class EmbeddedClassifier:
    """No LLM: a calibrated probability per theme; below `threshold` an opinion stays unassigned."""

    name = "embedded"
    embeds_as = "query"
    embed_chars = EMBED_CHARS

    def __init__(self, taxonomy: Taxonomy, embedder: Embedder, *, threshold: float | None = None,
                 bundled: bool = True) -> None:
        self.taxonomy = taxonomy
        self.ids = [t.id for t in taxonomy.themes]
        self.warnings: list[str] = []
        self._embedder = embedder
        self._texts, self._labels, self._weights = labelled_set(taxonomy, bundled=bundled)
        self._vectors: np.ndarray | None = None
        k = len(self.ids)
        # Unassigned when the best theme is not clearly above an even spread over the themes.
        self.threshold = threshold if threshold is not None else min(0.3, 2.0 / k)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Rows as the pipeline should pass them: e5 `query:` embeddings of the opening characters."""
        return self._embedder.queries([t[:EMBED_CHARS] for t in texts])

    def probabilities(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        """One row of theme probabilities (columns in taxonomy order) per opinion."""
        if not texts:
            return np.zeros((0, len(self.ids)), dtype=np.float32)
        if self._vectors is None:
            self._vectors = self.embed(self._texts)
        batch = _normalised(np.asarray(vectors, dtype=np.float32))
        if len(self.ids) == 1:
            return np.ones((len(texts), 1), dtype=np.float32)
        tfidf = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, max_features=50000)
        tfidf.fit(self._texts + texts)
        known = sparse.hstack([sparse.csr_matrix(self._vectors * EMBEDDING_WEIGHT),
                               tfidf.transform(self._texts)]).tocsr()
        unknown = sparse.hstack([sparse.csr_matrix(batch * EMBEDDING_WEIGHT), tfidf.transform(texts)]).tocsr()
        model = LogisticRegression(C=C, max_iter=500, class_weight="balanced")
        model.fit(known, self._labels, sample_weight=self._weights)
        probs = np.zeros((len(texts), len(self.ids)))
        probs[:, model.classes_] = model.predict_proba(unknown)
        if len(texts) >= MIN_BATCH_FOR_GRAPH:
            probs = _smooth(probs, batch)
        return probs.astype(np.float32)

    def classify(self, texts: list[str], vectors: np.ndarray) -> list[Assignment]:
        return [self.assign(row) for row in self.probabilities(texts, vectors)]

    def assign(self, row: np.ndarray) -> Assignment:
        """The best theme of one probability row, or None below the threshold."""
        best = int(row.argmax())
        score = float(np.clip(row[best], 0.0, 1.0))
        return Assignment(theme=self.ids[best] if score >= self.threshold else None, score=score)


def labelled_set(taxonomy: Taxonomy, *, bundled: bool = True) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each theme's examples, its bundled examples (default themes only) and its name：description."""
    extra = bundled_examples() if bundled else {}
    defaults = default_names() if bundled else {}
    texts: list[str] = []
    labels: list[int] = []
    weights: list[float] = []
    for k, theme in enumerate(taxonomy.themes):
        own = list(theme.examples)
        if defaults.get(theme.id) == theme.name:
            own += [e for e in extra.get(theme.id, []) if e not in own]
        prototype = f"{theme.name}：{theme.description}" if theme.description else theme.name
        texts += own + [prototype]
        labels += [k] * (len(own) + 1)
        weights += [1.0] * len(own) + [PROTOTYPE_WEIGHT]
    return texts, np.asarray(labels), np.asarray(weights, dtype=np.float64)


@lru_cache
def bundled_examples() -> dict[str, list[str]]:
    """Labelled opinions written for the default taxonomy (drafting/data/opinions.yaml), by theme id."""
    with open(BUNDLED_EXAMPLES, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {str(k): [str(x) for x in v] for k, v in data.items()}


@lru_cache
def default_names() -> dict[str, str]:
    with open(DEFAULT_TAXONOMY, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {str(t["id"]): str(t["name"]) for t in data["themes"]}


def _normalised(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


def _knn_matrix(vectors: np.ndarray, k: int) -> sparse.csr_matrix:
    """Symmetric, degree-normalised affinity over each opinion's k nearest neighbours."""
    n = len(vectors)
    k = min(k, n - 1)
    rows, cols, vals = [], [], []
    for start in range(0, n, 1024):
        sims = vectors[start:start + 1024] @ vectors.T
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


def _smooth(probs: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Label spreading of the model's distributions over the batch's neighbour graph."""
    graph = _knn_matrix(vectors, NEIGHBOURS)
    spread = probs.copy()
    for _ in range(20):
        spread = (1 - SMOOTHING) * probs + SMOOTHING * (graph @ spread)
    spread = np.maximum(spread, 0.0)
    return spread / np.maximum(spread.sum(axis=1, keepdims=True), 1e-12)
