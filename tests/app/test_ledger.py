from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.ledger import LedgerEntry, forget, ledger, read_ledger, record_outcomes
from core.reasons import Reason
from core.records import FileOutcome, FileStatus, IngestReport

ROOT = Path(__file__).resolve().parents[2]
EARLIER = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _report(*outcomes: FileOutcome, collection: str = "docs") -> IngestReport:
    return IngestReport(collection, files=list(outcomes))


def test_ledger_records_ingested_skipped_and_failed_files_with_size_and_date(
    tmp_path: Path,
) -> None:
    report = _report(
        FileOutcome("a.pdf", FileStatus.INGESTED, chunks=12, pages=3),
        FileOutcome("empty.md", FileStatus.SKIPPED, Reason("no_text")),
        FileOutcome("bad.pdf", FileStatus.FAILED, Reason("pdf_unreadable", detail="EOF")),
    )
    record_outcomes(tmp_path, report, {"a.pdf": 2048, "bad.pdf": 16}, now=EARLIER)

    ledger = read_ledger(tmp_path, "docs")

    at = "2026-11-30T08:00:00+00:00"
    assert ledger == {
        "a.pdf": LedgerEntry(FileStatus.INGESTED, None, 3, 12, 2048, at),
        "empty.md": LedgerEntry(FileStatus.SKIPPED, Reason("no_text"), 0, 0, 0, at),
        "bad.pdf": LedgerEntry(
            FileStatus.FAILED, Reason("pdf_unreadable", detail="EOF"), 0, 0, 16, at
        ),
    }


def test_ledger_saves_the_english_reason_beside_its_message_for_people_and_scripts(
    tmp_path: Path,
) -> None:
    reason = Reason("pdf_no_page_readable", detail=Reason("page_problem", page=2, detail="bad"))
    record_outcomes(tmp_path, _report(FileOutcome("a.pdf", FileStatus.FAILED, reason)), {})

    saved = ledger(tmp_path, "docs").get("a.pdf")
    assert isinstance(saved, dict)

    assert saved["reason"] == "no page could be read (page 2: bad)"
    assert saved["reason_message"]["id"] == "pdf_no_page_readable"
    assert read_ledger(tmp_path, "docs")["a.pdf"].reason == reason


@pytest.mark.parametrize(
    "message",
    [
        None,  # written before reasons had ids
        {"id": "reason_of_a_later_version", "values": {}},
        {"id": "pdf_unreadable", "values": {}},  # a value its text needs is missing
        {"id": "pdf_unreadable", "values": {"detail": [1]}},
        "pdf_unreadable",
    ],
)
def test_ledger_old_or_unknown_reason_reads_as_its_saved_text(
    tmp_path: Path, message: object
) -> None:
    entry: dict[str, object] = {"status": "skipped", "reason": "encrypted with a password"}
    if message is not None:
        entry["reason_message"] = message
    path = ledger(tmp_path, "docs").legacy_path  # as an earlier version saved it
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"old.pdf": entry}), "utf-8")

    reason = read_ledger(tmp_path, "docs")["old.pdf"].reason

    assert reason == Reason.verbatim("encrypted with a password")
    assert str(reason) == "encrypted with a password"


def test_ledger_unchanged_keeps_the_entry_and_pruned_drops_it(tmp_path: Path) -> None:
    first = _report(
        FileOutcome("a.pdf", FileStatus.INGESTED, chunks=2), FileOutcome("b.md", FileStatus.FAILED)
    )
    record_outcomes(tmp_path, first, {}, now=EARLIER)
    second = _report(
        FileOutcome("a.pdf", FileStatus.UNCHANGED), FileOutcome("b.md", FileStatus.PRUNED)
    )
    record_outcomes(tmp_path, second, {}, now=LATER)

    ledger = read_ledger(tmp_path, "docs")

    assert list(ledger) == ["a.pdf"]
    assert ledger["a.pdf"].at.startswith("2026-11-30") and ledger["a.pdf"].chunks == 2


def test_ledger_forget_drops_one_source(tmp_path: Path) -> None:
    report = _report(
        FileOutcome("a.md", FileStatus.INGESTED), FileOutcome("b.md", FileStatus.SKIPPED)
    )
    record_outcomes(tmp_path, report, {})
    forget(tmp_path, "docs", "a.md")
    assert list(read_ledger(tmp_path, "docs")) == ["b.md"]


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"a.md": {"status": "exploded"}}'])
def test_ledger_unreadable_reads_as_empty(tmp_path: Path, text: str) -> None:
    path = ledger(tmp_path, "docs").legacy_path
    path.parent.mkdir(parents=True)
    path.write_text(text, "utf-8")
    assert read_ledger(tmp_path, "docs") == {}


def test_ledger_refuses_a_collection_name_that_is_a_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a collection name"):
        ledger(tmp_path, "../etc")


def _record_many(data_dir: str, worker: int | str) -> None:
    for n in range(25):
        outcome = FileOutcome(f"w{worker}-{n}.md", FileStatus.INGESTED, chunks=n)
        record_outcomes(Path(data_dir), _report(outcome), {})


def test_ledger_concurrent_writers_in_threads_and_processes_lose_nothing(tmp_path: Path) -> None:
    code = "import sys; from tests.app.test_ledger import _record_many as r; r(*sys.argv[1:3])"
    processes = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path), str(w)], cwd=ROOT)
        for w in (0, 1)
    ]
    threads = [threading.Thread(target=_record_many, args=(str(tmp_path), w)) for w in (2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    codes = [process.wait(timeout=120) for process in processes]
    saved = read_ledger(tmp_path, "docs")

    assert codes == [0, 0]
    assert len(saved) == 4 * 25  # every write of every writer is in: none overwrote another
