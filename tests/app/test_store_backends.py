"""One contract, every backend: the embedded engine (Qdrant Edge) and qdrant-client.

Unit tests elsewhere use qdrant-client's in-memory mode; the product's default is the embedded
engine. Running the store's whole public surface over both keeps the two interchangeable.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from qdrant_client import QdrantClient

from app.errors import ConfigError
from app.records import Chunk, SearchFilter, chunk_id
from app.settings import RetrievalMode
from app.store import VectorStore
from app.store_edge import EdgeClient
from tests.fakes.embedder import HashEmbedder

EMBEDDER = HashEmbedder()
TEXTS = {
    "handbook.pdf": [
        "Employees receive 30 days of paid vacation per calendar year.",
        "Remote work is allowed for up to three days per week.",
    ],
    "faq.md": ["Invoices are payable within 14 days.", "Beacon stores data in Frankfurt."],
}


def _chunks(source: str, texts: list[str], doc_hash: str = "h1") -> list[Chunk]:
    kind = "pdf" if source.endswith(".pdf") else "markdown"
    return [
        Chunk(id=chunk_id(source, i, t), source=source, title=source, kind=kind, text=t,
              position=i, page_start=i + 1 if kind == "pdf" else None, doc_hash=doc_hash)
        for i, t in enumerate(texts)
    ]  # fmt: skip


@pytest.fixture(params=["edge", "qdrant-client"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    client = EdgeClient(tmp_path / "edge") if request.param == "edge" else QdrantClient(":memory:")
    store = VectorStore(client)
    store.ensure_collection("c", dim=EMBEDDER.dim, model=EMBEDDER.model)
    for source, texts in TEXTS.items():
        store.upsert_chunks("c", _chunks(source, texts), EMBEDDER.embed_documents(texts))
    yield store
    store.close()


@pytest.mark.parametrize("mode", list(RetrievalMode))
def test_store_search_every_mode_finds_the_matching_chunk(
    store: VectorStore, mode: RetrievalMode
) -> None:
    query = "how many vacation days per year"
    hits = store.search("c", dense=EMBEDDER.embed_query(query), text=query, mode=mode, limit=2)
    assert hits and "vacation" in hits[0].chunk.text
    assert hits[0].chunk.source == "handbook.pdf" and hits[0].chunk.page_start == 1


def test_store_search_filter_restricts_sources(store: VectorStore) -> None:
    query = "vacation invoices data"
    hits = store.search("c", dense=EMBEDDER.embed_query(query), text=query,
                        mode=RetrievalMode.HYBRID, limit=10,
                        filters=SearchFilter(sources=("faq.md",)))  # fmt: skip
    assert hits and {h.chunk.source for h in hits} == {"faq.md"}


def test_store_collections_count_and_metadata(store: VectorStore) -> None:
    assert "c" in store.collections() and store.exists("c")
    assert store.count("c") == 4
    assert store.collection_info("c")["embed_model"] == EMBEDDER.model
    with pytest.raises(ConfigError, match="Re-index"):
        store.ensure_collection("c", dim=EMBEDDER.dim + 1, model="another-model")


def test_store_commit_and_replace_source_leave_only_the_new_chunks(store: VectorStore) -> None:
    new_texts = ["Remote work is allowed for up to four days per week."]
    new = _chunks("handbook.pdf", new_texts, doc_hash="")
    store.upsert_chunks("c", new, EMBEDDER.embed_documents(new_texts))
    assert store.source_states("c")["handbook.pdf"] == ""  # mixed hashes: partly written

    store.commit_source("c", "handbook.pdf", [c.id for c in new], "h2")

    assert store.source_states("c") == {"handbook.pdf": "h2", "faq.md": "h1"}
    assert [c.text for c in store.chunks_of("c", "handbook.pdf")] == new_texts
    store.delete_source("c", "faq.md")
    assert store.count("c") == 1 and "faq.md" not in store.source_hashes("c")


def test_store_edge_persists_across_reopen(tmp_path: Path) -> None:
    first = VectorStore(EdgeClient(tmp_path / "edge"))
    first.ensure_collection("c", dim=EMBEDDER.dim, model=EMBEDDER.model)
    texts = TEXTS["faq.md"]
    first.upsert_chunks("c", _chunks("faq.md", texts), EMBEDDER.embed_documents(texts))
    first.close()

    again = VectorStore(EdgeClient(tmp_path / "edge"))
    try:
        assert again.count("c") == 2
        assert again.collection_info("c")["dim"] == EMBEDDER.dim
    finally:
        again.close()
