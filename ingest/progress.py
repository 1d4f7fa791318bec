"""What an ingest run has done so far, and the progress it reports (`IngestProgress`).

`Tally` counts files, pages and chunks as `ingest.run.Run` hands them on, and turns them into an
`IngestProgress` for the caller's `on_progress`. The bars fill by `share`: finished files by their
size, plus each file being embedded by the share of its chunks that came back and of its pages
read; what is shown never moves back. Reports come from the pipeline's thread only (the
Streamlit callback must run on the script's thread), at most every `TICK` seconds unless forced;
the writer thread's counts go through the same lock, which the run shares.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from core.records import FileOutcome
from ingest.discover import FileList, SourceFile
from ingest.parse import PageTick

TICK = 0.2  # seconds between progress reports while waiting


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
    pages_read: int = 0  # pages parsed so far, in finished files and the ones being embedded
    chunks_queued: int = 0  # chunks parsed so far, to be (or being, or already) written
    share: float = 0.0  # of the work done, 0..1: whole files by size, and the chunks written
    # of the files being embedded; what the bars fill by, so one large file moves them too
    reading: tuple[str, ...] = ()  # the files the parsers are reading now
    embedded: int = 0  # chunks whose vectors came back, finished files or not

    @property
    def pages_seen(self) -> int:
        """Pages read so far: what both progress bars (CLI and UI) show."""
        return max(self.pages, self.pages_read)

    @property
    def chunks_seen(self) -> int:
        """Chunks embedded so far, finished files or not: what both bars show."""
        return max(self.chunks, self.written, self.embedded)

    @property
    def working_on(self) -> str:
        """The file to name: the one finished last, else the one being read."""
        return self.current or (self.reading[0] if self.reading else "")


class Flowing(Protocol):
    """A file whose chunks are being embedded, as the share counts it
    (`ingest.inflight.InFlight`)."""

    @property
    def file(self) -> SourceFile: ...

    @property
    def ids(self) -> Sequence[str]: ...  # of every chunk queued so far

    @property
    def remaining(self) -> int: ...  # chunks queued and not yet through the writer


class Tally:
    """The counts of one run and the progress reports made of them.

    Every method takes `lock` itself (a reentrant one, so the run may hold it around a call).
    `held_back` says what holds embedding requests back, for the report.
    """

    def __init__(
        self,
        files: FileList,
        on_progress: Callable[[IngestProgress], None] | None,
        *,
        lock: threading.RLock,
        held_back: Callable[[], str],
    ) -> None:
        self.on_progress, self.lock, self._held_back = on_progress, lock, held_back
        self.started = time.perf_counter()
        self.files_total = len(files)
        self.files_done = 0
        self.pages = 0
        self.chunks = 0
        self.written = 0
        self.bytes_total = files.size
        self.bytes_done = 0
        self.current = ""
        self.pages_read = 0
        self.chunks_queued = 0
        self.reading: tuple[str, ...] = ()
        self.paging: dict[str, tuple[int, int]] = {}  # (pages read, pages) of files being read
        self.in_flight: set[Flowing] = set()  # files whose chunks are being embedded
        self._reported = 0.0
        self._shown = 0.0  # the share last reported

    def report(self, *, force: bool = True) -> None:
        """Hand the caller an `IngestProgress`; unless `force`, not within `TICK` of the last."""
        if self.on_progress is None:
            return
        now = time.perf_counter()
        if not force and now - self._reported < TICK:
            return
        self._reported = now
        elapsed = now - self.started
        with self.lock:
            # Never back: a PDF's parts raise its chunk count while earlier ones are embedded.
            share = self._shown = max(self._shown, self.share())
            eta = elapsed * (1 - share) / share if share > 0 else None
            embedded = self.chunks + sum(len(item.ids) - item.remaining for item in self.in_flight)
            pages_read = self.pages_read + sum(done for done, _ in self.paging.values())
            progress = IngestProgress(
                self.files_done, self.files_total, self.pages, self.chunks, self.current,
                elapsed, eta, self.written, self._held_back(), pages_read,
                self.chunks_queued, share, self.reading, embedded,
            )  # fmt: skip
        self.on_progress(progress)

    def share(self) -> float:
        """The work done, 0..1: finished files by their size, plus each file being embedded by
        the share of its chunks that came back (so a single 113-page PDF moves the bar), times
        the share of its pages read while its parts are still coming."""
        if not self.bytes_total:
            return self.files_done / self.files_total if self.files_total else 0.0
        done = float(self.bytes_done)
        for item in self.in_flight:
            total = len(item.ids)  # so far: a PDF's parts keep coming as its pages are read
            share = (total - item.remaining) / max(1, total)
            read, pages = self.paging.get(item.file.source, (1, 1))
            done += item.file.size * share * read / max(1, pages)
        return min(max(done / self.bytes_total, 0.0), 1.0)

    def waiting(self, reading: list[str]) -> None:
        """The parsers are still reading `reading`: report so (the pipeline's thread)."""
        self.reading = tuple(reading)
        self.report(force=False)

    def page_read(self, tick: PageTick) -> None:
        """A parser has read `tick.done` pages of a file (the pipeline's thread)."""
        with self.lock:
            self.paging[tick.source] = (tick.done, tick.total)
        if tick.source not in self.reading:
            self.reading = (*self.reading, tick.source)
        self.report()  # the parsers already send ticks at most every TICK_SECONDS a file

    def read(self, source: str, pages: int) -> None:
        """The parsers are done with `source`, of `pages` pages (the pipeline's thread)."""
        self.reading = tuple(r for r in self.reading if r != source)
        with self.lock:
            self.paging.pop(source, None)
            self.pages_read += pages

    def queued(self, item: Flowing, chunks: int) -> None:
        """`chunks` more of `item`'s chunks are on their way to the writer."""
        with self.lock:
            self.in_flight.add(item)
            self.chunks_queued += chunks

    def wrote(self, chunks: int) -> None:
        """`chunks` more are in the store (the writer's thread)."""
        with self.lock:
            self.written += chunks

    def finished(
        self, outcome: FileOutcome, *, size: int, counted: bool, item: Flowing | None
    ) -> None:
        """A file is done (from any thread); `item`: it was being embedded."""
        with self.lock:
            if item is not None:
                self.in_flight.discard(item)
            self.files_done += 1
            if counted:
                self.bytes_done += size
            else:  # unchanged files cost nothing: leave them out of the rate
                self.bytes_total -= size
            self.pages += outcome.pages
            self.chunks += outcome.chunks
            self.current = outcome.source
