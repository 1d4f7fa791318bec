"""What the latest ingest did with each file, per collection: the document manager's status.

The store knows the files that are in (their chunks); it cannot know the files that were
skipped or failed, nor when a file came in or how big it was. `Services.ingest` therefore
records each run's outcomes, a row per file (`app.keyed`, record ".ledger"):

    "report.pdf": {"status": "skipped", "reason": "encrypted, and the password given for it
                    does not open it", "reason_message": {"id": "pdf_wrong_password", "values": {}},
                    "pages": 0, "chunks": 0, "size": 183204, "at": "2026-12-01T21:04:05+00:00"}

`reason` is the English text, `reason_message` the reason itself (`core.reasons.Reason.to_json`),
which the page shows in its reader's language. An entry without `reason_message` (written before
reasons had ids), or with one this version does not know, shows its `reason` text as it is.

An ingested, skipped or failed file replaces its entry; an unchanged one keeps it (and its
date); a pruned or deleted one loses it. Concurrent writers are safe (`app.keyed`: one
transaction per change). An entry that cannot be read reads as missing: the store still lists
what is in.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.keyed import KeyedRecord
from core.reasons import Reason, saved_reason
from core.records import FileStatus, IngestReport

FOLDER = ".ledger"
_KEPT = (FileStatus.INGESTED, FileStatus.SKIPPED, FileStatus.FAILED)  # replace the entry


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    status: FileStatus
    reason: Reason | None = None
    pages: int = 0
    chunks: int = 0
    size: int = 0  # bytes, when the run knew it
    at: str = ""  # when, ISO 8601 in UTC


def ledger(data_dir: Path, collection: str) -> KeyedRecord:
    return KeyedRecord(data_dir, FOLDER, collection)


def _entry(raw: object) -> LedgerEntry | None:
    if not isinstance(raw, dict):
        return None
    try:
        return LedgerEntry(
            status=FileStatus(raw["status"]),
            reason=saved_reason(str(raw.get("reason", "")), raw.get("reason_message")),
            pages=int(raw.get("pages", 0)),
            chunks=int(raw.get("chunks", 0)),
            size=int(raw.get("size", 0)),
            at=str(raw.get("at", "")),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _saved(entry: LedgerEntry) -> dict[str, object]:
    saved = asdict(entry) | {"reason": str(entry.reason) if entry.reason is not None else ""}
    if entry.reason is not None:
        saved["reason_message"] = entry.reason.to_json()
    return saved


def read_ledger(data_dir: Path, collection: str) -> dict[str, LedgerEntry]:
    """The collection's entries by source name; {} when there is no readable ledger."""
    entries = {source: _entry(raw) for source, raw in ledger(data_dir, collection).read().items()}
    return {source: entry for source, entry in entries.items() if entry is not None}


def record_outcomes(
    data_dir: Path, report: IngestReport, sizes: Mapping[str, int], *, now: datetime | None = None
) -> None:
    """Fold a run's outcomes into its collection's ledger (`sizes`: bytes by source name)."""
    at = (now or datetime.now(UTC)).isoformat(timespec="seconds")

    def rows() -> Iterator[tuple[str, object]]:  # written as they come: a run may hold 100,000
        for outcome in report.files:
            if outcome.status in _KEPT:
                entry = LedgerEntry(
                    outcome.status, outcome.reason, outcome.pages, outcome.chunks,
                    sizes.get(outcome.source, 0), at,
                )  # fmt: skip
                yield outcome.source, _saved(entry)

    pruned = (f.source for f in report.files if f.status is FileStatus.PRUNED)
    ledger(data_dir, report.collection).change(rows(), pruned)


def forget(data_dir: Path, collection: str, source: str) -> None:
    """Drop `source`'s entry (the file was deleted from the collection)."""
    ledger(data_dir, collection).change(drop=[source])
