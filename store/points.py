"""Chunks to Qdrant points and back, and search filters: the store's pure conversions."""

from __future__ import annotations

from typing import Any

from qdrant_client import models as qm

from core.records import Chunk, SearchFilter


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


def search_filter(filters: SearchFilter | None) -> qm.Filter | None:
    if filters is None:
        return None
    must: list[qm.Condition] = []
    if filters.sources:
        must.append(qm.FieldCondition(key="source", match=qm.MatchAny(any=list(filters.sources))))
    if filters.kinds:
        must.append(qm.FieldCondition(key="kind", match=qm.MatchAny(any=list(filters.kinds))))
    return qm.Filter(must=must) if must else None


def sparse_vector(pair: tuple[list[int], list[float]]) -> qm.SparseVector:
    return qm.SparseVector(indices=pair[0], values=pair[1])
