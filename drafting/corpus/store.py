"""The corpus in a chromadb collection: chunks, their embeddings and metadata.

Embeddings always come from the passed-in Embedder (chromadb's own embedding function is never
used, it would download a model). Every file is read and chunked before anything is written,
so a bad file leaves the store as it was.
"""

import json
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import numpy as np

from drafting.config import CORPUS_DIR, Settings
from drafting.corpus.load import collect_paths, read_file, read_upload, split_chunks
from drafting.corpus.models import AddReport, Chunk, Document, DocumentInfo, Passage
from drafting.embed import Embedder
from drafting.errors import NotFound, StoreUnavailable

WRITE_BATCH = 500
T = TypeVar("T")
QUERY_CACHE = 1024


def embedding_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: its text alone. Adding the headings lowered vector recall@5 on the
    query set from 0.887 to 0.823 (and the title as well, to 0.710); BM25 still sees the headings."""
    return chunk.text


class CorpusStore:
    """Past summaries in one chroma collection; one collection per embedder, so vectors never mix."""

    def __init__(self, collection: Any, embedder: Embedder, *, max_file_bytes: int) -> None:
        self._collection = collection
        self._embedder = embedder
        self._max_file_bytes = max_file_bytes
        self._passages: list[Passage] | None = None
        self._query_vectors: dict[str, np.ndarray] = {}
        self._derived: dict[str, Any] = {}
        self._lock = threading.RLock()  # the web service searches from several threads

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def count(self) -> int:
        """Number of stored chunks."""
        return int(self._call(self._collection.count))

    def add_files(self, paths: Iterable[Path]) -> AddReport:
        """Add files and folders (.txt .md .docx .pdf); all are read and checked before any write."""
        documents = [read_file(path, self._max_file_bytes) for path in collect_paths(paths)]
        return self.add_documents(documents)

    def add_upload(self, filename: str, data: bytes) -> AddReport:
        """Add one uploaded file given as bytes (the web service's upload)."""
        return self.add_documents([read_upload(filename, data, self._max_file_bytes)])

    def add_document(self, document: Document) -> AddReport:
        return self.add_documents([document])

    def add_documents(
        self, documents: Sequence[Document], *, known_vectors: dict[str, np.ndarray] | None = None
    ) -> AddReport:
        """Chunk, embed and write the documents not stored yet; documents already stored are skipped.

        `known_vectors` (chunk id to vector, from this same embedder) spares embedding those chunks again.
        """
        unique = list({doc.id: doc for doc in documents}.values())
        stored = self._stored_doc_ids([doc.id for doc in unique])
        report = AddReport(chunks_added=0)
        new: list[tuple[Document, list[Chunk]]] = []
        for doc in unique:
            chunks = split_chunks(doc)
            info = _info(doc, len(chunks))
            if doc.id in stored:
                report.skipped.append(info)
            else:
                new.append((doc, chunks))
                report.added.append(info)
        rows = [(doc, chunk) for doc, chunks in new for chunk in chunks]
        if rows:
            self._write(rows, self._vectors([chunk for _, chunk in rows], known_vectors or {}))
            report.chunks_added = len(rows)
        return report

    def _vectors(self, chunks: list[Chunk], known: dict[str, np.ndarray]) -> np.ndarray:
        todo = [chunk for chunk in chunks if chunk.id not in known]
        fresh: dict[str, np.ndarray] = {}
        if todo:
            embedded = self._embedder.passages([embedding_text(c) for c in todo])
            fresh = dict(zip((c.id for c in todo), embedded, strict=True))
        return np.vstack([known[c.id] if c.id in known else fresh[c.id] for c in chunks]).astype(np.float32)

    def list_documents(self) -> list[DocumentInfo]:
        """Every stored document with its chunk count, in the order first stored."""
        docs: dict[str, DocumentInfo] = {}
        for passage in self.passages():
            info = docs.get(passage.doc_id)
            if info is None:
                docs[passage.doc_id] = DocumentInfo(
                    id=passage.doc_id,
                    title=passage.title,
                    unit=passage.unit,
                    sector=passage.sector,
                    date=passage.date,
                    chunks=1,
                    source=passage.source,
                )
            else:
                info.chunks += 1
        return list(docs.values())

    def delete_document(self, doc_id: str) -> DocumentInfo:
        """Remove one document and all its chunks (a poisoned one, say); NotFound if it is not stored."""
        with self._lock:
            info = next((doc for doc in self.list_documents() if doc.id == doc_id), None)
            if info is None:
                raise NotFound(f"id: 语料库中没有文档 {doc_id}")
            self._call(self._collection.delete, where={"doc_id": doc_id})
            self._passages = None
            return info

    def clear(self) -> None:
        """Remove every document (a rebuild starts here)."""
        with self._lock:
            ids = self._call(self._collection.get, include=[])["ids"]
            for start in range(0, len(ids), WRITE_BATCH):
                self._call(self._collection.delete, ids=ids[start : start + WRITE_BATCH])
            self._passages = None

    def passages(self) -> list[Passage]:
        """Every stored chunk as a Passage, in document order; re-read after a write here or elsewhere."""
        with self._lock:
            if self._passages is None or len(self._passages) != self.count():
                self._derived.clear()
                got = self._call(self._collection.get, include=["documents", "metadatas"])
                rows = sorted(
                    zip(got["ids"], got["documents"], got["metadatas"], strict=True),
                    key=lambda row: (row[2].get("added", 0), row[2]["doc_id"], row[2].get("ordinal", 0)),
                )
                self._passages = [_passage(cid, text, meta) for cid, text, meta in rows]
            return self._passages

    def derived(self, name: str, build: Callable[[list[Passage]], T]) -> T:
        """Something computed from passages() (a keyword index), kept until the passages change."""
        with self._lock:
            passages = self.passages()
            if name not in self._derived:
                self._derived[name] = build(passages)
            return self._derived[name]

    def query_vector(self, query: str) -> np.ndarray:
        """Embedding of a search query, remembered for recent queries (drafting asks the same ones again)."""
        return self.query_vectors([query])[0]

    def query_vectors(self, queries: Sequence[str]) -> np.ndarray:
        """Embeddings of many search queries, the new ones embedded in one batch (faster than one by one)."""
        with self._lock:
            known = {q: self._query_vectors[q] for q in queries if q in self._query_vectors}
            new = list(dict.fromkeys(q for q in queries if q not in known))
            if new:
                known.update(zip(new, self._embedder.queries(new), strict=True))
                for query in new:
                    if len(self._query_vectors) >= QUERY_CACHE:
                        self._query_vectors.pop(next(iter(self._query_vectors)))
                    self._query_vectors[query] = known[query]
            return np.vstack([known[q] for q in queries])

    def nearest(
        self, vector: np.ndarray, n: int, *, exclude_docs: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """Ids of the n chunks closest to a query vector (embedder.queries), with cosine similarity."""
        total = self.count()
        if total == 0 or n <= 0:
            return []
        where = {"doc_id": {"$nin": sorted(exclude_docs)}} if exclude_docs else None
        got = self._call(
            self._collection.query,
            query_embeddings=[vector],
            n_results=min(n, total),
            where=where,
            include=["distances"],
        )
        return [
            (cid, 1.0 - float(dist)) for cid, dist in zip(got["ids"][0], got["distances"][0], strict=True)
        ]

    def similarities(self, vector: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        """Cosine similarity of a query vector to each given chunk."""
        if not ids:
            return {}
        got = self._call(self._collection.get, ids=list(ids), include=["embeddings"])
        matrix = np.asarray(got["embeddings"], dtype=np.float32)
        return dict(zip(got["ids"], (matrix @ vector).tolist(), strict=True))

    def _stored_doc_ids(self, doc_ids: list[str]) -> set[str]:
        if not doc_ids:
            return set()
        got = self._call(self._collection.get, where={"doc_id": {"$in": doc_ids}}, include=["metadatas"])
        return {meta["doc_id"] for meta in got["metadatas"]}

    def _write(self, rows: list[tuple[Document, Chunk]], vectors: np.ndarray) -> None:
        added_at = self.count()
        written: list[str] = []
        try:
            for start in range(0, len(rows), WRITE_BATCH):
                batch = rows[start : start + WRITE_BATCH]
                ids = [chunk.id for _, chunk in batch]
                self._collection.upsert(
                    ids=ids,
                    embeddings=vectors[start : start + len(batch)],
                    documents=[chunk.text for _, chunk in batch],
                    metadatas=[_metadata(doc, chunk, added_at) for doc, chunk in batch],
                )
                written.extend(ids)
        except (
            Exception
        ) as exc:  # chromadb raises its own and transport errors; either way undo what was written
            if written:
                self._call(self._collection.delete, ids=written)
            raise StoreUnavailable(f"向量库写入失败：{type(exc).__name__}") from exc
        finally:
            self._passages = None

    @staticmethod
    def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # connection and server errors come in many types from chromadb and httpx
            raise StoreUnavailable(f"向量库不可用：{type(exc).__name__}: {exc}".splitlines()[0]) from exc


def _info(doc: Document, chunks: int) -> DocumentInfo:
    return DocumentInfo(
        id=doc.id,
        title=doc.title,
        unit=doc.unit,
        sector=doc.sector,
        date=doc.date,
        chunks=chunks,
        source=doc.source,
    )


def _metadata(doc: Document, chunk: Chunk, added_at: int) -> dict[str, str | int | bool]:
    return {
        "doc_id": doc.id,
        "title": doc.title,
        "unit": doc.unit,
        "sector": doc.sector,
        "date": doc.date,
        "kind": doc.kind,
        "sample": doc.sample,
        "source": doc.source,
        "ordinal": chunk.ordinal,
        "added": added_at,
        "heading_path": json.dumps(chunk.heading_path, ensure_ascii=False),
    }


def _passage(chunk_id: str, text: str, meta: dict) -> Passage:
    return Passage(
        id=chunk_id,
        score=0.0,
        doc_id=meta["doc_id"],
        title=meta["title"],
        unit=meta.get("unit", ""),
        sector=meta.get("sector", ""),
        date=meta.get("date", ""),
        source=meta.get("source", ""),
        sample=bool(meta.get("sample", False)),
        heading_path=json.loads(meta.get("heading_path", "[]")),
        text=text,
    )


def collection_name(embedder: Embedder) -> str:
    """chroma accepts [a-zA-Z0-9._-], 3 to 512 characters, alphanumeric at both ends."""
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in embedder.name).strip("-")
    return f"corpus-{slug or 'default'}"[:120].rstrip("-")


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise StoreUnavailable(f"DRAFTING_CHROMA_URL 无法解析：{settings.chroma_url}")
        port = url.port or (443 if url.scheme == "https" else 8000)
        try:
            return chromadb.HttpClient(
                host=url.hostname, port=port, ssl=url.scheme == "https", settings=chroma_settings
            )
        except Exception as exc:  # the client checks the server at once; any failure means unreachable
            raise StoreUnavailable(
                f"无法连接 Chroma 服务 {settings.chroma_url}：{type(exc).__name__}"
            ) from exc
    try:
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    except Exception as exc:  # an unwritable folder or a damaged database, raised as OS or chromadb errors
        raise StoreUnavailable(f"无法打开本地向量库 {settings.chroma_path}：{type(exc).__name__}") from exc


def sample_vectors_path(embedder: Embedder, sample_dir: Path = CORPUS_DIR) -> Path:
    """Where the sample's vectors for this embedder ship (`benchmarks/embed_corpus.py --write` makes them)."""
    return sample_dir / "vectors" / f"{collection_name(embedder)}.npz"


def load_sample_vectors(embedder: Embedder, sample_dir: Path = CORPUS_DIR) -> dict[str, np.ndarray]:
    """Chunk id to vector, as shipped; a chunk whose text changed has a new id and is embedded again."""
    path = sample_vectors_path(embedder, sample_dir)
    if not path.is_file():
        return {}
    with np.load(path, allow_pickle=False) as data:
        if str(data["embedder"]) != embedder.name:
            return {}
        vectors = data["vectors"].astype(np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return dict(zip(data["ids"].tolist(), vectors, strict=True))


def save_sample_vectors(
    embedder: Embedder, ids: Sequence[str], vectors: np.ndarray, sample_dir: Path = CORPUS_DIR
) -> Path:
    path = sample_vectors_path(embedder, sample_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        embedder=np.str_(embedder.name),
        ids=np.asarray(ids, dtype=str),
        vectors=np.asarray(vectors, dtype=np.float16),
    )
    return path


def open_store(settings: Settings, embedder: Embedder, *, sample_dir: Path = CORPUS_DIR) -> CorpusStore:
    """Open (or create) the store; an empty store first loads the sample corpus."""
    client = _client(settings)
    try:
        collection = client.get_or_create_collection(
            name=collection_name(embedder),
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedder": embedder.name},
        )
    except Exception as exc:  # same as above: server or disk trouble
        raise StoreUnavailable(f"向量库不可用：{type(exc).__name__}") from exc
    store = CorpusStore(collection, embedder, max_file_bytes=settings.max_file_bytes)
    if store.count() == 0:
        add_sample(store, sample_dir)
    return store


def add_sample(store: CorpusStore, sample_dir: Path = CORPUS_DIR) -> AddReport:
    """Add the shipped sample summaries, with their shipped vectors."""
    if not sample_dir.is_dir():
        return AddReport()
    # the shipped sample is trusted: the user's size limit is for what users add
    documents = [
        read_file(path, path.stat().st_size).model_copy(update={"source": f"corpus/{path.name}"})
        for path in collect_paths([sample_dir])
    ]
    return store.add_documents(documents, known_vectors=load_sample_vectors(store.embedder, sample_dir))
