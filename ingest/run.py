"""The state of one ingest run: each file on its way to the store.

`Run` takes each parsed file from the pipeline's thread, cuts its chunks into batches (the one
rule of `ingest.batches`), hands them to `Embedding` threads (`ingest.stages`) and has the `Writer`
thread write the answers as they come back; each file on its way is an `InFlight`
(`ingest.inflight`). A file's first written chunks have an empty
`doc_hash` (the rest have its hash); when all of its chunks are in, `VectorStore.commit_source`
stamps those with the file's hash and removes the file's older chunks, so files are committed in
the order they complete. A file with more than
`BUFFERED_CHUNKS` chunks is written batch by batch; a smaller one in one go, so its new chunks
appear together. What the run has done is counted, and reported, by its `Tally`
(`ingest.progress`), from the pipeline's thread only.
"""

from __future__ import annotations

import dataclasses
import threading
from array import array
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from core.reasons import Reason
from core.records import Chunk, FileOutcome, FileStatus, IngestReport
from ingest.batches import Batcher
from ingest.discover import FileList, SourceFile
from ingest.inflight import Entry, InFlight, Sparse, ingested
from ingest.parse import Parsed, ParsedPart, ParseStatus
from ingest.progress import TICK, IngestProgress, Tally
from ingest.stages import Embedded, Embedding, Writer
from text import sparse
from text.tokens import count_tokens

if TYPE_CHECKING:
    from core.ports import Embedder, VectorStore


# A file with more chunks than this is written batch by batch as its vectors arrive, so memory
# stays bounded; smaller files are written in one go once all their vectors are in, so their new
# chunks appear together, just before their old ones go.
BUFFERED_CHUNKS = 1024
# The parsers send a file with more chunks in parts of this many (`ingest.parse.parse_parts`; a
# PDF's as its pages are read), so its first batches are embedded while the rest is parsed.
PART_CHUNKS = 128


