"""Retrieval of exemplar passages from the vector store: embedding similarity blended with BM25."""

import math
import re
import unicodedata
from collections import Counter
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, Field

from .errors import BadInput

if TYPE_CHECKING:
    from .store import CorpusStore

KEYWORD_WEIGHT = 0.5
SECTOR_BOOST = 0.1
CANDIDATES = 50


class Passage(BaseModel):
    """One chunk of a past summary, as search returns it."""

    id: str = Field(description="Content-hash id of the chunk")
    doc_id: str = Field(description="Content-hash id of the document")
    title: str = Field(description="Title of the document")
    unit: str = Field("", description="Unit that wrote the document")
    sector: str = Field("", description="Sector of the unit")
    date: str = Field("", description="Date of the document, YYYY-MM-DD when known")
    heading_path: list[str] = Field(
        default_factory=list, description="Headings above the chunk, outermost first"
    )
    text: str
    source: str = Field("", description="File the document came from")
    score: float = Field(0.0, description="Relevance, higher is closer")


class Retriever(Protocol):
    def search(
        self, query: str, k: int = 5, *, sector: str | None = None, exclude_docs: set[str] | None = None
    ) -> list[Passage]: ...


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
    """Okapi BM25 over character bigrams of each chunk's headings and text."""

    def __init__(self, passages: list[Passage], *, k1: float = 1.2, b: float = 0.75) -> None:
        self._docs = [Counter(keyword_tokens("\n".join([*p.heading_path, p.text]))) for p in passages]
        self._lengths = [sum(doc.values()) for doc in self._docs]
        self._average = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        frequency: Counter[str] = Counter(token for doc in self._docs for token in doc)
        total = len(self._docs)
        self._idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}
        self._k1, self._b = k1, b

    def scores(self, query: str) -> list[float]:
        """BM25 score of every chunk, in index order."""
        terms = Counter(keyword_tokens(query))
        result = []
        for doc, length in zip(self._docs, self._lengths, strict=True):
            norm = self._k1 * (1 - self._b + self._b * length / (self._average or 1.0))
            result.append(
                sum(
                    self._idf.get(t, 0.0) * qn * doc[t] * (self._k1 + 1) / (doc[t] + norm)
                    for t, qn in terms.items()
                    if t in doc
                )
            )
        return result


class HybridRetriever:
    """Ranks chunks by a blend of embedding similarity and BM25, both scaled to [0, 1] over the candidates.

    `mode` is "hybrid" (the default), or "vector" / "keyword" alone, which the recall benchmark compares.
    """

    def __init__(
        self,
        store: "CorpusStore",
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

    def _blend(self, vector: dict[int, float], keyword: dict[int, float]) -> dict[int, float]:
        """Vector similarity rescaled to [0, 1] over the candidates, mixed with the scaled BM25 score."""
        low, high = min(vector.values()), max(vector.values())
        span = (high - low) or 1.0
        weight = self._keyword_weight
        return {i: (1 - weight) * (vector[i] - low) / span + weight * keyword.get(i, 0.0) for i in vector}

    def _keyword(self) -> KeywordIndex:
        return self._store.derived("keyword-index", KeywordIndex)
