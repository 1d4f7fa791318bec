"""One file parsed: the task a parser process is given, what it sends back, and `parse` itself.

`parse` loads a file (`ingest.loaders`), chunks it (`ingest.chunker`), counts each chunk's tokens
as they will be sent and, when asked, computes its BM25 vector, so the ingest process only cuts
batches and writes. It never raises for a bad file: the outcome is a `ParseStatus` with a reason.
It runs in the parser processes of `ingest.worker` (and in tests, in any process).

OCR of scanned pages (`ingest.ocr`) runs here too: each file's OCR gets `OCR_SHARE` of the
per-file timeout and stops there (`within`; the pages left are reported as unreadable, and what
was read is cached for the next run), so a long scan ends as a partial document rather than a
timeout.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from core.errors import EncryptedError, IngestError, NoTextError, UnsupportedFileError
from core.reasons import Reason
from core.records import Chunk, Document
from ingest.ocr import OcrConfig, UnreadScanError

OCR_SHARE = 0.75  # of the per-file timeout, for OCR; the rest is for pypdf, chunking, BM25


@dataclass(frozen=True, slots=True)
class ParseTask:
    path: Path
    root: Path
    password: str | None
    budget: int
    overlap: int
    tag: Any = None  # the caller's own bookkeeping, handed back with the result
    bm25: bool = False  # also compute each chunk's BM25 vector here, off the writing process
    content_hash: str | None = None  # the file's sha256, when the caller has hashed it already
    ocr: OcrConfig | None = None  # how to read scanned PDF pages; None: leave them out
    part_chunks: int = 0  # > 0: a file with more chunks comes in `ParsedPart`s of this many


class Warm(StrEnum):
    """What a parser process loads before its first file (`warm_up`); its value travels as the
    process's argument."""

    NONE = ""  # nothing: the first file loads what it needs
    PARSE = "parse"  # the loaders', the chunker's modules and the tokenizer
    BM25 = "bm25"  # those and the language model the BM25 vectors need


class ParseStatus(StrEnum):
    OK = "ok"  # chunks came out (possibly none)
    SKIPPED = "skipped"  # nothing to parse: encrypted, no text, unsupported type
    FAILED = "failed"  # the file is broken, or the parser crashed, hung or ran out of memory


# The `IngestError` classes that skip a file rather than fail it; any other one fails it.
_SKIPPING: tuple[type[IngestError], ...] = (EncryptedError, NoTextError, UnsupportedFileError)


@dataclass(frozen=True, slots=True)
class PageTick:
    """Progress of the file a parser is reading: `done` of its `total` pages."""

    source: str
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class Parsed:
    """One file's outcome: its chunks, or why it has none."""

    source: str
    status: ParseStatus
    chunks: tuple[Chunk, ...] = ()
    sparse: tuple[tuple[list[int], list[float]], ...] = ()  # BM25 vectors, when asked for
    tokens: tuple[int, ...] = ()  # each chunk's `indexed_text` in tokens: what a batch sends
    pages: int = 0
    warnings: tuple[Reason, ...] = ()
    reason: Reason | None = None  # why it was skipped or failed
    seconds: float = 0.0
    tag: Any = field(default=None, compare=False)
    ocr_pages: int = 0
    ocr_confidence: float = 0.0
    unreadable: tuple[int, ...] = ()  # pages (1-based) that needed OCR and have no text


@dataclass(frozen=True, slots=True)
class ParsedPart:
    """Some of a file's chunks, sent ahead of its `Parsed` (which carries the rest): the ingest
    process never holds, unpickles or queues a whole 1,000-page book at once, and embeds a PDF's
    first chunks while its last pages are still read."""

    source: str
    chunks: tuple[Chunk, ...]
    sparse: tuple[tuple[list[int], list[float]], ...]
    tokens: tuple[int, ...]
    tag: Any = field(default=None, compare=False)


def parse(
    task: ParseTask, source: str, on_page: Callable[[int, int], None] | None = None
) -> Parsed:
    """Load and chunk one file, in whatever process calls it; never raises for a bad file.

    `on_page(done, total)` is called as a PDF's pages are read."""
    from ingest.chunker import chunk_document
    from ingest.loaders import load

    started = time.perf_counter()
    try:
        document = load(
            task.path, root=task.root, password=task.password, content_hash=task.content_hash,
            ocr=task.ocr, on_page=on_page,
        )  # fmt: skip
        chunks = chunk_document(document, budget=task.budget, overlap=task.overlap)
        bm25, tokens = _weighed(task, chunks)
    except Exception as exc:
        return _failed(task, source, exc)
    return _parsed(task, source, document, chunks, bm25, tokens, started)