class Run:
    """The state of one run: report, counts (`tally`), and the stages chunks go through.

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
        files: FileList,
        on_progress: Callable[[IngestProgress], None] | None,
        dry_run: bool,
        batch_size: int,
        batch_tokens: int,
        optimize_every: int = 0,
        on_outcome: Callable[[FileOutcome, SourceFile | None], None] | None = None,
    ) -> None:
        self.store, self.embedder, self.collection = store, embedder, collection
        self.on_outcome = on_outcome
        self.report, self.dry_run = report, dry_run
        self.optimize_every = optimize_every
        self._unindexed = 0  # chunks written since the store last indexed (the writer's)
        self._open: dict[str, InFlight] = {}  # files whose parts are coming in
        self.error: BaseException | None = None
        self._lock = threading.RLock()  # shared with the tally: a count may change inside a step
        self.tally = Tally(
            files, on_progress, lock=self._lock, held_back=lambda: self.embedding.held_back()
        )
        self.batcher: Batcher[Entry] = Batcher(max_count=batch_size, max_tokens=batch_tokens)
        self.writer: Writer[Entry] = Writer(self._write, self.fail)
        self.embedding: Embedding[Entry] = Embedding(
            embedder,
            text=lambda entry: entry[0].indexed_text,
            group=lambda entry: entry[2],
            dropped=lambda entry: entry[2].failed is not None,
            refused=self._refused,
            deliver=self.writer.deliver,
        )

    def finish(
        self,
        outcome: FileOutcome,
        *,
        file: SourceFile | None = None,
        counted: bool = True,
        item: InFlight | None = None,
    ) -> None:
        """Record a file's outcome (from any thread); `file`: the file it is about, when it was
        found; `item`: it was being embedded. `on_outcome` hears of it after the counts."""
        with self._lock:
            self.report.files.append(outcome)
            size = file.size if file is not None else 0
            self.tally.finished(outcome, size=size, counted=counted, item=item)
        if self.on_outcome is not None:
            self.on_outcome(outcome, file)

    def fail(self, exc: BaseException) -> None:
        with self._lock:
            if self.error is None:
                self.error = exc

    # parsed files (this thread) --------------------------------------------------------------

    @property
    def part_chunks(self) -> int:
        """Chunks per part a parser sends a file in (written progressively past
        `BUFFERED_CHUNKS`)."""
        return PART_CHUNKS

    def accept_part(self, part: ParsedPart, file: SourceFile, doc_hash: str) -> None:
        """Some of a big file's chunks, ahead of its `Parsed`."""
        item = self._open.get(file.source)
        if item is None:
            item = self._open[file.source] = InFlight(file, doc_hash, progressive=False)
        self.tally.current = file.source
        self._feed(item, part.chunks, part.sparse, part.tokens)

    def accept(self, parsed: Parsed, file: SourceFile, doc_hash: str) -> None:
        """A file's outcome (with its last chunks, or all of them when it came whole)."""
        self.tally.read(file.source, parsed.pages)
        item = self._open.pop(file.source, None)
        if parsed.status is not ParseStatus.OK:
            if item is not None:  # the parser died after sending some of it
                self._abandon(item, parsed.reason or Reason("parse_failed"))
                return
            status = FileStatus(parsed.status.value)  # skipped or failed: the same words
            unread = len(parsed.unreadable)  # a scan OCR could not read
            outcome = FileOutcome(file.source, status, parsed.reason, unreadable_pages=unread)
            self.finish(outcome, file=file)
            return
        self.tally.current = file.source
        if item is None:
            if not parsed.chunks:
                outcome = FileOutcome(file.source, FileStatus.SKIPPED, Reason("no_text"))
                self.finish(outcome, file=file)
                return
            progressive = len(parsed.chunks) > BUFFERED_CHUNKS
            item = InFlight(file, doc_hash, progressive=progressive)
        item.outcome = dataclasses.replace(parsed, chunks=(), sparse=(), tokens=(), tag=None)
        self._feed(item, parsed.chunks, parsed.sparse, parsed.tokens, last=True)
        if self.dry_run:
            self.finish(ingested(item, Reason("dry_run")), file=file)

    def _feed(
        self,
        item: InFlight,
        chunks: Sequence[Chunk],
        sparse_vectors: Sequence[tuple[list[int], list[float]]],
        tokens: Sequence[int],
        *,
        last: bool = False,
    ) -> None:
        """Queue chunks for embedding; with `last`, the writer commits the file after them."""
        item.ids.extend(chunk.id for chunk in chunks)
        if self.dry_run:
            return
        with self._lock:  # together: the writer may finish the earlier parts meanwhile
            item.remaining += len(chunks)
            item.closed = last
            if len(item.ids) > BUFFERED_CHUNKS:  # the writer writes what it held, then the rest
                item.progressive = True
            self.tally.queued(item, len(chunks))
        bm25: Sequence[Sparse] = sparse_vectors or [None] * len(chunks)
        # Counted by the parser; chunks added after it (a vision model's pages) are counted here.
        costs = tuple(tokens[: len(chunks)]) + tuple(
            count_tokens(c.indexed_text) for c in chunks[len(tokens) :]
        )
        for chunk, terms, cost in zip(chunks, bm25, costs, strict=True):
            entry = (chunk, terms, item)
            for batch in self.batcher.add(entry, cost):
                self.submit(batch)

    def _abandon(self, item: InFlight, reason: Reason) -> None:
        """A file whose parser died after sending parts: failed, never committed."""
        with self._lock:
            item.closed = True
            item.failed = item.failed or reason
            done = item.remaining == 0
        if done:  # else the writer finishes it with its last queued chunk
            outcome = FileOutcome(item.file.source, FileStatus.FAILED, item.failed)
            self.finish(outcome, file=item.file, item=item)

    def submit(self, batch: list[Entry]) -> None:
        if not batch:
            return
        while not self.embedding.room(TICK):
            self.tally.report(force=False)
        self.embedding.submit(batch)
        self.tally.report(force=False)

    def drain(self) -> None:
        """Send the last batch, wait for every answer to be written, stop the stages."""
        if self.error is None:
            self.submit(self.batcher.flush())
        while not self.embedding.idle(TICK):
            self.tally.report(force=False)
        self.embedding.close()
        self.writer.close()
        while not self.writer.join(TICK):
            self.tally.report(force=False)

    # embedding and writing (their threads) -----------------------------------------------------

    def _refused(self, entry: Entry, reason: Reason) -> None:
        entry[2].failed = reason

    def _write(self, answers: list[tuple[list[Entry], Embedded[Entry]]]) -> None:
        """Write embedded batches; commit every file whose last chunk was in them."""
        write: list[tuple[InFlight, Chunk, Sequence[float], Sparse]] = []
        completed: list[InFlight] = []
        for batch, result in answers:
            if isinstance(result, BaseException):
                self.fail(result)  # its files stay partial: the next run redoes them
                continue
            live, vectors = result
            for (chunk, terms, item), vector in zip(live, vectors, strict=True):
                if item.failed is not None:
                    continue
                if item.progressive:
                    if item.buffer:  # held while the file looked small
                        write.extend((item, *held) for held in item.buffer)
                        item.buffer = []
                    write.append((item, chunk, vector, terms))
                else:
                    item.buffer.append((chunk, array("f", vector), terms))
            for _, _, item in batch:
                with self._lock:
                    item.remaining -= 1
                    done = item.remaining == 0 and item.closed
                if done:
                    completed.append(item)
                    if item.failed is None:
                        write.extend((item, *held) for held in item.buffer)
                    item.buffer = []
        if write:
            self._upsert(write)
        for item in completed:
            self._complete(item)
        self._unindexed += len(write) + sum(len(i.unstamped) for i in completed if i.progressive)
        if self.optimize_every and self._unindexed >= self.optimize_every:
            # Stamping a big file's first chunks at its commit moves those indexed already back
            # to the unindexed segment: they count again.
            self.store.optimize(self.collection)
            self._unindexed = 0

    def _upsert(self, write: list[tuple[InFlight, Chunk, Sequence[float], Sparse]]) -> None:
        """Write chunks. A file's chunks in its first write go without its hash, which keeps the
        file partial until `commit_source` stamps them; its later chunks carry the hash, so a
        commit rewrites one write's points, not a big file's every point (Qdrant copies each
        point it rewrites out of its indexed segment, to be indexed again)."""
        first = {item for item, _, _, _ in write if not item.unstamped}  # none written before
        chunks: list[Chunk] = []
        for item, chunk, _, _ in write:
            if item in first:
                chunks.append(dataclasses.replace(chunk, doc_hash=""))
                item.unstamped.append(chunk.id)
            else:
                chunks.append(dataclasses.replace(chunk, doc_hash=item.doc_hash))
        bm25 = [
            sparse.document_vector(chunk.indexed_text) if terms is None else terms
            for chunk, (_, _, _, terms) in zip(chunks, write, strict=True)
        ]  # the parser process made them, unless it could not
        self.store.upsert_chunks(self.collection, chunks, [w[2] for w in write], bm25)
        self.tally.wrote(len(write))

    def _complete(self, item: InFlight) -> None:
        if item.failed is not None:  # its chunks stay partial: the next run retries it
            outcome = FileOutcome(item.file.source, FileStatus.FAILED, item.failed)
        else:
            self.store.commit_source(
                self.collection, item.file.source, item.ids, item.doc_hash,
                unstamped=item.unstamped,
            )  # fmt: skip
            outcome = ingested(item)
        self.finish(outcome, file=item.file, item=item)
