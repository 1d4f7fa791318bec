"""The retriever the answer path calls: a store, an embedder and an optional reranker, bound.

`answer_stream` receives one of these (or any callable of the same shape, e.g. a test's fake)
instead of the composition root's services: it asks for the `top_k` best chunks of a collection
and knows nothing of how they are found. `check` runs first, before a follow-up is rewritten: a
dense search needs questions embedded by the model that embedded the collection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from core.errors import ConfigError
from core.ports import Embedder, VectorStore
from core.records import Chunk, ScoredChunk, SearchFilter
from core.settings import RetrievalMode
from rag.expand import expand, on_statement, statements_for
from rag.retrieve import Reranker, retrieve
from text import sparse


class Retriever(Protocol):
    def check(self, collection: str, mode: RetrievalMode) -> None:
        """Raise `ConfigError` when `collection` cannot be searched in `mode` (before any work)."""
        ...

    def search(
        self,
        query: str,
        *,
        collection: str,
        mode: RetrievalMode,
        top_k: int,
        filters: SearchFilter | None = None,
        prefer: Sequence[str] = (),
    ) -> list[ScoredChunk]:
        """The `top_k` best chunks of `collection` for `query`, best first; the chunks of the
        documents named in `prefer` first, unless one elsewhere is clearly more relevant."""
        ...


@dataclass(frozen=True, slots=True)
class StoreRetriever:
    store: VectorStore
    embedder: Embedder
    reranker: Reranker | None = None
    expand_financial_terms: bool = False  # BM25 also searches the line items of named ratios

    def search(
        self,
        query: str,
        *,
        collection: str,
        mode: RetrievalMode,
        top_k: int,
        filters: SearchFilter | None = None,
        prefer: Sequence[str] = (),
    ) -> list[ScoredChunk]:
        return retrieve(
            query,
            store=self.store,
            embedder=self.embedder,
            collection=collection,
            mode=mode,
            top_k=top_k,
            filters=filters,
            reranker=self.reranker,
            sparse_text=expand(query) if self.expand_financial_terms else None,
            prefer=prefer,
            favour=self._statements(query) if self.expand_financial_terms else None,
        )

    @staticmethod
    def _statements(query: str) -> Callable[[Chunk], bool] | None:
        """The chunks of the statements the figures `query` asks for (`rag.expand`), if any."""
        wanted = statements_for(query)
        if not wanted:
            return None
        return lambda chunk: on_statement(chunk.headings, chunk.text, wanted)

    def check(self, collection: str, mode: RetrievalMode) -> None:
        """Dense search needs the query embedded by the model that embedded the collection;
        keyword search needs the question's terms analysed as the collection's were."""
        if not self.store.exists(collection):
            return
        info = self.store.collection_info(collection)
        if mode is not RetrievalMode.DENSE and not info.sparse_matches(sparse.SCHEME):
            raise ConfigError(
                f"Collection {collection!r} was indexed by an older version whose keyword "
                "(BM25) analysis differs from this one's (German stemming and compounds). Use "
                "retrieval mode 'dense', or re-ingest it."
            )
        if mode is RetrievalMode.SPARSE:
            return
        indexed = info.embed_model
        if indexed is not None and indexed != self.embedder.model:
            raise ConfigError(
                f"Collection {collection!r} was indexed with {indexed}, but questions are embedded "
                f"with {self.embedder.model}. Use retrieval mode 'sparse', or re-ingest it."
            )
