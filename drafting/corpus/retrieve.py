"""Retrieval of exemplar passages from the vector store: embedding similarity blended with BM25."""

import math
import re
import unicodedata
from collections import Counter
from typing import Literal

from drafting.corpus.models import Passage
from drafting.corpus.store import CorpusStore
from drafting.errors import BadInput

KEYWORD_WEIGHT = 0.5
SECTOR_BOOST = 0.1
CANDIDATES = 50


def keyword_tokens(text: str) -> list[str]:
    """Character bigrams of Chinese runs (and single characters of one-character runs), plus ASCII words."""
    text = unicodedata.normalize("NFKC", text).lower()
    tokens: list[str] = []
    for run in re.findall(r"[\u4e00-\u9fff]+|[a-z0-9.%]+", text):
        if not run[0].isascii() and len(run) > 1:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return tokens


class KeywordIndex:
    """Okapi BM25 over character bigrams of each chunk's headings and text, with an inverted index."""

    def __init__(self, passages: list[Passage], *, k1: float = 1.2, b: float = 0.75) -> None:
        docs = [Counter(keyword_tokens("\n".join([*p.heading_path, p.text]))) for p in passages]
        lengths = [sum(doc.values()) for doc in docs]
        average = (sum(lengths) / len(lengths)) if lengths else 1.0
        self._size = len(docs)
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for i, (doc, length) in enumerate(zip(docs, lengths, strict=True)):
            norm = k1 * (1 - b + b * length / (average or 1.0))
            for token, tf in doc.items():
                self._postings.setdefault(token, []).append((i, tf * (k1 + 1) / (tf + norm)))
        total = len(docs)
        self._idf = {
            t: math.log(1 + (total - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self._postings.items()
        }

    def scores(self, query: str) -> list[float]:
        """BM25 score of every chunk, in index order."""
        result = [0.0] * self._size
        for token, count in Counter(keyword_tokens(query)).items():
            idf = self._idf.get(token, 0.0)
            for i, weight in self._postings.get(token, ()):
                result[i] += idf * count * weight
        return result


class HybridRetriever:
    """Ranks chunks by a blend of embedding similarity and BM25, both scaled to [0, 1] over the candidates.

    `mode` is "hybrid" (the default), or "vector" / "keyword" alone, which the recall benchmark compares.
    """

    def __init__(
        self,
        store: CorpusStore,
        *,
        mode: Literal["hybrid", "vector", "keyword"] = "hybrid",
        keyword_weight: float = KEYWORD_WEIGHT,
        sector_boost: float = SECTOR_BOOST,
    ) -> None:
        self._store = store
        self._mode = mode
        self._keyword_weight = keyword_weight
        self._sector_boost = sector_boost

    def search(
        self, query: str, k: int = 5, *, sector: str | None = None, exclude_docs: set[str] | None = None
    ) -> list[Passage]:
        query = query.strip()
        if not query:
            raise BadInput.field("query", "检索内容不能为空")
        if k < 1:
            raise BadInput.field("k", "返回条数至少为 1")
        passages = self._store.passages()
        allowed = [i for i, p in enumerate(passages) if not (exclude_docs and p.doc_id in exclude_docs)]
        if not allowed:
            return []
        pool = max(CANDIDATES, 4 * k)
        scores: dict[int, float] = {}
        if self._mode != "vector":
            raw = self._keyword().scores(query)
            top = sorted(allowed, key=lambda i: -raw[i])[:pool]
            best = max(raw[i] for i in top) or 1.0
            keyword = {i: raw[i] / best for i in top}
        if self._mode != "keyword":
            position = {p.id: i for i, p in enumerate(passages)}
            query_vector = self._store.query_vector(query)
            near = self._store.nearest(query_vector, pool, exclude_docs=exclude_docs)
            vector = {position[cid]: sim for cid, sim in near if cid in position}
        if self._mode == "vector":
            scores = vector
        elif self._mode == "keyword":
            scores = keyword
        else:
            missing = [passages[i].id for i in keyword if i not in vector]
            for cid, sim in self._store.similarities(query_vector, missing).items():
                vector[position[cid]] = sim
            scores = self._blend(vector, keyword)
        if sector:
            scores = {
                i: s + (self._sector_boost if passages[i].sector == sector else 0.0)
                for i, s in scores.items()
            }
        ranked = sorted(scores, key=lambda i: (-scores[i], i))[:k]
        return [passages[i].model_copy(update={"score": round(scores[i], 4)}) for i in ranked]

    def prime(self, queries: list[str]) -> None:
        if self._mode != "keyword":
            self._store.query_vectors(queries)

    def _blend(self, vector: dict[int, float], keyword: dict[int, float]) -> dict[int, float]:
        """Vector similarity rescaled to [0, 1] over the candidates, mixed with the scaled BM25 score."""
        low, high = min(vector.values()), max(vector.values())
        span = (high - low) or 1.0
        weight = self._keyword_weight
        return {i: (1 - weight) * (vector[i] - low) / span + weight * keyword.get(i, 0.0) for i in vector}

    def _keyword(self) -> KeywordIndex:
        return self._store.derived("keyword-index", KeywordIndex)
