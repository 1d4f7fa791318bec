"""The embedding and writing stages of an ingest, each on its own threads.

    batches ─► Embedding: N requests in flight, N from the embedder's pace ─► Writer ─► store
               (a few more cut and waiting, so the parsers never wait on a reply)  (one thread)

`Embedding` keeps as many requests going as the embedder's `pace()` asks for (ceil(allowed
rate × observed response time) + 1 for the Model Hub, one for a local model); the rate limiter
inside the client decides when each one leaves. Answers go to the `Writer` in the order they
come back; it writes them (several batches per upsert) and commits every file whose last chunk
is in. Both hand-offs are bounded, so memory holds at most `limit + BACKLOG` batches being
embedded and `WRITE_QUEUE` answers waiting to be written.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

from core.errors import BadRequestError
from core.ports import Embedder, PacedEmbedder
from core.reasons import Reason

E = TypeVar("E")  # one queued input: whatever the caller keeps beside its text

BACKLOG = 4  # batches cut and waiting for a request slot
WRITE_QUEUE = 8  # answers waiting for the writer
MAX_THREADS = 64  # the executor's ceiling; the pace keeps far fewer busy

Embedded = tuple[list[E], list[list[float]]] | BaseException  # (inputs kept, their vectors)


class Embedding(Generic[E]):
    """Sends batches to the embedder, `limit()` at a time, and delivers each answer."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        text: Callable[[E], str],
        group: Callable[[E], object],
        dropped: Callable[[E], bool],
        refused: Callable[[E, Reason], None],
        deliver: Callable[[list[E], Embedded[E]], None],
    ) -> None:
        self._paced = embedder if isinstance(embedder, PacedEmbedder) else None
        self._send = self._paced.embed_batch if self._paced else embedder.embed_documents
        self._text, self._group, self._dropped, self._refused = text, group, dropped, refused
        self._deliver = deliver
        self._pool = ThreadPoolExecutor(max_workers=MAX_THREADS, thread_name_prefix="embed")
        self._cond = threading.Condition()
        self._active = 0  # requests out
        self._pending = 0  # batches submitted and not yet delivered
        self.most_in_flight = 0

    def limit(self) -> int:
        return max(1, self._paced.pace().in_flight) if self._paced else 1

    def held_back(self) -> str:
        return self._paced.pace().held_back if self._paced else ""

    def room(self, timeout: float) -> bool:
        """Wait up to `timeout` s until another batch may be submitted; whether it may."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending < self.limit() + BACKLOG, timeout)

    def submit(self, batch: list[E]) -> None:
        with self._cond:
            self._pending += 1
        self._pool.submit(self._job, batch)

    def idle(self, timeout: float) -> bool:
        """Wait up to `timeout` s for every submitted batch to be delivered."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)

    def _job(self, batch: list[E]) -> None:
        try:
            with self._cond:
                while self._active >= self.limit():
                    self._cond.wait(0.05)  # the limit grows as response times are observed
                self._active += 1
                self.most_in_flight = max(self.most_in_flight, self._active)
            result: Embedded[E]
            try:
                result = self._embed(batch)
            except Exception as exc:  # the writer reports it; the run stops
                result = exc
            finally:
                with self._cond:
                    self._active -= 1
                    self._cond.notify_all()
            self._deliver(batch, result)  # blocks while the writer is behind: the memory bound
        finally:
            with self._cond:
                self._pending -= 1
                self._cond.notify_all()

    def _embed(self, batch: Sequence[E]) -> tuple[list[E], list[list[float]]]:
        live = [entry for entry in batch if not self._dropped(entry)]
        if not live:
            return [], []
        try:
            return live, self._send([self._text(entry) for entry in live])
        except BadRequestError:  # one input the API refuses: find its group, keep the rest
            pass
        kept: list[E] = []
        vectors: list[list[float]] = []
        for key in dict.fromkeys(self._group(entry) for entry in live):
            part = [entry for entry in live if self._group(entry) is key]
            try:
                vectors.extend(self._send([self._text(entry) for entry in part]))
            except BadRequestError as exc:
                self._refused(part[0], Reason("embedding_refused", detail=str(exc)))
                continue
            kept.extend(part)
        return kept, vectors


class Writer(Generic[E]):
    """One thread that takes embedded batches in arrival order and hands them to `write`."""

    def __init__(
        self,
        write: Callable[[list[tuple[list[E], Embedded[E]]]], None],
        on_error: Callable[[BaseException], None],
        *,
        coalesce: int = 8,
    ) -> None:
        self._write, self._on_error, self._coalesce = write, on_error, coalesce
        self._queue: queue.Queue[tuple[list[E], Embedded[E]] | None] = queue.Queue(WRITE_QUEUE)
        self._thread = threading.Thread(target=self._loop, name="ingest-writer", daemon=True)
        self._thread.start()

    def deliver(self, batch: list[E], result: Embedded[E]) -> None:
        self._queue.put((batch, result))

    def close(self) -> None:
        self._queue.put(None)

    def join(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _loop(self) -> None:
        done = False
        while not done:
            first = self._queue.get()
            if first is None:
                return
            items = [first]
            while len(items) < self._coalesce:  # several answers per upsert, when they queue up
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    done = True
                    break
                items.append(more)
            try:
                self._write(items)
            except Exception as exc:  # a store error: the run stops, what is in stays in
                self._on_error(exc)
