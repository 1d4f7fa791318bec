"""The vector store adapters behind `core.ports.VectorStore`: Qdrant Edge embedded
(`store.edge`, the default) or a Qdrant server by URL (`store.qdrant`). Only this package
imports qdrant_edge and qdrant_client."""

from __future__ import annotations

from pathlib import Path

from core.errors import StoreError
from core.ports import VectorStore


def open_store(*, url: str | None, api_key: str | None, path: Path) -> VectorStore:
    """A Qdrant server when `url` is set, else the embedded engine in the folder `path`."""
    if url:
        from store.qdrant import QdrantStore

        return QdrantStore.server(url, api_key=api_key)
    from store.edge import EdgeStore, FolderLocked

    try:
        return EdgeStore(path)
    except FolderLocked as exc:  # one process per folder
        raise StoreError(
            f"The store at {path} is in use by another process "
            "(the embedded store allows one); stop it or set RAG_QDRANT_URL to a Qdrant server."
        ) from exc
