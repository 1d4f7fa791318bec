"""The answer worker (`app.ui.live`): Stop keeps the partial text once, a question sent while an
answer streams waits and is answered after it with the earlier answer as history, failures end
as one line, and a rate-limit wait sets a deadline for the countdown. Real threads, gated
generators: no page, no sleeps longer than a failing test's timeout."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

from app.ui.live import AnswerJob, Conversation, Conversations
from app.ui.state import Exchange
from core.errors import APIError
from rag.events import AnswerEvent, Citations, Done, Notice, Query, Sources, TextDelta
from rag.prompt import Turn
from tests.fakes.chunks import scored

WAIT = 10.0  # seconds a test waits for the worker at most (it takes milliseconds)


class Gated:
    """A stream of answer events that pauses at `gate` until the test opens it."""

    def __init__(self, *pieces: str, pause_after: int = 1) -> None:
        self.pieces = pieces
        self.pause_after = pause_after
        self.gate = threading.Event()
        self.paused = threading.Event()
        self.closed = False
        self.histories: list[list[Turn]] = []

    def __call__(self, history: Sequence[Turn]) -> Iterator[AnswerEvent]:
        self.histories.append(list(history))
        return self._events()

    def _events(self) -> Iterator[AnswerEvent]:
        try:
            yield Query("q")
            yield Sources((scored("Thirty days of vacation.", score=0.9),))
            for index, piece in enumerate(self.pieces):
                if index == self.pause_after:
                    self.paused.set()
                    assert self.gate.wait(WAIT)
                yield TextDelta(piece)
            yield Citations(())
            yield Done()
        except GeneratorExit:
            self.closed = True
            raise


def _job(question: str, ask: Gated) -> AnswerJob:
    return AnswerJob(
        exchange=Exchange(question=question, collection="docs"),
        ask=ask,
        failed_text=lambda error: f"failed ({error})",
    )


def test_live_stop_keeps_the_partial_text_marked_stopped_once() -> None:
    kept: list[Exchange] = []
    stream = Gated("Thirty days [1] ", "of vacation [2].")
    job = _job("How many days?", stream)
    conversation = Conversation(kept.append)
    conversation.submit(job)
    assert stream.paused.wait(WAIT)
    assert job.running and conversation.jobs() == [job]
    job.stop()
    job.stop()  # a second click changes nothing
    assert job.finished and kept == [job.exchange]
    assert job.exchange.stopped and job.exchange.text == "Thirty days [1] "
    resolved = job.exchange.citations  # the sources it cited before the stop are kept
    assert resolved is not None and [c.number for c in resolved.citations] == [1]
    stream.gate.set()  # what the stream still sends is dropped, and the stream is closed
    for _ in range(100):
        if stream.closed:
            break
        threading.Event().wait(0.05)
    assert stream.closed
    assert job.exchange.text == "Thirty days [1] " and kept == [job.exchange]
    assert conversation.idle


def test_live_second_question_waits_and_is_answered_after_with_the_first_as_history() -> None:
    kept: list[Exchange] = []
    first_stream = Gated("Thirty days [1].", "")
    second_stream = Gated("Ten days [1].", pause_after=99)
    first, second = _job("How many days?", first_stream), _job("And part-time?", second_stream)
    conversation = Conversation(kept.append, history=[Turn("Earlier?", "Earlier answer.")])
    conversation.submit(first)
    assert first_stream.paused.wait(WAIT)
    conversation.submit(second, history=[])  # not idle: the history so far is not replaced
    assert conversation.jobs() == [first, second] and second.started is None
    first_stream.gate.set()
    assert second.wait(WAIT)
    assert [e.question for e in kept] == ["How many days?", "And part-time?"]
    assert not any(e.stopped or e.failed for e in kept)
    assert [t.question for t in second_stream.histories[0]] == ["Earlier?", "How many days?"]
    assert conversation.version == 2 and conversation.idle


def test_live_failure_is_one_line_and_the_exchange_is_kept() -> None:
    kept: list[Exchange] = []

    def broken(history: Sequence[Turn]) -> Iterator[AnswerEvent]:
        yield TextDelta("Partial ")
        raise APIError("the service answered 503")

    def crashing(history: Sequence[Turn]) -> Iterator[AnswerEvent]:
        raise ValueError("a bug")
        yield TextDelta("never")

    conversation = Conversation(kept.append)
    jobs = [
        AnswerJob(Exchange(question=q, collection="docs"), ask, lambda e: f"failed ({e})")
        for q, ask in (("one", broken), ("two", crashing))
    ]
    for job in jobs:
        conversation.submit(job)
    assert jobs[1].wait(WAIT)
    assert kept[0].text == "Partial " and "503" in (kept[0].failed or "")
    assert kept[1].failed == "failed (ValueError)" and not kept[1].stopped


def test_live_rate_limit_notice_sets_the_countdown_until_text_arrives() -> None:
    job = _job("q", Gated("x"))
    job.apply(Notice("waiting 5s for the rate limit", wait=5.0))
    assert job.wait_until is not None
    job.apply(TextDelta("Thirty"))
    assert job.wait_until is None
    assert job.exchange.notices == ["waiting 5s for the rate limit"]


def test_live_conversations_forget_idle_ones_when_another_opens() -> None:
    registry = Conversations()
    idle = registry.open((1, None, "a"), lambda: Conversation(lambda e: None))
    assert registry.get((1, None, "a")) is idle
    registry.open((1, None, "b"), lambda: Conversation(lambda e: None))
    assert registry.get((1, None, "a")) is None
    assert registry.open((1, None, "b"), lambda: Conversation(lambda e: None)) is registry.get(
        (1, None, "b")
    )


def test_wait_line_counts_down_a_retry_then_loading_then_searching() -> None:
    from app.ui.asking import wait_line
    from app.ui.strings import ui_messages

    job = _job("q", Gated("x"))
    english, german = ui_messages("en"), ui_messages("de")
    job.started = 100.0
    job.apply(Notice("waiting 5s for the rate limit", wait=4.2))
    deadline = job.wait_until
    assert deadline is not None
    assert wait_line(job, warmed=True, now=deadline - 4.2, t=english) == (
        "Waiting for the model service: trying again in 5 s…"
    )
    assert wait_line(job, warmed=True, now=deadline - 0.5, t=english).endswith("in 1 s…")
    assert wait_line(job, warmed=False, now=deadline + 1, t=german).startswith(
        "Das Offline-Modell wird geladen"
    )
    job.wait_until = None  # the wait is over
    assert wait_line(job, warmed=True, now=103.5, t=english) == "Searching your documents… 3 s"
    assert wait_line(job, warmed=True, now=100.2, t=english) == "Searching your documents…"
