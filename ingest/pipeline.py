"""The ingest pipeline: files in, chunks with vectors in the store, a report out.

    discover ─► hash ─► (unchanged? skip) ─► parse+chunk in parser processes (one per core)
        ─► cut batches (`ingest.batches`: one rule, on the tokens sent) ─► embed, several
        requests in flight (`ingest.stages.Embedding`) ─► write + commit (`ingest.stages.Writer`)

- Source names are paths relative to the folder given (a file given directly: its name).
- A file whose content hash matches its complete chunks in the store is skipped without parsing.
  One another run is writing is left to it (`ingest.claims`).
- Other files are parsed in child processes (`ingest.worker`), bounded in CPU time and memory.
  This thread cuts their chunks into batches; embedding threads keep as many requests going as
  the embedder's pace asks for (the contract's rate × the hub's response time), and one writer
  thread writes the answers as they come back (`ingest.run`: what one run holds;
  `ingest.progress`: what it has done). Files are committed in the order they complete; a run
  killed at any moment is resumed by running it again: partial files are redone with the same
  ids.
- With `optimize_every`, the writer has the store index what it wrote every that many chunks,
  so the embedded store's unindexed segment (in RAM) stays small; the rest is indexed at the end.
- Nothing accumulates across files: every hand-off is bounded (batches in flight and waiting,
  answers waiting for the writer), beside the files being parsed and embedded; a file with
  many chunks comes from its parser in parts of `ingest.run.PART_CHUNKS` (a PDF's as its pages
  are read), never whole.
- An error that would fail every remaining file (token expired, API unreachable, store gone) stops
  the run: what is in stays in, and `IngestReport.stopped` says why.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import APIError, StoreError
from core.reasons import Reason
from core.records import FileOutcome, FileStatus, IngestReport
from ingest.chunker import chunk_budget, overlap_for
from ingest.claims import SourceClaims, busy
from ingest.discover import SourceFile, discover, password_for
from ingest.loaders import file_hash
from ingest.ocr import OcrConfig
from ingest.parse import ParsedPart, ParseTask, Warm
from ingest.progress import IngestProgress
from ingest.run import Run
from ingest.worker import ParserPool

if TYPE_CHECKING:
    from core.ports import Embedder, VectorStore
    from ingest.vision_ocr import VisionOcr

__all__ = ["IngestOptions", "IngestProgress", "ingest_paths"]


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
    optimize_every: int = 0  # chunks written between two `VectorStore.optimize`; 0: at the end


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
    refresh: Collection[str] = (),
    on_outcome: Callable[[FileOutcome, SourceFile | None], None] | None = None,
    claims: SourceClaims | None = None,
) -> IngestReport:
    """Ingest files and folders into `collection`.

    Unchanged files are skipped, changed ones replaced, and with `prune` the collection's files
    that are no longer found under `paths` are removed. `dry_run` parses and reports without
    embedding or writing. Raises `ConfigError` when the collection was built with another
    embedding model; every per-file problem ends up in the report instead. `vision` reads the
    pages the parsers' offline OCR could not, through a vision model (`ingest.vision_ocr`).
    The sources in `refresh` are parsed and written again even when unchanged (a re-ingest).
    `on_outcome` hears of each file's outcome as it comes, with the file when it was found
    (from any thread), so a caller can record them without holding the whole run.
    A file is written only under its claim (`ingest.claims`; `claims`, else this process's
    alone): one another run holds is left to it, reported `FileStatus.BUSY`.
    """
    name = collection
    claims = claims or SourceClaims()
    claimed: set[str] = set()  # the sources this run holds a claim on

    def finished(outcome: FileOutcome, file: SourceFile | None) -> None:
        try:
            claimed.remove(outcome.source)
        except KeyError:
            pass
        else:
            claims.release(name, outcome.source)
        if on_outcome is not None:
            on_outcome(outcome, file)

    report = IngestReport(collection=name)
    started = time.perf_counter()
    files, problems = discover(paths, glob=glob)
    seen = {f.source for f in files} | {p.source for p in problems} if prune else set()
    # With more than one parser, they compute the BM25 vectors (this process is the one to
    # relieve); with one, this process computes them beside it.
    bm25_in_parser = options.workers > 1
    pool = ParserPool(
        workers=options.workers,
        timeout=options.file_timeout,
        memory_mb=options.file_memory_mb,
        warm=Warm.BM25 if bm25_in_parser else Warm.PARSE,
    )
    if files:
        pool.start()  # the parsers load their libraries while the collection is opened and read
    try:
        if not dry_run:
            store.ensure_collection(name, dim=embedder.dim, model=embedder.model)
        elif store.exists(name):
            store.ensure_collection(name, dim=embedder.dim, model=embedder.model)  # only checks
        states = store.source_states(name)
        budget = chunk_budget(options.chunk_tokens, embedder.max_input_tokens)
        overlap = overlap_for(budget, options.chunk_overlap)
        run = Run(
            store=store, embedder=embedder, collection=name, report=report, files=files,
            on_progress=on_progress, dry_run=dry_run, batch_size=options.batch_size,
            batch_tokens=options.batch_tokens, optimize_every=options.optimize_every,
            on_outcome=finished,
        )  # fmt: skip
    except BaseException:
        pool.close()
        raise
    run.tally.files_total += len(problems)
    for problem in problems:
        run.finish(problem)
    passwords = passwords or {}

    def tasks() -> Iterator[tuple[ParseTask, str]]:
        # Largest first: a long book started last would keep one parser busy after the others
        # have finished (206 pages in 3 files: 3.6 s with it last, see bench_peers).
        while (file := files.pop_largest()) is not None:
            try:
                doc_hash = file_hash(file.path)
            except OSError as exc:
                reason = Reason("cannot_read", detail=str(exc.strerror))
                run.finish(FileOutcome(file.source, FileStatus.FAILED, reason), file=file)
                continue
            if states.get(file.source) == doc_hash and file.source not in refresh:
                outcome = FileOutcome(file.source, FileStatus.UNCHANGED)
                run.finish(outcome, file=file, counted=False)
                continue
            if not dry_run:
                if not claims.claim(name, file.source):
                    run.finish(busy(file.source), file=file)
                    continue
                claimed.add(file.source)
            task = ParseTask(
                file.path, file.root, password_for(file, passwords), budget, overlap,
                tag=(file, doc_hash), bm25=bm25_in_parser, content_hash=doc_hash,
                ocr=options.ocr, part_chunks=run.part_chunks if vision is None else 0,
            )  # fmt: skip
            yield task, file.source

    try:
        parsing = pool.run(tasks(), on_wait=run.tally.waiting, on_page=run.tally.page_read)
        with contextlib.closing(parsing) as results:
            for parsed in results:
                file, doc_hash = parsed.tag
                if isinstance(parsed, ParsedPart):  # a big file, in parts (not with `vision`)
                    run.accept_part(parsed, file, doc_hash)
                else:
                    if vision is not None and parsed.unreadable and not dry_run:
                        parsed = vision.complete(
                            parsed, file.path, password=password_for(file, passwords),
                            doc_hash=doc_hash, budget=budget, overlap=overlap,
                        )  # fmt: skip
                    run.accept(parsed, file, doc_hash)
                run.tally.report(force=False)
                if run.error is not None:
                    break
    finally:
        try:
            pool.close()  # stopped already, unless the parsing never began
            run.drain()
        finally:
            for source in list(claimed):  # files a stopped run left unfinished
                claims.release(name, source)
    try:
        if run.error is not None:
            raise run.error
        if prune and not dry_run:
            for source in sorted(set(states) - seen):
                run.tally.files_total += 1
                with claims.held(name, source) as mine:  # else another run is writing it
                    if mine:
                        store.delete_source(name, source)
                if mine:
                    run.finish(FileOutcome(source, FileStatus.PRUNED, Reason("no_longer_found")))
                else:
                    run.finish(busy(source))
        if report.chunks and not dry_run:
            store.optimize(name)  # index what was written: the embedded engine scans otherwise
    except (APIError, StoreError) as exc:
        total = run.tally.files_total
        left = total - run.tally.files_done
        report.stopped = (
            f"stopped with {left} of {total} files left: {exc}. What is in stays in; "
            "run the same command again to resume."
        )
    run.tally.report()
    report.seconds = time.perf_counter() - started
    return report
