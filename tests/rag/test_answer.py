from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from app.container import Services
from core.access import Viewer
from core.errors import AuthenticationError, RateLimitError, StoreError
from core.ports import RateLimitWait
from core.records import ScoredChunk
from core.settings import Backend, RetrievalMode, Settings
from rag.events import Citations, Done, Failed, Notice, Query, Sources, TextDelta, fold
from rag.prompt import NOT_FOUND_ANSWER, Turn
from store.qdrant import QdrantStore
from tests.conftest import NO_FLOOR, bm25
from tests.fakes.chat import FakeChat
from tests.fakes.chunks import chunk, scored
from tests.fakes.embedder import HashEmbedder

OPERATOR = Viewer.as_operator()

HANDBOOK = scored(
    "Full-time employees receive 25 days of paid vacation per year. Unused days expire in March.",
    score=0.9,
    page=3,
)
FAQ = scored(
    "Contractors are not entitled to paid vacation. Beacon syncs every hour.",
    score=0.7,
    source="faq.md",
    page=None,
)


class Retriever:
    """Returns canned hits and records the queries it was asked."""

    def __init__(
        self, hits: Sequence[ScoredChunk] = (HANDBOOK, FAQ), error: Exception | None = None
    ):
        self.hits = list(hits)
        self.error = error
        self.calls: list[dict[str, Any]] = []

    def check(self, collection: str, mode: RetrievalMode) -> None:
        pass

    def search(self, query: str, **kwargs: Any) -> list[ScoredChunk]:
        self.calls.append({"query": query, **kwargs})
        if self.error:
            raise self.error
        return self.hits


def services(
    chat: FakeChat | None = None, retriever: Retriever | None = None, **settings: Any
) -> Services:
    settings = {"min_score": NO_FLOOR, **settings}
    return Services(
        settings=Settings(_env_file=None, backend=Backend.LOCAL, **settings),  # type: ignore[call-arg]
        store=QdrantStore.local(),
        embedder=HashEmbedder(),
        chat=chat,
        retriever=retriever,
    )


def test_answer_stream_offline_event_order_and_citations() -> None:
    events = list(
        services(retriever=Retriever()).answer("How many vacation days?", viewer=OPERATOR)
    )
    kinds = [type(e) for e in events]
    assert kinds[0] is Query and kinds[1] is Sources
    assert kinds[-2:] == [Citations, Done]
    assert set(kinds[2:-2]) == {TextDelta}
    folded = fold(events)
    assert "25 days of paid vacation" in folded.text
    assert folded.citations.citations[0].chunk == HANDBOOK.chunk


def test_answer_stream_chat_gets_sources_in_system_message() -> None:
    chat = FakeChat(reply="Employees get 25 days [1]. Contractors get none [2].")
    folded = fold(services(chat, retriever=Retriever()).answer("vacation?", viewer=OPERATOR))
    system = str(chat.streams[0][0]["content"])
    assert "[1] handbook.pdf, page 3" in system and "[2] faq.md" in system
    assert folded.text == "Employees get 25 days [1]. Contractors get none [2]."
    assert [c.number for c in folded.citations.citations] == [1, 2]


def test_answer_stream_below_threshold_answers_not_found_without_model() -> None:
    chat = FakeChat(reply="should never be asked")
    hits = [scored("irrelevant", score=0.1)]
    events = list(
        services(chat, min_score=0.5, retriever=Retriever(hits)).answer("x?", viewer=OPERATOR)
    )
    folded = fold(events)
    assert folded.found is False and folded.sources == ()
    assert folded.text == NOT_FOUND_ANSWER
    assert folded.citations.uncited is False
    assert chat.streams == []


def test_answer_stream_below_threshold_german_question_not_found_in_german() -> None:
    hits = [scored("irrelevant", score=0.1)]
    question = "Wie hoch ist die Hundesteuer in Berlin?"
    answer = services(None, min_score=0.5, retriever=Retriever(hits)).answer
    folded = fold(answer(question, viewer=OPERATOR))
    assert folded.found is False
    assert folded.text == "Dazu habe ich in Ihren Dokumenten nichts gefunden."


