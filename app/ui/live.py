"""Answers being written, apart from Streamlit's script runs.

Streamlit ends the running script whenever the person touches a widget, so an answer streamed
inside a run would end with it (and a question sent meanwhile would cut the one before). Here each
question becomes an `AnswerJob` that a worker thread streams into its `Exchange` and keeps (in the
thread database, or the session's history), whatever the page does meanwhile:

    question -> Conversation.submit -> [running job, queued job, ...]
                worker thread: events -> job.exchange -> job.finish() -> keep(exchange)

- Stop (`AnswerJob.stop`) finishes the job at once: the text so far is kept, marked stopped; the
  worker drops whatever the stream still sends and closes it.
- A question sent while an answer streams waits in the same conversation's queue and is answered
  after it, with the earlier answer in its history: no exchange is ever dropped.
- The page only draws what the jobs hold (`app.ui.render.draw_live`), polling; a reload finds the
  conversation still being answered (`Conversations`, one per process, keyed by the thread).

Plain threads: nothing here draws, so it is tested without a page.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from app.ui.state import Exchange
from core.errors import RagError
from rag.citations import resolve
from rag.events import AnswerEvent, Notice, ReasoningDelta, TextDelta
from rag.prompt import Turn

log = logging.getLogger(__name__)

Ask = Callable[[Sequence[Turn]], Iterator[AnswerEvent]]  # the history so far -> the events
Keep = Callable[[Exchange], None]  # saves a finished exchange (sets its message_id)
_ids = itertools.count(1)


@dataclass(eq=False)
class AnswerJob:
    """One question being answered (or waiting to be)."""

    exchange: Exchange
    ask: Ask
    failed_text: Callable[[str], str]  # the error's type name -> the line a person reads
    id: int = field(default_factory=lambda: next(_ids))
    started: float | None = None  # time.monotonic() when the worker began it
    wait_until: float | None = None  # time.monotonic() when a rate-limit wait or retry ends
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _finished: threading.Event = field(default_factory=threading.Event, repr=False)
    _keep: Keep | None = field(default=None, repr=False)

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    @property
    def running(self) -> bool:
        return self.started is not None and not self.finished

    def wait(self, timeout: float | None = None) -> bool:
        return self._finished.wait(timeout)

    def apply(self, event: AnswerEvent) -> bool:
        """Fold one event in; False once the job is finished (stopped): the rest is dropped."""
        with self._lock:
            if self._finished.is_set():
                return False
            self.exchange.apply(event)
            if isinstance(event, Notice) and event.wait:
                self.wait_until = time.monotonic() + event.wait
            elif isinstance(event, TextDelta | ReasoningDelta):
                self.wait_until = None
            return True

    def fail(self, message: str) -> None:
        with self._lock:
            if not self._finished.is_set():
                self.exchange.failed = message

    def stop(self) -> None:
        """The person's Stop: keep the text so far, marked stopped (a no-op once finished)."""
        self.finish(stopped=True)

    def finish(self, *, stopped: bool = False) -> None:
        """Keep the exchange, once: whoever comes first (the worker at the end, or Stop)."""
        with self._lock:
            if self._finished.is_set():
                return
            exchange = self.exchange
            exchange.stopped = stopped and not exchange.done
            if exchange.stopped and exchange.citations is None and exchange.sources:
                exchange.citations = resolve(exchange.text, exchange.sources)  # what it cited
            exchange.done = True
            try:
                if self._keep is not None:
                    self._keep(self.exchange)
            except Exception:  # the database went away: the page still shows the answer
                log.exception("an answer could not be kept")
            finally:
                self._finished.set()


class Conversation:
    """The questions of one conversation, answered one after the other by one worker thread."""

    def __init__(self, keep: Keep, history: Sequence[Turn] = ()) -> None:
        self._keep = keep
        self._turns = list(history)
        self._jobs: list[AnswerJob] = []
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self.version = 0  # goes up each time a job finishes: the page reloads its history

    def submit(self, job: AnswerJob, history: Sequence[Turn] | None = None) -> None:
        """Answer `job` after the ones before it; `history` replaces the turns so far when the
        conversation is idle (the page knows the kept exchanges best)."""
        job._keep = self._kept
        with self._lock:
            if history is not None and not self._jobs:
                self._turns = list(history)
            self._jobs.append(job)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="answer", daemon=True)
                self._worker.start()

    def _kept(self, exchange: Exchange) -> None:
        try:
            self._keep(exchange)
        finally:
            with self._lock:
                self.version += 1

    def jobs(self) -> list[AnswerJob]:
        """The jobs not yet finished: the running one first, then the queued ones."""
        with self._lock:
            return [job for job in self._jobs if not job.finished]

    @property
    def idle(self) -> bool:
        return not self.jobs()

    def find(self, job_id: int) -> AnswerJob | None:
        return next((job for job in self.jobs() if job.id == job_id), None)

    def _next(self) -> AnswerJob | None:
        with self._lock:
            self._jobs = [job for job in self._jobs if not job.finished]
            for job in self._jobs:
                if job.started is None:
                    job.started = time.monotonic()
                    return job
            self._jobs = []
            self._worker = None
            return None

    def _work(self) -> None:
        while (job := self._next()) is not None:
            self._run(job)
            with self._lock:
                exchange = job.exchange
                if exchange.text and not exchange.failed:
                    self._turns.append(exchange.turn())

    def _run(self, job: AnswerJob) -> None:
        events: Iterator[AnswerEvent] | None = None
        try:
            events = job.ask(list(self._turns))
            for event in events:
                if not job.apply(event):
                    break  # stopped: the rest of the stream is not wanted
        except RagError as error:
            job.fail(str(error))
        except Exception as error:  # a worker's top: one line for the person, details in the log
            log.exception("answering failed")
            job.fail(job.failed_text(type(error).__name__))
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()
            job.finish()


class Conversations:
    """The conversations being answered in this process, by (store, user, thread)."""

    def __init__(self) -> None:
        self._open: dict[tuple[int, str | None, str], Conversation] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str | None, str]) -> Conversation | None:
        with self._lock:
            return self._open.get(key)

    def open(
        self, key: tuple[int, str | None, str], make: Callable[[], Conversation]
    ) -> Conversation:
        with self._lock:
            for stale in [k for k, c in self._open.items() if c.idle and k != key]:
                del self._open[stale]  # finished ones are in the database now
            conversation = self._open.get(key)
            if conversation is None:
                conversation = self._open[key] = make()
            return conversation
