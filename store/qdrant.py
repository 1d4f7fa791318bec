"""`QdrantStore`: the vector store on a Qdrant server (by URL), or qdrant-client's local mode
(":memory:" or a folder; plain Python and numpy, for tests). The only module that imports
qdrant_client.

One collection per document collection, each point one chunk, with a named dense vector
(`dense`, cosine) and a named BM25 sparse vector (`bm25`, Qdrant's IDF modifier). The
collection's metadata records the embedding model and dimension, so ingesting with another
model is refused instead of silently mixing vector spaces.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from qdrant_client import QdrantClient
from qdrant_client import models as qm

from core.errors import StoreError
from core.names import RULE as NAME_RULE
from core.names import valid_collection_name
from core.ports import SparseTerms
from core.records import (
    Candidate,
    Chunk,
    CollectionInfo,
    DenseQuery,
    SearchFilter,
    SourceStats,
    StoreQuery,
)
from store.points import (
    DENSE,
    INDEXED_FIELDS,
    SCROLL_PAGE,
    SPARSE,
    UPSERT_BATCH,
    check_lengths,
    check_same_model,
    chunk_payload,
    collection_metadata,
    filter_conditions,
    merge_state,
    merge_stats,
    metadata_info,
    payload_chunk,
)


def _filter(filters: SearchFilter | None) -> qm.Filter | None:
    must: list[qm.Condition] = [
        qm.FieldCondition(key=key, match=qm.MatchAny(any=values))
        for key, values in filter_conditions(filters)
    ]
    return qm.Filter(must=must) if must else None


def _sparse(indices: Sequence[int], values: Sequence[float]) -> qm.SparseVector:
    return qm.SparseVector(indices=list(indices), values=list(values))


class QdrantStore:
    """`core.ports.VectorStore` over qdrant-client."""

    def __init__(self, client: QdrantClient | None = None) -> None:
        """On `client`; by default qdrant-client's local mode in memory."""
        self._client = client if client is not None else QdrantClient(":memory:")

    @classmethod
    def server(cls, url: str, *, api_key: str | None = None) -> QdrantStore:
        return cls(QdrantClient(url=url, api_key=api_key, timeout=30))

    @classmethod
    def local(cls, path: Path | None = None) -> QdrantStore:
        """qdrant-client's local mode: in memory, or in a folder."""
        return cls(QdrantClient(path=str(path)) if path else None)

    def close(self) -> None:
        self._client.close()

    # --- Collections -------------------------------------------------------------------------

    def collections(self) -> list[str]:
        return sorted(c.name for c in self._client.get_collections().collections)

    def exists(self, name: str) -> bool:
        return bool(self._client.collection_exists(name))

    def collection_info(self, name: str) -> CollectionInfo:
        return metadata_info(self._client.get_collection(name).config.metadata)

    def ensure_collection(self, name: str, *, dim: int, model: str) -> None:
        if not valid_collection_name(name):  # the one rule, full match (core.names)
            raise StoreError(f"invalid collection name {name!r}: use {NAME_RULE}")
        if self.exists(name):
            check_same_model(name, self.collection_info(name), dim=dim, model=model)
            return
        self._client.create_collection(
            name,
            vectors_config={DENSE: qm.VectorParams(size=dim, distance=qm.Distance.COSINE)},
            sparse_vectors_config={SPARSE: qm.SparseVectorParams(modifier=qm.Modifier.IDF)},
            metadata=collection_metadata(model, dim),
        )
        with warnings.catch_warnings():  # local mode ignores payload indexes, and says so
            warnings.simplefilter("ignore", UserWarning)
            for field in INDEXED_FIELDS:
                self._client.create_payload_index(name, field, qm.PayloadSchemaType.KEYWORD)

    def delete_collection(self, name: str) -> None:
        self._client.delete_collection(name)

    def count(self, name: str) -> int:
        if not self.exists(name):
            return 0
        return int(self._client.count(name, exact=True).count)

    def optimize(self, name: str) -> None:
        """A server and local mode index on their own: nothing to do."""

    # --- Writing -----------------------------------------------------------------------------

    def upsert_chunks(
        self,
        name: str,
        chunks: Sequence[Chunk],
        dense_vectors: Sequence[Sequence[float]],
        sparse_vectors: Sequence[SparseTerms],
    ) -> None:
        check_lengths(len(chunks), len(dense_vectors), len(sparse_vectors))
        for start in range(0, len(chunks), UPSERT_BATCH):
            end = start + UPSERT_BATCH
            points = [
                qm.PointStruct(
                    id=chunk.id,
                    vector={DENSE: list(vector), SPARSE: _sparse(*terms)},
                    payload=chunk_payload(chunk),
                )
                for chunk, vector, terms in zip(
                    chunks[start:end], dense_vectors[start:end], sparse_vectors[start:end],
                    strict=True,
                )
            ]  # fmt: skip
            self._client.upsert(name, points=points, wait=True)

    def commit_source(
        self,
        name: str,
        source: str,
        ids: Sequence[str],
        doc_hash: str,
        *,
        unstamped: Sequence[str] | None = None,
    ) -> None:
        step, stamp = UPSERT_BATCH * 4, ids if unstamped is None else unstamped
        for start in range(0, len(stamp), step):
            self._client.set_payload(
                name, payload={"doc_hash": doc_hash}, points=list(stamp[start : start + step]),
                wait=True,
            )  # fmt: skip
        self._delete_stale(name, source, ids)

    def delete_source(self, name: str, source: str) -> None:
        self._delete_stale(name, source, [])

    def _delete_stale(self, name: str, source: str, keep: Sequence[str]) -> None:
        """Delete the source's chunks whose ids are not in `keep`."""
        kept: list[qm.ExtendedPointId] = list(keep)
        stale = qm.Filter(
            must=[qm.FieldCondition(key="source", match=qm.MatchValue(value=source))],
            must_not=[qm.HasIdCondition(has_id=kept)] if kept else [],
        )
        self._client.delete(name, points_selector=qm.FilterSelector(filter=stale), wait=True)

    def source_states(self, name: str) -> dict[str, str]:
        if not self.exists(name):
            return {}
        states: dict[str, str] = {}
        for payload in self._scroll(name, ["source", "doc_hash"]):
            merge_state(states, payload)
        return states

    def source_stats(self, name: str) -> dict[str, SourceStats]:
        if not self.exists(name):
            return {}
        stats: dict[str, SourceStats] = {}
        for payload in self._scroll(name, ["source", "page_start", "page_end"]):
            merge_stats(stats, payload)
        return stats

    # --- Reading -----------------------------------------------------------------------------

    def _scroll(self, name: str, fields: list[str]) -> Iterator[dict[str, Any]]:
        offset = None
        while True:
            records, offset = self._client.scroll(
                name, limit=SCROLL_PAGE, offset=offset, with_payload=fields, with_vectors=False
            )
            for record in records:
                yield record.payload or {}
            if offset is None:
                return

    def chunks_of(self, name: str, source: str) -> list[Chunk]:
        records, _ = self._client.scroll(
            name,
            scroll_filter=_filter(SearchFilter(sources=(source,))),
            limit=10_000,
            with_payload=True,
        )
        return sorted(
            (payload_chunk(r.id, r.payload or {}) for r in records), key=lambda c: c.position
        )

    def search(
        self,
        name: str,
        queries: Sequence[StoreQuery],
        *,
        limit: int,
        filters: SearchFilter | None = None,
    ) -> list[list[Candidate]]:
        found: list[list[Candidate]] = [[] for _ in queries]
        if not self.exists(name):
            return found
        query_filter = _filter(filters)
        asked: list[int] = []
        requests: list[qm.QueryRequest] = []
        for i, query in enumerate(queries):
            if isinstance(query, DenseQuery):
                vector: Any = list(query.vector)
                using = DENSE
            elif query.indices:
                vector, using = _sparse(query.indices, query.values), SPARSE
            else:
                continue  # a sparse query without terms finds nothing
            asked.append(i)
            requests.append(qm.QueryRequest(
                query=vector, using=using, limit=limit, filter=query_filter, with_payload=False,
            ))  # fmt: skip
        if requests:
            responses = self._client.query_batch_points(name, requests=requests)
            for i, response in zip(asked, responses, strict=True):
                found[i] = [Candidate(str(p.id), p.score) for p in response.points]
        return found

    def fetch(self, name: str, ids: Sequence[str]) -> dict[str, Chunk]:
        if not ids or not self.exists(name):
            return {}
        records = self._client.retrieve(name, list(ids), with_payload=True)
        return {str(r.id): payload_chunk(r.id, r.payload or {}) for r in records}
