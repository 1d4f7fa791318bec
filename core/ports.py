"""The seams between the pure core and the adapters at the edges.

The core (chunking, retrieval logic, prompt building, citations) talks to embedders, chat
models and the vector store only through these protocols, so tests pass in-memory fakes and the
composition root (`app.container`) picks the real adapters from the settings.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol, runtime_checkable

from core.records import (
    Candidate,
    Chunk,
    CollectionInfo,
    SearchFilter,
    SourceStats,
    StoreQuery,
)


class Priority(IntEnum):
    """Who waits for a request: a person asking goes ahead of a bulk ingest."""

    INTERACTIVE = 0
    BULK = 1


@runtime_checkable
class Embedder(Protocol):
    @property
    def model(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def max_input_tokens(self) -> int:
        """The model's own input limit, in its own tokens (chunkers leave a margin below it)."""
        ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


@dataclass(frozen=True, slots=True)
class EmbedPace:
    """How a bulk caller should feed an embedder that sends its batches to a remote service.

    `in_flight`: batches to keep going at once so the service's allowed rate is used whatever
    its response time (the rate limiter, not this number, sets the pace). `held_back`: "" while
    nothing waits, else what holds requests back, e.g. "the rate limit (300/min)".
    """

    in_flight: int
    held_back: str = ""


@runtime_checkable
class PacedEmbedder(Protocol):
    """What an `Embedder` of a remote service adds: batches already cut to the service's
    limits, sent as given, and the pace to feed them at. (No properties here: `isinstance`
    would read them, and an embedder's `dim` may cost a request.)"""

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """One request for exactly these texts (the caller cut them to the batch limits)."""
        ...

    def pace(self) -> EmbedPace: ...


# --- What a streamed chat completion yields -------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChatDelta:
    """A piece of the answer. `reasoning` is what reasoning models send beside the answer."""

    content: str = ""
    reasoning: str = ""
    finish_reason: str | None = None


@dataclass(frozen=True, slots=True)
class RateLimitWait:
    """The client is waiting before it may send (or resend) the request.

    `retry` is set when the wait is a retry after a failure (why, e.g. "cannot reach
    http://host (ConnectError)"); empty for a rate-limit wait.
    """

    seconds: float
    retry: str = ""


ChatStreamItem = ChatDelta | RateLimitWait


class ChatModel(Protocol):
    @property
    def model(self) -> str: ...

    def stream_chat(self, messages: Sequence[dict[str, object]]) -> Iterator[ChatStreamItem]:
        """Stream one answer; raises `core.errors.APIError` subclasses on failure."""
        ...

    def complete_chat(
        self, messages: Sequence[dict[str, object]], *, max_tokens: int, bulk: bool = False
    ) -> str:
        """One non-streamed answer (a rewritten follow-up question, a page read by a vision model);
        `bulk` work waits behind people's questions at the rate limiter."""
        ...


# --- The vector store -----------------------------------------------------------------------

SparseTerms = tuple[Sequence[int], Sequence[float]]  # BM25 term ids and weights of one chunk


@runtime_checkable
class VectorStore(Protocol):
    """Collections of chunks with a dense and a BM25 sparse vector each: it stores and searches.

    Which queries to send, how many candidates, and how to fuse their scores into a relevance
    is retrieval's business (`rag.retrieve`). Adapters: `store.edge.EdgeStore` (Qdrant Edge,
    embedded) and `store.qdrant.QdrantStore` (a Qdrant server, or qdrant-client's local mode);
    `tests/store/test_store.py` is the contract both pass.

    A missing collection reads as empty: `count` 0, `source_states` and `source_stats` {},
    `search` no candidates, `fetch` nothing.
    """

    # Collections
    def collections(self) -> list[str]: ...

    def exists(self, name: str) -> bool: ...

    def collection_info(self, name: str) -> CollectionInfo: ...

    def ensure_collection(self, name: str, *, dim: int, model: str) -> None:
        """Create the collection, or raise `ConfigError` if it holds another model's vectors."""
        ...

    def delete_collection(self, name: str) -> None: ...

    def count(self, name: str) -> int: ...

    def optimize(self, name: str) -> None:
        """Build the search indexes after a bulk write (blocking; a no-op where automatic)."""
        ...

    def close(self) -> None: ...

    # Writing. A file's chunks are written batch by batch, the first batch with an empty
    # `doc_hash`; once all are in, `commit_source` stamps those with the file's hash and drops
    # the file's older chunks, so a run killed at any point leaves the file "partial" and the
    # next run redoes it.
    def upsert_chunks(
        self,
        name: str,
        chunks: Sequence[Chunk],
        dense_vectors: Sequence[Sequence[float]],
        sparse_vectors: Sequence[SparseTerms],
    ) -> None:
        """Write chunks with their dense and BM25 vectors (`text.sparse.document_vector`)."""
        ...

    def commit_source(
        self,
        name: str,
        source: str,
        ids: Sequence[str],
        doc_hash: str,
        *,
        unstamped: Sequence[str] | None = None,
    ) -> None:
        """Mark a file's fully written chunks (`ids`) complete: give `unstamped`, those written
        without the hash (all of `ids` when None), the hash; then delete its chunks not in `ids`."""
        ...

    def delete_source(self, name: str, source: str) -> None: ...

    def source_states(self, name: str) -> dict[str, str]:
        """Each source's content hash when its chunks are complete, "" when partly written."""
        ...

    def source_stats(self, name: str) -> dict[str, SourceStats]:
        """Each source's chunk count and last page (what the document manager lists)."""
        ...

    # Reading
    def chunks_of(self, name: str, source: str) -> list[Chunk]:
        """A source's chunks in document order."""
        ...

    def search(
        self,
        name: str,
        queries: Sequence[StoreQuery],
        *,
        limit: int,
        filters: SearchFilter | None = None,
    ) -> list[list[Candidate]]:
        """Each query's best `limit` candidates, best first, with raw scores, in one round trip.

        A sparse query without terms finds nothing.
        """
        ...

    def fetch(self, name: str, ids: Sequence[str]) -> dict[str, Chunk]:
        """The chunks of `ids` that exist, by id."""
        ...
