from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import ConfigError, StoreError
from core.records import Chunk, SearchFilter, chunk_id
from core.settings import RetrievalMode
from store.edge import EdgeClient
from store.vector_store import VectorStore
from tests.conftest import STORE_BACKENDS, open_test_store
from tests.fakes.embedder import HashEmbedder

TEXTS = [
    ("a.md", "the cat sat on the mat"),
    ("a.md", "dogs chase cats in the garden"),
    ("b.txt", "quarterly revenue grew by ten percent"),
]


@pytest.fixture(params=STORE_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    embedder = HashEmbedder()
    store = open_test_store(request.param, tmp_path)
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


def test_store_commit_source_drops_stale_chunks(store: VectorStore) -> None:
    embedder = HashEmbedder()
    fresh = Chunk(chunk_id("a.md", 0, "new cat text"), "a.md", "a.md", "md", "new cat text", 0)
    store.upsert_chunks("c", [fresh], embedder.embed_documents([fresh.text]))
    store.commit_source("c", "a.md", [fresh.id], "h2")
    assert [c.text for c in store.chunks_of("c", "a.md")] == ["new cat text"]
    assert store.count("c") == 2


def test_store_source_states_and_collections_list(store: VectorStore) -> None:
    assert set(store.source_states("c")) == {"a.md", "b.txt"}
    assert "c" in store.collections() and store.exists("c") and not store.exists("nope")
    assert store.collection_info("c") == {"embed_model": "hash-test", "dim": 64}


def test_store_delete_source_removes_its_chunks(store: VectorStore) -> None:
    store.delete_source("c", "a.md")
    assert store.chunks_of("c", "a.md") == [] and store.count("c") == 1


def test_store_edge_reopens_with_data_and_locks_the_folder(tmp_path: Path) -> None:
    embedder = HashEmbedder()
    store = VectorStore(EdgeClient(tmp_path))
    store.ensure_collection("c", dim=embedder.dim, model=embedder.model)
    chunk = Chunk(chunk_id("a.md", 0, "persisted text"), "a.md", "a.md", "md", "persisted text", 0)
    store.upsert_chunks("c", [chunk], embedder.embed_documents([chunk.text]))
    with pytest.raises(RuntimeError):
        EdgeClient(tmp_path)  # a second process (or client) on the same folder
    store.close()
    again = VectorStore(EdgeClient(tmp_path))
    hits = again.search("c", dense=None, text="persisted", mode=RetrievalMode.SPARSE, limit=3)
    assert [h.chunk.text for h in hits] == ["persisted text"]
    assert again.collection_info("c")["dim"] == embedder.dim
    again.close()


def test_store_optimize_keeps_results(store: VectorStore) -> None:
    before = store.search("c", dense=None, text="revenue", mode=RetrievalMode.SPARSE, limit=3)
    store.optimize("c")
    after = store.search("c", dense=None, text="revenue", mode=RetrievalMode.SPARSE, limit=3)
    assert [h.chunk.id for h in after] == [h.chunk.id for h in before] and after


@pytest.mark.parametrize("mode", list(RetrievalMode))
def test_store_search_every_mode_finds_the_matching_chunk(
    store: VectorStore, mode: RetrievalMode
) -> None:
    query = "quarterly revenue grew"
    dense = HashEmbedder().embed_query(query)
    hits = store.search("c", dense=dense, text=query, mode=mode, limit=2)
    assert hits and hits[0].chunk.source == "b.txt"


def test_store_commit_source_stamps_new_chunks_and_drops_old(store: VectorStore) -> None:
    embedder = HashEmbedder()
    old_ids = [c.id for c in store.chunks_of("c", "a.md")]
    store.commit_source("c", "a.md", old_ids, "h1")
    assert store.source_states("c")["a.md"] == "h1"
    text = "new cat text"
    fresh = Chunk(chunk_id("a.md", 5, text), "a.md", "a.md", "md", text, 5, doc_hash="")
    store.upsert_chunks("c", [fresh], embedder.embed_documents([text]))
    assert store.source_states("c")["a.md"] == ""  # mixed hashes: a partly written file

    store.commit_source("c", "a.md", [fresh.id], "h2")

    assert store.source_states("c")["a.md"] == "h2"
    assert [c.text for c in store.chunks_of("c", "a.md")] == [text]


def test_store_chunk_round_trips_with_pages_and_headings(store: VectorStore) -> None:
    text = "Remote work is allowed for up to three days per week."
    original = Chunk(
        chunk_id("handbook.pdf", 0, text), "handbook.pdf", "Handbook", "pdf", text, 0,
        page_start=1, page_end=2, headings=("Policies", "Remote work"), doc_hash="h1",
        token_count=12,
    )  # fmt: skip
    store.upsert_chunks("c", [original], HashEmbedder().embed_documents([text]))
    assert store.chunks_of("c", "handbook.pdf") == [original]
