"""The document manager's operations, on real ingest runs into an in-memory Qdrant store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.container import Services
from app.documents import (
    OriginalMissing,
    delete_document,
    list_documents,
    original_file,
    reingest_document,
)
from app.keyed import KeyedRecord
from app.ledger import ledger, read_ledger
from core.access import Viewer
from core.errors import AccessDeniedError
from core.records import FileStatus
from store.qdrant import QdrantStore
from tests.conftest import make_settings
from tests.fakes.embedder import HashEmbedder
from tests.pdf_factory import make_pdf

ACL = {"docs": ["alice"], "hr": ["bob"]}
ALICE = Viewer("alice", ACL)
BOB = Viewer("bob", ACL)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = Services(make_settings(tmp_path), QdrantStore.local(), HashEmbedder(), None)
    yield services
    services.close()


def _ingest_folder(services: Services) -> Path:
    folder = services.settings.data_dir / "sample"
    (folder / "policies").mkdir(parents=True)
    (folder / "report.pdf").write_bytes(make_pdf(["Revenue grew.", "Costs fell.", "Outlook."]))
    (folder / "policies" / "travel.md").write_text("# Travel\n\nBook trains early.", "utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (folder / "empty.md").write_text("   \n", "utf-8")
    services.ingest([folder], collection="docs")
    return folder


def test_documents_list_every_file_with_status_pages_chunks_size_and_date(
    services: Services,
) -> None:
    folder = _ingest_folder(services)

    rows = {row.source: row for row in list_documents(services, ALICE, "docs")}

    assert set(rows) == {"report.pdf", "policies/travel.md", "broken.pdf", "empty.md"}
    report = rows["report.pdf"]
    assert report.status is FileStatus.INGESTED and report.pages == 3 and report.chunks >= 1
    assert report.size == (folder / "report.pdf").stat().st_size and report.original
    assert report.ingested_at.startswith("20")
    assert rows["broken.pdf"].status is FileStatus.FAILED and rows["broken.pdf"].reason
    assert rows["broken.pdf"].chunks == 0
    assert rows["empty.md"].status is FileStatus.SKIPPED and rows["empty.md"].reason
    assert (
        rows["policies/travel.md"].chunks
        == services.store.source_stats("docs")["policies/travel.md"].chunks
    )


def test_documents_list_reads_each_record_once_however_many_files(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest_folder(services)
    reads: list[str] = []
    real_read, real_get = KeyedRecord.read, KeyedRecord.get

    def read(record: KeyedRecord) -> dict[str, object]:
        reads.append("read")
        return real_read(record)

    def get(record: KeyedRecord, key: str) -> object | None:
        reads.append(f"get {key}")
        return real_get(record, key)

    monkeypatch.setattr(KeyedRecord, "read", read)
    monkeypatch.setattr(KeyedRecord, "get", get)

    rows = list_documents(services, ALICE, "docs")

    assert len(rows) == 4 and all(row.original for row in rows)
    assert reads == ["read", "read"]  # the ledger and the paths, not a lookup per file


def test_documents_lists_files_ingested_before_the_ledger_existed(services: Services) -> None:
    _ingest_folder(services)
    entries = ledger(services.settings.data_dir, "docs")
    entries.change(drop=list(entries.read()))  # as it was before there was a ledger

    rows = list_documents(services, ALICE, "docs")

    assert {r.source for r in rows} == {"report.pdf", "policies/travel.md"}  # the store's
    assert all(r.status is FileStatus.INGESTED and r.ingested_at == "" for r in rows)


def test_documents_delete_removes_chunks_ledger_entry_and_uploaded_copy(
    services: Services,
) -> None:
    uploads = services.settings.data_dir / "uploads" / "docs"
    uploads.mkdir(parents=True)
    (uploads / "memo.md").write_text("# Memo\n\nThe canteen closes at two.", "utf-8")
    services.ingest([uploads / "memo.md"], collection="docs")
    assert services.store.source_stats("docs")["memo.md"].chunks >= 1

    delete_document(services, ALICE, "docs", "memo.md")

    assert "memo.md" not in services.store.source_stats("docs")
    assert services.store.chunks_of("docs", "memo.md") == []
    assert "memo.md" not in read_ledger(services.settings.data_dir, "docs")
    assert not (uploads / "memo.md").exists()
    assert list_documents(services, ALICE, "docs") == []


def test_documents_delete_keeps_an_original_outside_the_upload_folder(
    services: Services,
) -> None:
    folder = _ingest_folder(services)

    delete_document(services, ALICE, "docs", "report.pdf")

    assert (folder / "report.pdf").exists()  # the operator's own folder is not ours to empty
    assert "report.pdf" not in {r.source for r in list_documents(services, ALICE, "docs")}


def test_documents_a_viewer_without_access_sees_and_changes_nothing(services: Services) -> None:
    _ingest_folder(services)
    before = services.store.source_stats("docs")

    with pytest.raises(AccessDeniedError):
        list_documents(services, BOB, "docs")
    with pytest.raises(AccessDeniedError):
        delete_document(services, BOB, "docs", "report.pdf")
    with pytest.raises(AccessDeniedError):
        original_file(services, BOB, "docs", "report.pdf")
    with pytest.raises(AccessDeniedError):
        reingest_document(services, BOB, "docs", "report.pdf")
    with pytest.raises(AccessDeniedError):  # a missing file answers the same: nothing leaks
        delete_document(services, BOB, "docs", "no-such-file.pdf")

    assert services.store.source_stats("docs") == before
    assert "report.pdf" in read_ledger(services.settings.data_dir, "docs")


def test_documents_reingest_redoes_an_unchanged_file_and_keeps_a_nested_name(
    services: Services,
) -> None:
    _ingest_folder(services)

    report = reingest_document(services, ALICE, "docs", "policies/travel.md")

    assert [(f.source, f.status) for f in report.files] == [
        ("policies/travel.md", FileStatus.INGESTED)
    ]
    assert "travel.md" not in services.store.source_stats("docs")


def test_documents_original_missing_is_one_clear_error(services: Services, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.md").write_text("# X\n\nNot kept by the data directory.", "utf-8")
    services.ingest([outside], collection="docs")

    with pytest.raises(OriginalMissing, match="not kept"):
        original_file(services, ALICE, "docs", "x.md")
    (row,) = list_documents(services, ALICE, "docs")
    assert not row.original and row.size == (outside / "x.md").stat().st_size  # from the ledger


def test_ingest_batches_no_larger_than_the_local_models_own(tmp_path: Path) -> None:
    """The bar moves once per batch: a local model's batches are its forward passes."""
    settings = make_settings(tmp_path, embed_batch_size=64)
    remote_like = Services(settings, QdrantStore.local(), HashEmbedder(), None)
    local = Services(settings, QdrantStore.local(), HashEmbedder(), None, local_batch=16)
    assert remote_like.ingest_options().batch_size == 64
    assert local.ingest_options().batch_size == 16
