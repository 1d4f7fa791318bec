"""The vector store adapters behind `core.ports.VectorStore`: Qdrant Edge embedded
(`store.edge`, the default) or a Qdrant server by URL (`store.qdrant`). Only this package
imports qdrant_edge and qdrant_client."""

from __future__ import annotations

from pathlib import Path

from core.ports import VectorStore


def open_store(*, url: str | None, api_key: str | None, path: Path) -> VectorStore:
    """A Qdrant server when `url` is set, else the embedded engine in the folder `path`
    (shared with other processes using it: see `store.handoff`)."""
    if url:
        from store.qdrant import QdrantStore

        return QdrantStore.server(url, api_key=api_key)
    from store.handoff import SharedEdgeStore

    return SharedEdgeStore(path)  # the folder, or a connection to the process holding it
