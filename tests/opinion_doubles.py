"""Test doubles for the opinion pipeline that record what they were given (no patches)."""

import hashlib

import numpy as np

from drafting.feedback.models import Assignment

DIM = 32


class TopicEmbedder:
    """Embeds a text along the direction of the first topic word it contains, plus a small
    deterministic jitter; texts with no topic word get a direction of their own. Records every call."""

    name = "fake/topics"

    def __init__(self, topics: list[str]) -> None:
        self.topics = topics
        self.calls: list[list[str]] = []

    def _row(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "little")
        jitter = np.random.default_rng(seed).normal(0, 0.01, DIM)
        base = np.zeros(DIM)
        hit = next((k for k, word in enumerate(self.topics) if word in text), None)
        if hit is None:
            base = np.random.default_rng(seed + 1).normal(0, 1, DIM)
        else:
            base[hit] = 1.0
        row = base + jitter
        return (row / np.linalg.norm(row)).astype(np.float32)

    def queries(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.vstack([self._row(t) for t in texts]) if texts else np.zeros((0, DIM), np.float32)

    passages = queries


class KeywordClassifier:
    """Assigns the theme whose keyword the text contains (score 0.9), else None; records its inputs.
    Its rows are the embedder's queries; it reports as the offline engine and rereads split lines."""

    name = "embedded"
    rereads_lines = True

    def __init__(self, keywords: dict[str, str], embedder=None) -> None:
        self.keywords = keywords
        self.embedder = embedder
        self.warnings: list[str] = []
        self.fits = 0
        self.seen: list[str] = []
        self.shapes: list[tuple[int, ...]] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder.queries(texts)

    def fit(self) -> None:
        self.fits += 1

    def classify(self, texts: list[str], vectors: np.ndarray) -> list[Assignment]:
        self.seen.extend(texts)
        self.shapes.append(vectors.shape)
        out = []
        for text in texts:
            theme = next((t for word, t in self.keywords.items() if word in text), None)
            out.append(Assignment(theme=theme, score=0.9 if theme else 0.2))
        return out