def test_answer_stream_offline_german_question_quotes_with_german_lead() -> None:
    hits = [scored("Vollzeitbeschäftigte erhalten 30 Urlaubstage pro Kalenderjahr.", score=0.9)]
    answer = services(None, retriever=Retriever(hits)).answer
    folded = fold(answer("Wie viele Urlaubstage?", viewer=OPERATOR))
    assert folded.text.startswith("Zitiert aus Ihren Dokumenten")
    assert "30 Urlaubstage pro Kalenderjahr [1]." in folded.text


def test_answer_stream_invalid_markers_dropped_and_uncited_flagged() -> None:
    chat = FakeChat(reply="Everyone gets a pony [7].")
    folded = fold(services(chat, retriever=Retriever()).answer("pony?", viewer=OPERATOR))
    assert folded.citations.dropped == (7,)
    assert folded.citations.uncited is True


def test_answer_stream_mid_stream_error_keeps_partial_text_and_fails() -> None:
    error = AuthenticationError("token invalid or expired", operation="chat", status=401)
    chat = FakeChat(
        reply="Employees get 25 days [1]. And more text here.", fail_after=5, error=error
    )
    events = list(services(chat, retriever=Retriever()).answer("q", viewer=OPERATOR))
    folded = fold(events)
    assert folded.text == "Employees get 25 days [1]. "
    assert "token invalid or expired" in folded.failed
    assert [c.number for c in folded.citations.citations] == [1]
    assert isinstance(events[-2], Failed) and isinstance(events[-1], Done)


def test_answer_stream_rate_limit_wait_becomes_notice() -> None:
    chat = FakeChat(reply="Yes [1].", script=[RateLimitWait(2.2)])
    folded = fold(services(chat, retriever=Retriever()).answer("q", viewer=OPERATOR))
    assert folded.notices == ["waiting 3s for the rate limit"]
    assert folded.text == "Yes [1]."


def test_answer_stream_notices_and_failures_speak_the_questions_language() -> None:
    waits = [RateLimitWait(2.2), RateLimitWait(1.0, retry="chat: 503")]
    chat = FakeChat(reply="Ja [1].", script=waits)
    question = "Wie viele Urlaubstage bekommen Vollzeitbeschäftigte pro Jahr?"
    folded = fold(services(chat, retriever=Retriever()).answer(question, viewer=OPERATOR))
    assert folded.notices == [
        "warte 3 s auf das Anfragelimit",
        "chat: 503; neuer Versuch in 1 s",
    ]
    error = AuthenticationError("token invalid or expired", operation="chat", status=401)
    broken = FakeChat(reply="Ja [1].", fail_after=0, error=error)
    failed = fold(services(broken, retriever=Retriever()).answer(question, viewer=OPERATOR))
    assert failed.failed.startswith("Keine Antwort: chat: token invalid or expired")


def test_answer_stream_rate_limit_error_fails_visibly() -> None:
    error = RateLimitError("rate limit", operation="chat", status=429, retry_after=30)
    chat = FakeChat(reply="Yes [1].", fail_after=0, error=error)
    folded = fold(services(chat, retriever=Retriever()).answer("q", viewer=OPERATOR))
    assert folded.text == ""
    assert "HTTP 429" in folded.failed


def test_answer_stream_reasoning_kept_out_of_answer() -> None:
    chat = FakeChat(reply="<think>inline musing</think>Answer [1].", reasoning="separate musing")
    folded = fold(services(chat, retriever=Retriever()).answer("q", viewer=OPERATOR))
    assert folded.text == "Answer [1]."
    assert "separate musing" in folded.reasoning and "inline musing" in folded.reasoning


def test_answer_stream_follow_up_rewritten_before_retrieval() -> None:
    retriever = Retriever()
    history = [Turn("How many vacation days do employees get?", "25 [1].")]
    events = list(
        services(retriever=retriever).answer("And contractors?", history=history, viewer=OPERATOR)
    )
    query = events[0]
    assert isinstance(query, Query) and query.rewritten
    assert retriever.calls[0]["query"] == query.text
    assert "vacation days" in query.text and "contractors" in query.text


def test_answer_stream_german_follow_up_rewritten_with_the_history() -> None:
    retriever = Retriever()
    history = [Turn("Wie viele Urlaubstage bekommen Vollzeitbeschäftigte?", "25 Tage [1].")]
    events = list(
        services(retriever=retriever).answer(
            "Und wie viele für Teilzeit?", history=history, viewer=OPERATOR
        )
    )
    query = events[0]
    assert isinstance(query, Query) and query.rewritten
    assert "Urlaubstage" in retriever.calls[0]["query"] and "Teilzeit" in query.text


