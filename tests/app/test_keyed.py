from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from app.keyed import FILE, KeyedRecord


def test_keyed_rows_are_kept_per_record_and_collection(tmp_path: Path) -> None:
    ledger, paths = (
        KeyedRecord(tmp_path, ".ledger", "docs"),
        KeyedRecord(tmp_path, ".sources", "docs"),
    )
    other = KeyedRecord(tmp_path, ".ledger", "hr")

    ledger.change([("a.pdf", {"status": "ingested"}), ("b.md", {"status": "failed"})])
    paths.change([("a.pdf", "/data/a.pdf")])
    ledger.change([("b.md", {"status": "ingested"})], drop=["a.pdf"])

    assert ledger.read() == {"b.md": {"status": "ingested"}}
    assert paths.read() == {"a.pdf": "/data/a.pdf"} and paths.get("a.pdf") == "/data/a.pdf"
    assert other.read() == {} and other.get("b.md") is None


def test_keyed_writes_a_large_run_in_batches(tmp_path: Path) -> None:
    record = KeyedRecord(tmp_path, ".ledger", "docs")
    record.change((f"f{n}.md", n) for n in range(2500))
    record.change(drop=(f"f{n}.md" for n in range(0, 2500, 2)))
    kept = record.read()
    assert len(kept) == 1250 and kept["f1.md"] == 1 and "f0.md" not in kept


def test_keyed_a_change_that_writes_nothing_creates_no_file(tmp_path: Path) -> None:
    KeyedRecord(tmp_path, ".sources", "docs").change([], drop=["gone.pdf"])
    assert not (tmp_path / FILE).exists()
    assert KeyedRecord(tmp_path, ".sources", "docs").read() == {}


def test_keyed_imports_an_earlier_versions_json_record_once(tmp_path: Path) -> None:
    record = KeyedRecord(tmp_path, ".ledger", "docs")
    record.legacy_path.parent.mkdir(parents=True)
    record.legacy_path.write_text(json.dumps({"old.pdf": {"status": "skipped"}, "x.md": 1}))

    assert record.read() == {"old.pdf": {"status": "skipped"}, "x.md": 1}
    record.change(drop=["x.md"])
    record.legacy_path.write_text(json.dumps({"x.md": 1}))  # say the rename had failed

    assert record.read() == {"old.pdf": {"status": "skipped"}}  # the drop stays dropped
    assert (record.legacy_path.parent / "docs.json.imported").is_file()  # kept, not deleted


def test_keyed_damaged_database_reads_as_empty_and_a_write_logs_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / FILE).write_bytes(b"this is not a database" * 100)
    record = KeyedRecord(tmp_path, ".ledger", "docs")

    with caplog.at_level(logging.WARNING, logger="app.keyed"):
        assert record.read() == {} and record.get("a.pdf") is None
        record.change([("a.pdf", 1)])  # logs; the ingest that called it goes on

    assert any("could not update the records" in r.message for r in caplog.records)


def test_keyed_refuses_a_collection_name_that_is_a_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a collection name"):
        KeyedRecord(tmp_path, ".ledger", "../etc")
