"""Optional reranking through the Model Hub's `/v1/rerank`.

On only when `settings.rerank_model` is set and the backend is remote (there is no local
reranker: offline, retrieval's own order stands). The reranked score is the model's
`relevance_score`; a reranker that fails leaves nothing half-done, the error surfaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from core.records import ScoredChunk
from core.settings import Backend

if TYPE_CHECKING:
    from app.container import Services


class RerankClient(Protocol):
    def rerank(
        self, query: str, documents: list[str], *, model: str, top_n: int
    ) -> list[tuple[int, float]]: ...


class ModelHubReranker:
    def __init__(self, client: RerankClient, model: str) -> None:
        self._client = client
        self._model = model

    @property
    def model(self) -> str:
        return self._model

    def rerank(self, query: str, chunks: Sequence[ScoredChunk], *, top_n: int) -> list[ScoredChunk]:
        if not chunks:
            return []
        documents = [_document(hit) for hit in chunks]
        ranked = self._client.rerank(query, documents, model=self._model, top_n=top_n)
        seen: set[int] = set()
        out: list[ScoredChunk] = []
        for index, score in sorted(ranked, key=lambda pair: -pair[1]):
            if 0 <= index < len(chunks) and index not in seen:  # ignore what we did not send
                seen.add(index)
                out.append(ScoredChunk(chunks[index].chunk, float(score)))
        return out[:top_n]


def _document(hit: ScoredChunk) -> str:
    chunk = hit.chunk
    heading = " › ".join(chunk.headings)
    head = " — ".join(part for part in (chunk.title, heading) if part)
    return f"{head}\n{chunk.text}" if head else chunk.text


def build_reranker(services: Services) -> ModelHubReranker | None:
    """The reranker the settings ask for, or None (unset, offline, or no API client)."""
    settings = services.settings
    if not settings.rerank_model or settings.resolved_backend is not Backend.REMOTE:
        return None
    if services.client is None:
        return None
    return ModelHubReranker(services.client, settings.rerank_model)
