"""Shared pieces of the UI tests: Services on in-memory Qdrant with the hash embedder, a small
indexed corpus, and an AppTest of the real `streamlit_app.py` with those services injected."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from app.container import Services
from app.sources import record_sources
from app.ui.state import SERVICES_KEY
from core.records import FileOutcome, FileStatus, IngestReport
from core.settings import Backend, Settings
from store.qdrant import QdrantStore
from tests.conftest import NO_FLOOR, bm25
from tests.fakes.chat import FakeChat
from tests.fakes.chunks import chunk
from tests.fakes.embedder import HashEmbedder
from tests.pdf_factory import make_pdf

ROOT = Path(__file__).resolve().parents[2]
HANDBOOK_PAGES = [
    "Northwind handbook. Welcome to Northwind. The office opens at 8 in the morning.",
    "Full-time employees receive 25 days of paid vacation per calendar year. "
    "Unused vacation days may be carried over until March 31.",
]
HR_TEXT = "Salary bands are reviewed every April by the compensation committee."


def make_services(tmp_path: Path, chat: FakeChat | None = None, **settings: Any) -> Services:
    data = tmp_path / "data"
    (data / "sample").mkdir(parents=True, exist_ok=True)
    (data / "sample" / "handbook.pdf").write_bytes(make_pdf(HANDBOOK_PAGES, title="Handbook"))
    settings = {"min_score": NO_FLOOR, **settings}
    services = Services(
        settings=Settings(_env_file=None, backend=Backend.LOCAL, data_dir=data, **settings),  # type: ignore[call-arg]
        store=QdrantStore.local(),
        embedder=HashEmbedder(),
        chat=chat,
    )
    corpus = {
        "docs": [chunk(text, source="handbook.pdf", page=i + 1, position=i, kind="pdf")
                 for i, text in enumerate(HANDBOOK_PAGES)],
        "hr": [chunk(HR_TEXT, source="salaries.md", page=None, kind="markdown")],
    }  # fmt: skip
    handbook = IngestReport("docs", files=[FileOutcome("handbook.pdf", FileStatus.INGESTED)])
    record_sources(data, handbook, [("handbook.pdf", data / "sample" / "handbook.pdf")])
    embedder = services.embedder
    for name, chunks in corpus.items():
        services.store.ensure_collection(name, dim=embedder.dim, model=embedder.model)
        services.store.upsert_chunks(
            name, chunks, embedder.embed_documents([c.text for c in chunks]), bm25(chunks)
        )
    return services


@pytest.fixture
def services_factory(tmp_path: Path) -> Callable[..., Services]:
    def build(chat: FakeChat | None = None, **settings: Any) -> Services:
        return make_services(tmp_path, chat, **settings)

    return build


def start_app(services: Services) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[SERVICES_KEY] = services
    return at.run()
