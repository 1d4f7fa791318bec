from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from app.cli.ingest import register
from app.container import Services
from core.errors import RateLimitError
from store.qdrant import QdrantStore
from tests.conftest import make_settings
from tests.fakes.embedder import HashEmbedder
from tests.pdf_factory import make_pdf


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    store = QdrantStore.local()
    services = Services(make_settings(tmp_path), store, HashEmbedder(), None)
    yield services
    services.close()


def _rag_ingest(services: Services, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="rag")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["ingest", "--quiet", *argv])
    code: int = args.handler(args, services)
    return code


def test_cli_ingest_prints_summary_and_exits_zero(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n\nAlpha.", "utf-8")

    code = _rag_ingest(services, str(tmp_path / "docs"))

    out = capsys.readouterr().out
    assert code == 0
    assert "ingested         1" in out and "failed           0" in out


def test_cli_ingest_failed_file_exits_one_with_reason(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 garbage")

    code = _rag_ingest(services, str(tmp_path))

    out = capsys.readouterr().out
    assert code == 1
    assert "Failed:\n  bad.pdf: unreadable PDF" in out


def test_cli_ingest_json_report(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "scan.pdf").write_bytes(make_pdf(["", "text on page two"]))

    code = _rag_ingest(services, str(tmp_path), "--json", "--collection", "c2")

    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["collection"] == "c2" and report["counts"]["ingested"] == 1
    assert report["files"][0]["warnings"] == ["1 of 2 pages have no text (blank or drawings)"]


def test_cli_ingest_empty_folder_is_one_line(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()

    code = _rag_ingest(services, str(tmp_path / "empty"))

    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith("Nothing to ingest: no supported files in") and "\n" not in err


def test_cli_ingest_missing_path_is_reported(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _rag_ingest(services, str(tmp_path / "nope"))

    assert code == 1
    assert "no such file or folder" in capsys.readouterr().out


def test_cli_ingest_password_option_needs_file_equals_password(services: Services) -> None:
    with pytest.raises(SystemExit):
        _rag_ingest(services, "x.pdf", "--password", "nopassword")


class _RateLimitedEmbedder(HashEmbedder):
    """Every embedding request ends as the transport gives up: repeated 429s."""

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        raise RateLimitError("rate limited, gave up after 6 retries", operation="embeddings",
                             status=429)  # fmt: skip


def test_cli_ingest_stopped_before_any_file_says_the_real_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 10, item 10: it said "Nothing to ingest: no supported files"."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n\nAlpha.", "utf-8")
    store = QdrantStore.local()
    services = Services(make_settings(tmp_path), store, _RateLimitedEmbedder(), None)
    try:
        assert _rag_ingest(services, str(tmp_path / "docs")) == 1
    finally:
        services.close()
    err = capsys.readouterr().err
    assert "no supported files" not in err
    assert "Nothing was ingested: stopped with 1 of 1 files left" in err
    assert "rate limited, gave up after 6 retries" in err


def test_cli_ingest_collection_with_a_newline_is_refused(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        _rag_ingest(services, str(tmp_path), "--collection", "finance\n")
    assert "Not a collection name: 'finance\\n'" in capsys.readouterr().err
    assert services.store.collections() == []
