"""The contract of `core.ports.VectorStore`, run over every adapter (`STORE_BACKENDS`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import ConfigError, StoreError
from core.ports import VectorStore
from core.records import Chunk, CollectionInfo, DenseQuery, SourceStats, SparseQuery, chunk_id
from store.edge import EdgeStore
from tests.conftest import STORE_BACKENDS, bm25, open_test_store
from tests.fakes.embedder import HashEmbedder
from text import sparse

TEXTS = [
    ("a.md", "the cat sat on the mat"),
    ("a.md", "dogs chase cats in the garden"),
    ("b.txt", "quarterly revenue grew by ten percent"),
]


def _write(store: VectorStore, name: str, chunks: list[Chunk]) -> None:
    dense = HashEmbedder().embed_documents([c.text for c in chunks])
    store.upsert_chunks(name, chunks, dense, bm25(chunks))


def _terms(text: str) -> SparseQuery:
    return SparseQuery(*sparse.query_vector(text))


@pytest.fixture(params=STORE_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    embedder = HashEmbedder()
    store = open_test_store(request.param, tmp_path)
    store.ensure_collection("c", dim=embedder.dim, model=embedder.model)
    chunks = [
        Chunk(chunk_id(src, i, text), src, src, src.rsplit(".")[1], text, i)
        for i, (src, text) in enumerate(TEXTS)
    ]
    _write(store, "c", chunks)
    yield store
    store.close()


def test_store_adapters_implement_the_protocol(store: VectorStore) -> None:
    assert isinstance(store, VectorStore)


def test_store_search_returns_cosine_and_raw_bm25(store: VectorStore) -> None:
    query = HashEmbedder().embed_query("revenue grew")
    dense, terms = store.search("c", [DenseQuery(query), _terms("revenue grew")], limit=3)
    found = store.fetch("c", [c.id for c in [*dense, *terms]])
    assert found[dense[0].id].source == "b.txt" and dense[0].score <= 1.0 + 1e-6
    assert [found[c.id].source for c in terms] == ["b.txt"]  # only it holds the terms
    assert terms[0].score > 1.0  # raw BM25, before squashing


def test_store_search_sparse_without_terms_returns_nothing(store: VectorStore) -> None:
    assert store.search("c", [_terms("the of and")], limit=3) == [[]]


def test_store_search_missing_collection_returns_nothing(store: VectorStore) -> None:
    query = HashEmbedder().embed_query("cat")
    assert store.search("nope", [DenseQuery(query), _terms("cat")], limit=3) == [[], []]
    assert store.fetch("nope", ["x"]) == {} and store.count("nope") == 0


def test_store_search_answers_queries_in_order_best_first(store: VectorStore) -> None:
    first, second = store.search("c", [_terms("revenue"), _terms("garden dogs")], limit=3)
    found = store.fetch("c", [c.id for c in [*first, *second]])
    assert [found[c.id].source for c in first] == ["b.txt"]
    assert found[second[0].id].text == "dogs chase cats in the garden"
    assert [c.score for c in second] == sorted((c.score for c in second), reverse=True)


def test_store_fetch_skips_unknown_ids(store: VectorStore) -> None:
    (hits,) = store.search("c", [_terms("revenue")], limit=1)
    unknown = chunk_id("z.md", 0, "never written")
    assert list(store.fetch("c", [hits[0].id, unknown])) == [hits[0].id]


def test_store_ensure_collection_other_model_is_refused(store: VectorStore) -> None:
    with pytest.raises(ConfigError):
        store.ensure_collection("c", dim=64, model="another-model")


def test_store_commit_source_drops_stale_chunks(store: VectorStore) -> None:
    fresh = Chunk(chunk_id("a.md", 0, "new cat text"), "a.md", "a.md", "md", "new cat text", 0)
    _write(store, "c", [fresh])
    store.commit_source("c", "a.md", [fresh.id], "h2")
    assert [c.text for c in store.chunks_of("c", "a.md")] == ["new cat text"]
    assert store.count("c") == 2


def test_store_source_states_and_collections_list(store: VectorStore) -> None:
    assert set(store.source_states("c")) == {"a.md", "b.txt"}
    assert "c" in store.collections() and store.exists("c") and not store.exists("nope")
    assert store.collection_info("c") == CollectionInfo(
        embed_model="hash-test", dim=64, sparse_scheme=sparse.SCHEME
    )


def test_store_source_stats_counts_chunks_and_last_page(store: VectorStore) -> None:
    paged = [
        Chunk(chunk_id("r.pdf", i, t), "r.pdf", "R", "pdf", t, i, page_start=p, page_end=p + i)
        for i, (t, p) in enumerate([("first page text", 1), ("spans pages four and five", 4)])
    ]
    _write(store, "c", paged)
    stats = store.source_stats("c")
    assert stats["a.md"] == SourceStats(chunks=2, pages=0)  # no pages: markdown
    assert stats["b.txt"] == SourceStats(chunks=1, pages=0)
    assert stats["r.pdf"] == SourceStats(chunks=2, pages=5)  # the furthest page a chunk reaches
    assert store.source_stats("nope") == {}


def test_store_delete_source_removes_its_chunks(store: VectorStore) -> None:
    store.delete_source("c", "a.md")
    assert store.chunks_of("c", "a.md") == [] and store.count("c") == 1


def test_store_delete_collection_forgets_it(store: VectorStore) -> None:
    store.delete_collection("c")
    assert not store.exists("c") and "c" not in store.collections() and store.count("c") == 0


def test_store_edge_reopens_with_data_and_locks_the_folder(tmp_path: Path) -> None:
    embedder = HashEmbedder()
    store = EdgeStore(tmp_path)
    store.ensure_collection("c", dim=embedder.dim, model=embedder.model)
    chunk = Chunk(chunk_id("a.md", 0, "persisted text"), "a.md", "a.md", "md", "persisted text", 0)
    _write(store, "c", [chunk])
    with pytest.raises(RuntimeError):
        EdgeStore(tmp_path)  # a second process (or store) on the same folder
    store.close()
    again = EdgeStore(tmp_path)
    (hits,) = again.search("c", [_terms("persisted")], limit=3)
    assert [again.fetch("c", [h.id])[h.id].text for h in hits] == ["persisted text"]
    assert again.collection_info("c").dim == embedder.dim
    again.close()


def test_store_optimize_keeps_results(store: VectorStore) -> None:
    before = store.search("c", [_terms("revenue")], limit=3)
    store.optimize("c")
    after = store.search("c", [_terms("revenue")], limit=3)
    assert [c.id for c in after[0]] == [c.id for c in before[0]] and after[0]


def test_store_commit_source_stamps_new_chunks_and_drops_old(store: VectorStore) -> None:
    old_ids = [c.id for c in store.chunks_of("c", "a.md")]
    store.commit_source("c", "a.md", old_ids, "h1")
    assert store.source_states("c")["a.md"] == "h1"
    text = "new cat text"
    fresh = Chunk(chunk_id("a.md", 5, text), "a.md", "a.md", "md", text, 5, doc_hash="")
    _write(store, "c", [fresh])
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
    _write(store, "c", [original])
    assert store.chunks_of("c", "handbook.pdf") == [original]
    assert store.fetch("c", [original.id]) == {original.id: original}


@pytest.mark.parametrize("name", ["finance\n", "finance\r\n", "../x", "a b", ""])
def test_store_collection_name_must_match_whole(store: VectorStore, name: str) -> None:
    """Issue 10, item 3: `finance\\n` became a second collection beside `finance`."""
    with pytest.raises(StoreError, match="invalid collection name"):
        store.ensure_collection(name, dim=4, model="m")
    assert name not in store.collections()
