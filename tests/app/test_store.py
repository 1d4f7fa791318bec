from __future__ import annotations

from collections.abc import Iterator

import pytest
from qdrant_client import QdrantClient

from app.errors import ConfigError, StoreError
from app.records import Chunk, SearchFilter, chunk_id
from app.settings import RetrievalMode
from app.store import VectorStore
from tests.fakes.embedder import HashEmbedder

TEXTS = [
    ("a.md", "the cat sat on the mat"),
    ("a.md", "dogs chase cats in the garden"),
    ("b.txt", "quarterly revenue grew by ten percent"),
]


@pytest.fixture
def store() -> Iterator[VectorStore]:
    embedder = HashEmbedder()
    store = VectorStore(QdrantClient(":memory:"))
    store.ensure_collection("c", dim=embedder.dim, model=embedder.model)
    chunks = [
        Chunk(chunk_id(src, i, text), src, src, src.rsplit(".")[1], text, i)
        for i, (src, text) in enumerate(TEXTS)
    ]
    store.upsert_chunks("c", chunks, embedder.embed_documents([c.text for c in chunks]))
    yield store
    store.close()


def test_store_search_both_returns_cosine_and_raw_bm25(store: VectorStore) -> None:
    query = HashEmbedder().embed_query("revenue grew")
    dense, sparse = store.search_both("c", dense=query, text="revenue grew", limit=3)
    assert dense[0].chunk.source == "b.txt" and dense[0].score <= 1.0 + 1e-6
    assert [h.chunk.source for h in sparse] == ["b.txt"]  # only it holds the terms
    assert sparse[0].score > 1.0  # raw BM25, before squashing


def test_store_search_sparse_without_terms_returns_nothing(store: VectorStore) -> None:
    assert (
        store.search("c", dense=None, text="the of and", mode=RetrievalMode.SPARSE, limit=3) == []
    )


def test_store_search_dense_without_vector_raises(store: VectorStore) -> None:
    with pytest.raises(StoreError):
        store.search("c", dense=None, text="cat", mode=RetrievalMode.DENSE, limit=3)


def test_store_search_hybrid_without_vector_falls_back_to_sparse(store: VectorStore) -> None:
    hits = store.search("c", dense=None, text="garden dogs", mode=RetrievalMode.HYBRID, limit=3)
    assert hits[0].chunk.text == "dogs chase cats in the garden"


def test_store_search_filter_by_source(store: VectorStore) -> None:
    query = HashEmbedder().embed_query("cat")
    hits = store.search(
        "c", dense=query, text="cat", mode=RetrievalMode.HYBRID, limit=5,
        filters=SearchFilter(sources=("b.txt",)),
    )  # fmt: skip
    assert [h.chunk.source for h in hits] == ["b.txt"]


def test_store_ensure_collection_other_model_is_refused(store: VectorStore) -> None:
    with pytest.raises(ConfigError):
        store.ensure_collection("c", dim=64, model="another-model")