def parse_parts(
    task: ParseTask, source: str, on_page: Callable[[int, int], None] | None = None
) -> Iterator[ParsedPart | Parsed]:
    """`parse`, its chunks in parts of `task.part_chunks` when there are more: the parts in
    order, then the `Parsed` with the last part's chunks and the file's outcome.

    A PDF's parts leave as its pages are read (`_streamed`), so the caller embeds and writes
    the first ones while the parser reads on; any other file is parsed whole first."""
    from ingest.loaders import is_pdf

    size = task.part_chunks
    if size > 0 and is_pdf(task.path):
        yield from _streamed(task, source, on_page)
        return
    parsed = parse(task, source, on_page)
    if size <= 0 or len(parsed.chunks) <= size:
        yield parsed
        return
    last = (len(parsed.chunks) - 1) // size * size
    for start in range(0, last, size):
        end = start + size
        yield ParsedPart(
            source, parsed.chunks[start:end], parsed.sparse[start:end],
            parsed.tokens[start:end], tag=parsed.tag,
        )  # fmt: skip
    yield dataclasses.replace(
        parsed, chunks=parsed.chunks[last:], sparse=parsed.sparse[last:],
        tokens=parsed.tokens[last:],
    )  # fmt: skip


def _streamed(
    task: ParseTask, source: str, on_page: Callable[[int, int], None] | None
) -> Iterator[ParsedPart | Parsed]:
    """A PDF's chunks in parts as its pages are read: each part once `part_chunks` more are
    made (one is always kept back for the closing `Parsed`). A file that fails after some
    parts left ends with a failed `Parsed`: the caller drops what it was sent."""
    from ingest.chunker import chunk_blocks
    from ingest.loaders import pdf_pages

    started = time.perf_counter()
    size = task.part_chunks
    try:
        pages = pdf_pages(
            task.path, root=task.root, password=task.password, content_hash=task.content_hash,
            ocr=task.ocr, on_page=on_page,
        )  # fmt: skip
        held: list[Chunk] = []
        with contextlib.closing(pages.blocks()) as read:
            made = chunk_blocks(pages.head, read, budget=task.budget, overlap=task.overlap)
            for chunk in made:
                held.append(chunk)
                if len(held) > size:
                    part, held = held[:size], held[size:]
                    bm25, tokens = _weighed(task, part)
                    yield ParsedPart(source, tuple(part), bm25, tokens, tag=task.tag)
        document = pages.finish()
        bm25, tokens = _weighed(task, held)
    except Exception as exc:
        yield _failed(task, source, exc)
        return
    yield _parsed(task, source, document, held, bm25, tokens, started)


Weighed = tuple[tuple[tuple[list[int], list[float]], ...], tuple[int, ...]]


def _weighed(task: ParseTask, chunks: Sequence[Chunk]) -> Weighed:
    """The chunks' BM25 vectors (when the task asks for them) and token counts."""
    from text.sparse import document_vector
    from text.tokens import count_tokens

    bm25 = tuple(document_vector(c.indexed_text) for c in chunks) if task.bm25 else ()
    return bm25, tuple(count_tokens(c.indexed_text) for c in chunks)


def _parsed(
    task: ParseTask,
    source: str,
    document: Document,
    chunks: Sequence[Chunk],
    bm25: tuple[tuple[list[int], list[float]], ...],
    tokens: tuple[int, ...],
    started: float,
) -> Parsed:
    return Parsed(
        source,
        ParseStatus.OK,
        chunks=tuple(chunks),
        sparse=bm25,
        tokens=tokens,
        pages=document.page_count or 0,
        warnings=document.warnings,
        seconds=time.perf_counter() - started,
        tag=task.tag,
        ocr_pages=document.ocr_pages,
        ocr_confidence=document.ocr_confidence,
        unreadable=document.unreadable,
    )


def _failed(task: ParseTask, source: str, exc: Exception) -> Parsed:
    """Why the file has no chunks: skipped (encrypted, no text, unsupported) or failed."""
    if isinstance(exc, IngestError):
        status = ParseStatus.SKIPPED if isinstance(exc, _SKIPPING) else ParseStatus.FAILED
        unread = exc.unreadable if isinstance(exc, UnreadScanError) else ()
        return Parsed(source, status, reason=exc.reason, tag=task.tag, unreadable=unread)
    if isinstance(exc, MemoryError):
        reason = Reason("parse_out_of_memory")
    elif isinstance(exc, RecursionError):
        reason = Reason("nested_too_deeply")
    else:  # a parser bug on a hostile file fails that file alone
        message = " ".join(str(exc).split())[:160]
        reason = Reason("parse_error", kind=type(exc).__name__, detail=message)
    return Parsed(source, ParseStatus.FAILED, reason=reason, tag=task.tag)


def warm_up(warm: Warm) -> None:
    """Load what `parse` needs for any file before the first one (see `Warm`)."""
    if warm is Warm.NONE:
        return
    from ingest.chunker import chunk_document  # noqa: F401
    from ingest.loaders import pdf  # noqa: F401
    from text.tokens import count_tokens

    count_tokens("warm")
    if warm is Warm.BM25:
        from text.sparse import document_vector

        document_vector("the parser warms up")


def within(task: ParseTask, timeout: float) -> ParseTask:
    """`task` with its OCR time budget cut to `OCR_SHARE` of the per-file timeout."""
    if task.ocr is None or task.ocr.seconds <= OCR_SHARE * timeout:
        return task
    return dataclasses.replace(task, ocr=dataclasses.replace(task.ocr, seconds=OCR_SHARE * timeout))
