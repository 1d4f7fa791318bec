from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from core.errors import StoreError
from core.ports import VectorStore
from core.records import Chunk, ScoredChunk, SearchFilter, chunk_id
from core.settings import RetrievalMode
from rag.retrieve import retrieve, search_chunks, suppress_near_duplicates
from tests.conftest import STORE_BACKENDS, bm25, open_test_store
from tests.fakes.embedder import HashEmbedder

TEXTS = {
    "billing.md": [
        "Invoices are sent on the first working day of each month by email.",
        "Refunds are paid back to the original card within ten days.",
    ],
    "travel.pdf": [
        "Train tickets above 200 euros need approval from your manager.",
        "Hotel rooms are booked through the travel desk, never privately.",
    ],
    "copy.md": ["Invoices are sent on the first working day of each month by email!"],
}


def _chunk(source: str, position: int, text: str) -> Chunk:
    kind = source.rsplit(".", 1)[1]
    return Chunk(chunk_id(source, position, text), source, source, kind, text, position)


@pytest.fixture(params=STORE_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    embedder = HashEmbedder()
    store = open_test_store(request.param, tmp_path)
    store.ensure_collection("docs", dim=embedder.dim, model=embedder.model)
    chunks = [_chunk(s, i, t) for s, texts in TEXTS.items() for i, t in enumerate(texts)]
    store.upsert_chunks(
        "docs", chunks, embedder.embed_documents([c.text for c in chunks]), bm25(chunks)
    )
    yield store
    store.close()


def _ask(
    store: VectorStore, query: str, mode: RetrievalMode, **kwargs: object
) -> list[ScoredChunk]:
    options: dict[str, object] = {"top_k": 3, **kwargs}
    return retrieve(
        query, store=store, embedder=HashEmbedder(), collection="docs", mode=mode, **options
    )  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", list(RetrievalMode))
def test_retrieve_each_mode_ranks_matching_chunk_first(
    store: VectorStore, mode: RetrievalMode
) -> None:
    hits = _ask(store, "when are refunds paid back to my card", mode)
    assert hits[0].chunk.text.startswith("Refunds")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(0.0 <= h.score <= 1.0 for h in hits)


@pytest.mark.parametrize("mode", list(RetrievalMode))
def test_retrieve_near_duplicate_chunk_is_suppressed(
    store: VectorStore, mode: RetrievalMode
) -> None:
    hits = _ask(store, "when are invoices sent by email", mode)
    texts = [h.chunk.text.rstrip(".!") for h in hits]
    assert texts.count("Invoices are sent on the first working day of each month by email") == 1


def test_retrieve_source_filter_restricts_results(store: VectorStore) -> None:
    hits = _ask(
        store, "invoices", RetrievalMode.HYBRID, filters=SearchFilter(sources=("travel.pdf",))
    )
    assert hits and {h.chunk.source for h in hits} == {"travel.pdf"}


def test_retrieve_kind_filter_restricts_results(store: VectorStore) -> None:
    hits = _ask(store, "invoices email", RetrievalMode.SPARSE, filters=SearchFilter(kinds=("pdf",)))
    assert {h.chunk.kind for h in hits} <= {"pdf"}


def test_retrieve_unrelated_question_scores_below_related_one(store: VectorStore) -> None:
    related = _ask(store, "hotel rooms booked through the travel desk", RetrievalMode.HYBRID)
    unrelated = _ask(store, "volcanic eruptions in iceland", RetrievalMode.HYBRID)
    assert not unrelated or unrelated[0].score < related[0].score / 2


def test_retrieve_missing_collection_returns_nothing(store: VectorStore) -> None:
    hits = retrieve(
        "anything", store=store, embedder=HashEmbedder(), collection="nope",
        mode=RetrievalMode.HYBRID, top_k=3,
    )  # fmt: skip
    assert hits == []


def test_retrieve_blank_query_returns_nothing(store: VectorStore) -> None:
    assert _ask(store, "   ", RetrievalMode.HYBRID) == []


def test_retrieve_top_k_caps_results(store: VectorStore) -> None:
    assert len(_ask(store, "invoices refunds train hotel", RetrievalMode.HYBRID, top_k=2)) == 2


class _ReverseReranker:
    def __init__(self) -> None:
        self.seen: list[int] = []

    def rerank(self, query: str, chunks: Sequence[ScoredChunk], *, top_n: int) -> list[ScoredChunk]:
        self.seen.append(len(chunks))
        return [ScoredChunk(h.chunk, 0.9 - 0.1 * i) for i, h in enumerate(reversed(chunks))][:top_n]


def test_retrieve_with_reranker_uses_reranker_order(store: VectorStore) -> None:
    plain = _ask(store, "invoices refunds train hotel", RetrievalMode.HYBRID, top_k=10)
    reranker = _ReverseReranker()
    hits = _ask(
        store, "invoices refunds train hotel", RetrievalMode.HYBRID, top_k=2, reranker=reranker
    )
    assert reranker.seen == [len(plain)]  # all candidates went to the reranker
    assert [h.chunk.id for h in hits] == [h.chunk.id for h in reversed(plain)][:2]
    assert [h.score for h in hits] == pytest.approx([0.9, 0.8])


def _hit(text: str, score: float) -> ScoredChunk:
    return ScoredChunk(_chunk("a.md", int(score * 100), text), score)


def test_suppress_near_duplicates_keeps_first_of_a_pair() -> None:
    hits = [
        _hit("the quick brown fox jumps over the lazy dog", 0.9),
        _hit("The quick brown fox jumps over the lazy dog.", 0.8),
        _hit("an entirely different sentence about cats", 0.7),
    ]
    kept = suppress_near_duplicates(hits, limit=5)
    assert [h.score for h in kept] == [0.9, 0.7]


def test_suppress_near_duplicates_keeps_overlapping_neighbours() -> None:
    first = " ".join(f"w{i}" for i in range(40))
    second = " ".join(f"w{i}" for i in range(30, 70))  # a chunk overlap, not a copy
    kept = suppress_near_duplicates([_hit(first, 0.9), _hit(second, 0.8)], limit=5)
    assert len(kept) == 2


# --- search_chunks: the mode, the query vectors and the fusion ---------------------------------

SMALL = [
    ("a.md", "the cat sat on the mat"),
    ("a.md", "dogs chase cats in the garden"),
    ("b.txt", "quarterly revenue grew by ten percent"),
]


@pytest.fixture(params=STORE_BACKENDS)
def small(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    embedder = HashEmbedder()
    store = open_test_store(request.param, tmp_path)
    store.ensure_collection("c", dim=embedder.dim, model=embedder.model)
    chunks = [
        Chunk(chunk_id(src, i, text), src, src, src.rsplit(".")[1], text, i)
        for i, (src, text) in enumerate(SMALL)
    ]
    store.upsert_chunks(
        "c", chunks, embedder.embed_documents([c.text for c in chunks]), bm25(chunks)
    )
    yield store
    store.close()


def test_search_chunks_sparse_without_terms_returns_nothing(small: VectorStore) -> None:
    assert (
        search_chunks(small, "c", dense=None, text="the of and", mode=RetrievalMode.SPARSE, limit=3)
        == []
    )


def test_search_chunks_dense_without_vector_raises(small: VectorStore) -> None:
    with pytest.raises(StoreError):
        search_chunks(small, "c", dense=None, text="cat", mode=RetrievalMode.DENSE, limit=3)


def test_search_chunks_hybrid_without_vector_falls_back_to_sparse(small: VectorStore) -> None:
    hits = search_chunks(
        small, "c", dense=None, text="garden dogs", mode=RetrievalMode.HYBRID, limit=3
    )
    assert hits[0].chunk.text == "dogs chase cats in the garden"


def test_search_chunks_filter_by_source(small: VectorStore) -> None:
    query = HashEmbedder().embed_query("cat")
    hits = search_chunks(
        small, "c", dense=query, text="cat", mode=RetrievalMode.HYBRID, limit=5,
        filters=SearchFilter(sources=("b.txt",)),
    )  # fmt: skip
    assert [h.chunk.source for h in hits] == ["b.txt"]


@pytest.mark.parametrize("mode", list(RetrievalMode))
def test_search_chunks_every_mode_finds_the_matching_chunk(
    small: VectorStore, mode: RetrievalMode
) -> None:
    query = "quarterly revenue grew"
    dense = HashEmbedder().embed_query(query)
    hits = search_chunks(small, "c", dense=dense, text=query, mode=mode, limit=2)
    assert hits and hits[0].chunk.source == "b.txt"


def test_search_chunks_scores_are_relevances_per_mode(small: VectorStore) -> None:
    query = "quarterly revenue grew"
    dense = HashEmbedder().embed_query(query)
    found = {
        mode: search_chunks(small, "c", dense=dense, text=query, mode=mode, limit=3)
        for mode in RetrievalMode
    }
    top = {mode: hits[0].score for mode, hits in found.items()}
    assert all(0.0 < score <= 1.0 for score in top.values())
    # hybrid is the even mix of the other two for a chunk both sides found
    assert top[RetrievalMode.HYBRID] == pytest.approx(
        0.5 * top[RetrievalMode.DENSE] + 0.5 * top[RetrievalMode.SPARSE]
    )
