"""A file on its way through the embedder and the writer (`ingest.run`): what its commit and its
report need, never its chunks (they travel in batches, each chunk with its file's `InFlight`)."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from core.reasons import Reason
from core.records import Chunk, FileOutcome, FileStatus
from ingest.discover import SourceFile
from ingest.parse import Parsed

Sparse = tuple[list[int], list[float]] | None  # a chunk's BM25 vector; None: made at the write


@dataclass(eq=False, slots=True)
class InFlight:
    """A file whose chunks are being embedded and written."""

    file: SourceFile
    doc_hash: str
    progressive: bool  # written batch by batch, not in one go
    ids: list[str] = field(default_factory=list)  # of every chunk so far, in order
    unstamped: list[str] = field(default_factory=list)  # written without the hash: its first write
    remaining: int = 0  # chunks queued and not yet through the writer
    closed: bool = False  # the last of its chunks is queued (or it failed)
    outcome: Parsed | None = None  # the parser's outcome, without the chunks, once closed
    failed: Reason | None = None  # why it cannot be committed
    buffer: list[tuple[Chunk, array[float], Sparse]] = field(default_factory=list)


Entry = tuple[Chunk, Sparse, InFlight]  # one chunk in a batch


def ingested(item: InFlight, reason: Reason | None = None) -> FileOutcome:
    """The outcome of a file whose chunks are all in (`reason`: "dry run", when they are not)."""
    parsed = item.outcome
    assert parsed is not None  # closed with an OK outcome
    return FileOutcome(
        item.file.source, FileStatus.INGESTED, reason, chunks=len(item.ids),
        pages=parsed.pages, warnings=parsed.warnings, ocr_pages=parsed.ocr_pages,
        ocr_confidence=parsed.ocr_confidence, unreadable_pages=len(parsed.unreadable),
    )  # fmt: skip