def test_answer_stream_rate_limit_wait_notice_carries_its_seconds() -> None:
    chat = FakeChat(reply="Yes [1].", script=[RateLimitWait(2.2)])
    notices = [
        e
        for e in services(chat, retriever=Retriever()).answer("q", viewer=OPERATOR)
        if isinstance(e, Notice)
    ]
    assert [n.wait for n in notices] == [2.2]


def test_answer_stream_model_rewrite_failure_notices_and_uses_heuristic() -> None:
    chat = FakeChat(
        reply="ok [1].", fail_after=0, error=RateLimitError("x", operation="c", status=429)
    )
    history = [Turn("How many vacation days do employees get?", "25 [1].")]
    events = list(
        services(chat, retriever=Retriever()).answer(
            "And contractors?", history=history, viewer=OPERATOR
        )
    )
    assert any(isinstance(e, Notice) and "rewrite" in e.message for e in events)
    assert "vacation days" in events[1].text  # type: ignore[union-attr]


def test_answer_stream_retrieval_error_fails_before_sources() -> None:
    retriever = Retriever(error=StoreError("store unreachable"))
    events = list(services(retriever=retriever).answer("q", viewer=OPERATOR))
    assert [type(e) for e in events] == [Query, Failed, Done]


def test_answer_stream_viewer_without_access_never_retrieves() -> None:
    retriever = Retriever()
    viewer = Viewer("bob", {"hr": ["alice"]})
    events = list(services(retriever=retriever).answer("q", collection="hr", viewer=viewer))
    assert isinstance(events[0], Failed) and "hr" in events[0].message
    assert retriever.calls == []


def test_answer_stream_passes_collection_mode_and_top_k() -> None:
    retriever = Retriever()
    svc = services(retriever=retriever)
    list(svc.answer("q", collection="c2", mode=RetrievalMode.DENSE, top_k=3, viewer=OPERATOR))
    call = retriever.calls[0]
    assert (call["collection"], call["mode"], call["top_k"]) == ("c2", RetrievalMode.DENSE, 3)


@pytest.mark.parametrize("mode", list(RetrievalMode))
def test_answer_stream_real_retrieval_on_memory_qdrant_cites_chunk(mode: RetrievalMode) -> None:
    svc = services()
    texts = [
        "Full-time employees receive 25 days of paid vacation per year.",
        "The Beacon app synchronises devices every hour over TLS.",
    ]
    chunks = [chunk(t, position=i) for i, t in enumerate(texts)]
    svc.store.ensure_collection("docs", dim=svc.embedder.dim, model=svc.embedder.model)
    svc.store.upsert_chunks("docs", chunks, svc.embedder.embed_documents(texts), bm25(chunks))

    folded = fold(svc.answer("paid vacation days", mode=mode, viewer=OPERATOR))
    assert "25 days of paid vacation per year [1]." in folded.text
    assert folded.citations.citations[0].chunk.id == chunks[0].id


def test_answer_stream_failure_before_any_text_says_no_answer() -> None:
    error = AuthenticationError("token invalid or expired", operation="chat", status=401)
    chat = FakeChat(reply="Yes [1].", fail_after=0, error=error)
    folded = fold(services(chat, retriever=Retriever()).answer("q", viewer=OPERATOR))
    assert folded.failed.startswith("No answer: chat: token invalid or expired")


def test_answer_stream_collection_of_another_embedding_model_fails_clearly() -> None:
    svc = services()
    svc.store.ensure_collection("docs", dim=64, model="other-model")
    events = list(svc.answer("q", viewer=OPERATOR))
    assert isinstance(events[0], Failed) and "indexed with other-model" in events[0].message
    sparse = fold(svc.answer("vacation", mode=RetrievalMode.SPARSE, viewer=OPERATOR))  # fmt: skip
    assert sparse.failed is None


def test_answer_stream_connection_retry_is_a_visible_notice() -> None:
    retry = RateLimitWait(2.2, retry="chat: cannot reach http://hub.test/v1 (ConnectError)")
    chat = FakeChat(reply="Yes [1].", script=[retry])
    events = list(services(chat, retriever=Retriever()).answer("q", viewer=OPERATOR))
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert notices == ["chat: cannot reach http://hub.test/v1 (ConnectError); retrying in 3s"]
