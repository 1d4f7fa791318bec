"""The ingest pipeline: files in, chunks with vectors in the store, a report out.

    discover ─► hash ─► (unchanged? skip) ─► parse+chunk in parser processes (one per core)
        ─► cut batches (`ingest.batches`: one rule, on the tokens sent) ─► embed, several
        requests in flight (`ingest.stages.Embedding`) ─► write + commit (`ingest.stages.Writer`)

- Source names are paths relative to the folder given (a file given directly: its name).
- A file whose content hash matches its complete chunks in the store is skipped without parsing.
- Other files are parsed in child processes (`ingest.worker`), bounded in CPU time and memory.
  This thread cuts their chunks into batches; embedding threads keep as many requests going as
  the embedder's pace asks for (the contract's rate × the hub's response time), and one writer
  thread writes the answers as they come back. Chunks are written with an empty `doc_hash`;
  when all of a file's chunks are in, `VectorStore.commit_source` stamps them with the file's
  hash and removes the file's older chunks, so files are committed in the order they complete.
  A run killed at any moment is resumed by running it again: partial files are redone with the
  same ids.
- Nothing accumulates across files: every hand-off is bounded (batches in flight and waiting,
  answers waiting for the writer), beside the files being parsed and embedded.
- An error that would fail every remaining file (token expired, API unreachable, store gone) stops
  the run: what is in stays in, and `IngestReport.stopped` says why.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import APIError, StoreError
from core.records import Chunk, FileOutcome, FileStatus, IngestReport
from ingest.batches import Batcher
from ingest.chunker import chunk_budget, overlap_for
from ingest.discover import SourceFile, discover, password_for
from ingest.loaders import file_hash
from ingest.ocr import OcrConfig
from ingest.stages import Embedded, Embedding, Writer
from ingest.worker import Parsed, ParserPool, ParseStatus, ParseTask
from text import sparse
from text.tokens import count_tokens

if TYPE_CHECKING:
    from core.ports import Embedder, VectorStore
    from ingest.vision_ocr import VisionOcr


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """How to chunk, parse and batch; the composition root fills it from the settings."""

    chunk_tokens: int
    chunk_overlap: int
    workers: int  # parser processes beside the embedder
    file_timeout: float  # seconds one file may take to parse
    file_memory_mb: int  # a parser's address space; 0: no cap
    batch_size: int  # chunks per embedding request
    batch_tokens: int  # tokens per embedding request
    ocr: OcrConfig | None = None  # how to read scanned PDF pages; None: leave them out


@dataclass(frozen=True, slots=True)
class IngestProgress:
    files_done: int
    files_total: int
    pages: int
    chunks: int
    current: str  # the file being worked on
    elapsed: float  # seconds
    eta: float | None  # seconds left, once there is a rate to go by
    written: int = 0  # chunks in the store so far, finished files or not
    held_back: str = ""  # what holds embedding requests back, e.g. "the rate limit (300/min)"


_Sparse = tuple[list[int], list[float]] | None  # None: computed before the write

# A file with more chunks than this is written batch by batch as its vectors arrive, so memory
# stays bounded; smaller files are written in one go once all their vectors are in, so their
# new chunks appear together, just before their old ones go.
BUFFERED_CHUNKS = 1024
_TICK = 0.2  # seconds between progress reports while waiting


@dataclass(eq=False, slots=True)
class _InFlight:
    """A parsed file whose chunks are being embedded and written."""

    file: SourceFile
    doc_hash: str
    parsed: Parsed
    remaining: int
    failed: str = ""
    buffer: list[tuple[Chunk, array[float], _Sparse]] = field(default_factory=list)

    @property
    def progressive(self) -> bool:
        return len(self.parsed.chunks) > BUFFERED_CHUNKS


_Entry = tuple[Chunk, _Sparse, _InFlight]


class _Run:
    """The state of one run: report, progress counters, and the stages chunks go through.

    This thread parses (through the parser processes) and cuts batches; `Embedding` threads
    embed them; the `Writer` thread writes and commits. Progress is reported from this thread
    only (the Streamlit callback must run on the script's thread).
    """

    def __init__(
        self,
        *,
        store: VectorStore,
        embedder: Embedder,
        collection: str,
        report: IngestReport,
        files: list[SourceFile],
        on_progress: Callable[[IngestProgress], None] | None,
        dry_run: bool,
        batch_size: int,
        batch_tokens: int,
    ) -> None:
        self.store, self.embedder, self.collection = store, embedder, collection
        self.report, self.on_progress, self.dry_run = report, on_progress, dry_run
        self.started = time.perf_counter()
        self.files_total = len(files)
        self.files_done = 0
        self.pages = 0
        self.chunks = 0
        self.written = 0
        self.bytes_total = sum(f.size for f in files)
        self.bytes_done = 0
        self.current = ""
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._reported = 0.0
        self.batcher: Batcher[_Entry] = Batcher(max_count=batch_size, max_tokens=batch_tokens)
        self.writer: Writer[_Entry] = Writer(self._write, self.fail)
        self.embedding: Embedding[_Entry] = Embedding(
            embedder,
            text=lambda entry: entry[0].indexed_text,
            group=lambda entry: entry[2],
            dropped=lambda entry: bool(entry[2].failed),
            refused=self._refused,
            deliver=self.writer.deliver,
        )

    # progress (this thread only) -------------------------------------------------------------

    def progress(self, *, force: bool = True) -> None:
        if self.on_progress is None:
            return
        now = time.perf_counter()
        if not force and now - self._reported < _TICK:
            return
        self._reported = now
        elapsed = now - self.started
        with self._lock:
            eta = None
            if self.bytes_done and self.bytes_total:
                eta = elapsed * (self.bytes_total - self.bytes_done) / self.bytes_done
            progress = IngestProgress(
                self.files_done, self.files_total, self.pages, self.chunks, self.current,
                elapsed, eta, self.written, self.embedding.held_back(),
            )  # fmt: skip
        self.on_progress(progress)

    def finish(self, outcome: FileOutcome, *, size: int = 0, counted: bool = True) -> None:
        """Record a file's outcome (from any thread)."""
        with self._lock:
            self.report.files.append(outcome)
            self.files_done += 1
            if counted:
                self.bytes_done += size
            else:  # unchanged files cost nothing: leave them out of the rate
                self.bytes_total -= size
            self.pages += outcome.pages
            self.chunks += outcome.chunks
            self.current = outcome.source

    def fail(self, exc: BaseException) -> None:
        with self._lock:
            if self.error is None:
                self.error = exc

    # parsed files (this thread) --------------------------------------------------------------

    def accept(self, parsed: Parsed, file: SourceFile, doc_hash: str) -> None:
        if parsed.status is not ParseStatus.OK:
            status = FileStatus(parsed.status.value)  # skipped or failed: the same words
            unread = len(parsed.unreadable)  # a scan OCR could not read
            outcome = FileOutcome(file.source, status, parsed.reason, unreadable_pages=unread)
            self.finish(outcome, size=file.size)
            return
        self.current = file.source
        if not parsed.chunks:
            self.finish(FileOutcome(file.source, FileStatus.SKIPPED, "no text"), size=file.size)
            return
        if self.dry_run:
            self.finish(self._outcome(parsed, "dry run: not written"), size=file.size)
            return
        item = _InFlight(file, doc_hash, parsed, remaining=len(parsed.chunks))
        bm25: Sequence[_Sparse] = parsed.sparse or [None] * len(parsed.chunks)
        # Counted by the parser; chunks added after it (a vision model's pages) are counted here.
        tokens = parsed.tokens[: len(parsed.chunks)] + tuple(
            count_tokens(c.indexed_text) for c in parsed.chunks[len(parsed.tokens) :]
        )
        for chunk, terms, cost in zip(parsed.chunks, bm25, tokens, strict=True):
            entry = (dataclasses.replace(chunk, doc_hash=""), terms, item)
            for batch in self.batcher.add(entry, cost):
                self.submit(batch)

    def submit(self, batch: list[_Entry]) -> None:
        if not batch:
            return
        while not self.embedding.room(_TICK):
            self.progress(force=False)
        self.embedding.submit(batch)
        self.progress(force=False)

    def drain(self) -> None:
        """Send the last batch, wait for every answer to be written, stop the stages."""
        if self.error is None:
            self.submit(self.batcher.flush())
        while not self.embedding.idle(_TICK):
            self.progress(force=False)
        self.embedding.close()
        self.writer.close()
        while not self.writer.join(_TICK):
            self.progress(force=False)

    def _outcome(self, parsed: Parsed, reason: str = "") -> FileOutcome:
        return FileOutcome(
            parsed.source, FileStatus.INGESTED, reason, chunks=len(parsed.chunks),
            pages=parsed.pages, warnings=parsed.warnings, ocr_pages=parsed.ocr_pages,
            ocr_confidence=parsed.ocr_confidence, unreadable_pages=len(parsed.unreadable),
        )  # fmt: skip

    # embedding and writing (their threads) -----------------------------------------------------

    def _refused(self, entry: _Entry, reason: str) -> None:
        entry[2].failed = reason

    def _write(self, answers: list[tuple[list[_Entry], Embedded[_Entry]]]) -> None:
        """Write embedded batches; commit every file whose last chunk was in them."""
        write: list[tuple[Chunk, Sequence[float], _Sparse]] = []
        completed: list[_InFlight] = []
        for batch, result in answers:
            if isinstance(result, BaseException):
                self.fail(result)  # its files stay partial: the next run redoes them
                continue
            live, vectors = result
            for (chunk, terms, item), vector in zip(live, vectors, strict=True):
                if item.failed:
                    continue
                if item.progressive:
                    write.append((chunk, vector, terms))
                else:
                    item.buffer.append((chunk, array("f", vector), terms))
            for _, _, item in batch:
                item.remaining -= 1
                if item.remaining == 0:
                    completed.append(item)
                    if not item.failed:
                        write.extend(item.buffer)
                    item.buffer = []
        if write:
            chunks, dense, given = zip(*write, strict=True)
            bm25 = [
                sparse.document_vector(chunk.indexed_text) if terms is None else terms
                for chunk, terms in zip(chunks, given, strict=True)
            ]  # the parser process made them, unless it could not
            self.store.upsert_chunks(self.collection, chunks, dense, bm25)
            with self._lock:
                self.written += len(write)
        for item in completed:
            self._complete(item)

    def _complete(self, item: _InFlight) -> None:
        if item.failed:  # its chunks stay partial: the next run retries it
            outcome = FileOutcome(item.file.source, FileStatus.FAILED, item.failed)
        else:
            ids = [chunk.id for chunk in item.parsed.chunks]
            self.store.commit_source(self.collection, item.file.source, ids, item.doc_hash)
            outcome = self._outcome(item.parsed)
        self.finish(outcome, size=item.file.size)


def ingest_paths(
    paths: Sequence[Path],
    *,
    store: VectorStore,
    embedder: Embedder,
    collection: str,
    options: IngestOptions,
    on_progress: Callable[[IngestProgress], None] | None = None,
    prune: bool = False,
    dry_run: bool = False,
    passwords: Mapping[str, str] | None = None,
    glob: str | None = None,
    vision: VisionOcr | None = None,
) -> IngestReport:
    """Ingest files and folders into `collection`.

    Unchanged files are skipped, changed ones replaced, and with `prune` the collection's files
    that are no longer found under `paths` are removed. `dry_run` parses and reports without
    embedding or writing. Raises `ConfigError` when the collection was built with another
    embedding model; every per-file problem ends up in the report instead. `vision` reads the
    pages the parsers' offline OCR could not, through a vision model (`ingest.vision_ocr`).
    """
    name = collection
    report = IngestReport(collection=name)
    started = time.perf_counter()
    files, problems = discover(paths, glob=glob)
    if not dry_run:
        store.ensure_collection(name, dim=embedder.dim, model=embedder.model)
    elif store.exists(name):
        store.ensure_collection(name, dim=embedder.dim, model=embedder.model)  # only checks
    states = store.source_states(name)
    budget = chunk_budget(options.chunk_tokens, embedder.max_input_tokens)
    overlap = overlap_for(budget, options.chunk_overlap)
    run = _Run(
        store=store, embedder=embedder, collection=name, report=report, files=files,
        on_progress=on_progress, dry_run=dry_run, batch_size=options.batch_size,
        batch_tokens=options.batch_tokens,
    )  # fmt: skip
    run.files_total += len(problems)
    for problem in problems:
        run.finish(problem)
    passwords = passwords or {}
    # With one parser process, this process computing the BM25 vectors runs beside it; with
    # more, the parsers have the cores to spare and this process is the one to relieve.
    bm25_in_parser = options.workers > 1

    def tasks() -> Iterator[tuple[ParseTask, str]]:
        for file in files:
            try:
                doc_hash = file_hash(file.path)
            except OSError as exc:
                reason = f"cannot read it ({exc.strerror})"
                run.finish(FileOutcome(file.source, FileStatus.FAILED, reason))
                continue
            if states.get(file.source) == doc_hash:
                run.finish(
                    FileOutcome(file.source, FileStatus.UNCHANGED), size=file.size, counted=False
                )
                continue
            task = ParseTask(
                file.path, file.root, password_for(file, passwords), budget, overlap,
                tag=(file, doc_hash), bm25=bm25_in_parser, content_hash=doc_hash,
                ocr=options.ocr,
            )  # fmt: skip
            yield task, file.source

    pool = ParserPool(
        workers=options.workers,
        timeout=options.file_timeout,
        memory_mb=options.file_memory_mb,
    )
    try:
        with contextlib.closing(pool.run(tasks())) as results:
            for parsed in results:
                file, doc_hash = parsed.tag
                if vision is not None and parsed.unreadable and not dry_run:
                    parsed = vision.complete(
                        parsed, file.path, password=password_for(file, passwords),
                        doc_hash=doc_hash, budget=budget, overlap=overlap,
                    )  # fmt: skip
                run.accept(parsed, file, doc_hash)
                run.progress(force=False)
                if run.error is not None:
                    break
    finally:
        run.drain()
    try:
        if run.error is not None:
            raise run.error
        if prune and not dry_run:
            seen = {f.source for f in files} | {p.source for p in problems}
            for source in sorted(set(states) - seen):
                store.delete_source(name, source)
                run.files_total += 1
                run.finish(FileOutcome(source, FileStatus.PRUNED, "no longer found"))
        if report.chunks and not dry_run:
            store.optimize(name)  # index what was written: the embedded engine scans otherwise
    except (APIError, StoreError) as exc:
        left = run.files_total - run.files_done
        report.stopped = (
            f"stopped with {left} of {run.files_total} files left: {exc}. What is in stays in; "
            "run the same command again to resume."
        )
    run.progress()
    report.seconds = time.perf_counter() - started
    return report
