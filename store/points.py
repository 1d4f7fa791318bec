"""Chunks to point payloads and back, and search filters as plain conditions: the pure
conversions both store adapters share."""

from __future__ import annotations

from typing import Any

from core.errors import ConfigError, StoreError
from core.records import Chunk, CollectionInfo, SearchFilter, SourceStats
from text.sparse import SCHEME

DENSE = "dense"  # the named dense vector (cosine)
SPARSE = "bm25"  # the named sparse vector (BM25, Qdrant's IDF modifier)
INDEXED_FIELDS = ("source", "kind")  # keyword payload indexes
UPSERT_BATCH = 256
SCROLL_PAGE = 512


def chunk_payload(chunk: Chunk) -> dict[str, Any]:
    return {
        "source": chunk.source,
        "title": chunk.title,
        "kind": chunk.kind,
        "text": chunk.text,
        "position": chunk.position,
        "page_start": chunk.page_start,
        "page_end": chunk.page_end,
        "headings": list(chunk.headings),
        "doc_hash": chunk.doc_hash,
        "token_count": chunk.token_count,
    }


def payload_chunk(point_id: Any, payload: dict[str, Any]) -> Chunk:
    return Chunk(
        id=str(point_id),
        source=payload["source"],
        title=payload.get("title", ""),
        kind=payload.get("kind", ""),
        text=payload["text"],
        position=payload.get("position", 0),
        page_start=payload.get("page_start"),
        page_end=payload.get("page_end"),
        headings=tuple(payload.get("headings") or ()),
        doc_hash=payload.get("doc_hash", ""),
        token_count=payload.get("token_count", 0),
    )


def filter_conditions(filters: SearchFilter | None) -> list[tuple[str, list[str]]]:
    """The filter as (payload key, accepted values) pairs, all of which must hold."""
    if filters is None:
        return []
    pairs = [("source", list(filters.sources)), ("kind", list(filters.kinds))]
    return [(key, values) for key, values in pairs if values]


def collection_metadata(model: str, dim: int) -> dict[str, Any]:
    return {"embed_model": model, "dim": dim, "sparse_scheme": SCHEME}


def metadata_info(metadata: dict[str, Any] | None) -> CollectionInfo:
    meta = metadata or {}
    return CollectionInfo(
        embed_model=meta.get("embed_model"), dim=meta.get("dim"),
        sparse_scheme=meta.get("sparse_scheme"),
    )  # fmt: skip


def check_same_model(name: str, info: CollectionInfo, *, dim: int, model: str) -> None:
    """Refuse to mix vector spaces: the collection must have been made with this model and
    this BM25 analysis (a collection recorded before schemes were recorded used an older one)."""
    if info.embed_model not in (None, model) or info.dim not in (None, dim):
        raise ConfigError(
            f"Collection {name!r} was indexed with {info.embed_model} "
            f"({info.dim} dims), not {model} ({dim} dims). Re-index it into a new "
            "collection (--collection NAME), or delete it and ingest again."
        )
    if not info.sparse_matches(SCHEME):
        raise ConfigError(stale_scheme_message(name))


def stale_scheme_message(name: str) -> str:
    return (
        f"Collection {name!r} was indexed by an older version whose keyword (BM25) analysis "
        "differs from this one's (German stemming and compounds). Re-index it into a new "
        "collection (--collection NAME), or delete it and ingest again."
    )


def check_lengths(chunks: int, dense: int, sparse: int) -> None:
    if chunks != dense:
        raise StoreError(f"{chunks} chunks but {dense} vectors")
    if chunks != sparse:
        raise StoreError(f"{chunks} chunks but {sparse} sparse vectors")


def merge_stats(stats: dict[str, SourceStats], payload: dict[str, Any]) -> None:
    """Fold one point into `source_stats`: one more chunk, and the furthest page seen."""
    source = payload["source"]
    seen = stats.get(source, SourceStats())
    page = payload.get("page_end") or payload.get("page_start") or 0
    stats[source] = SourceStats(seen.chunks + 1, max(seen.pages, int(page)))


def merge_state(states: dict[str, str], payload: dict[str, Any]) -> None:
    """Fold one point into `source_states`: a source's hash, or "" once two differ."""
    source, doc_hash = payload["source"], payload.get("doc_hash") or ""
    states[source] = doc_hash if states.get(source, doc_hash) == doc_hash else ""
