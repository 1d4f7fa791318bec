"""Reranking through the Model Hub's `/v1/rerank`: `ModelHubReranker`, an adapter.

Whether to rerank is the composition root's decision (`app.build.build_reranker`: only when
`settings.rerank_model` is set and the backend is remote; offline, retrieval's own order stands).
The reranked score is the model's `relevance_score`; a reranker that fails leaves nothing
half-done, the error surfaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from core.records import ScoredChunk


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
