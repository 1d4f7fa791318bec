"""Fixtures shared by the whole suite: hermetic settings, in-memory services, ../shared."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from app.container import Services
from core.ports import SparseTerms, VectorStore
from core.records import Chunk
from core.settings import Backend, Settings
from store.edge import EdgeStore
from store.qdrant import QdrantStore
from tests.fakes.embedder import HashEmbedder
from text import sparse

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE_DATA = REPO / "data" / "sample"
# The relevance floor (Settings.min_score) is calibrated for real embedders; the hashing test
# embedder's scores mean something else, so fixtures built on it switch the floor off. Tests of
# the floor itself set it explicitly.
NO_FLOOR = 0.0


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings that ignore the developer's .env and environment tokens."""
    values: dict[str, object] = {
        "api_token": None,
        "backend": Backend.LOCAL,
        "store_path": tmp_path / "qdrant",
        "data_dir": tmp_path / "data",
        "collection": "test",
        "min_score": NO_FLOOR,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def memory_services(settings: Settings) -> Iterator[Services]:
    """Offline services on an in-memory Qdrant with the hashing test embedder."""
    store = QdrantStore.local()
    services = Services(settings=settings, store=store, embedder=HashEmbedder(), chat=None)
    yield services
    services.close()


# Every adapter of `core.ports.VectorStore`: qdrant-client (in memory) and the embedded Qdrant
# Edge, which is the product's default. Store and retrieval tests run over each.
STORE_BACKENDS = ("qdrant-local", "qdrant-edge")


def open_test_store(backend: str, tmp_path: Path) -> VectorStore:
    if backend == "qdrant-edge":
        return EdgeStore(tmp_path / "edge")
    return QdrantStore.local()


def bm25(chunks: Sequence[Chunk]) -> list[SparseTerms]:
    """The chunks' BM25 vectors, as ingest computes them for `upsert_chunks`."""
    return [sparse.document_vector(chunk.indexed_text) for chunk in chunks]


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"reference material not found at {SHARED} (only present beside the checkout)")
    return SHARED
