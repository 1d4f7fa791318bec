"""`answer_stream`: one question in, the typed answer events out.

    rewrite the follow-up -> retrieve -> relevance threshold -> Sources
      -> text deltas (chat model, or the offline extractive answerer) -> Citations -> Done

Below the threshold the answer is "not found" and no model is called. Errors after the sources
end the answer with `Failed`, keeping what streamed so far (and its citations). Reasoning that a
model sends, separately or inline as <think>, goes to `ReasoningDelta`, never into the answer. The
CLI and the Streamlit app render exactly these events.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from core.errors import RagError
from core.ports import ChatDelta, ChatModel, Embedder, RateLimitWait
from core.records import SearchFilter
from core.settings import RetrievalMode
from rag import citations as cite
from rag.events import (
    AnswerEvent,
    Citations,
    Done,
    Failed,
    Notice,
    Query,
    ReasoningDelta,
    Sources,
    TextDelta,
)
from rag.extractive import extractive_answer
from rag.prompt import Turn, build_messages, fit_sources
from rag.reasoning import ThinkSplitter
from rag.rewrite import heuristic_rewrite, standalone_query
from rag.wording import answer_language, answer_messages, not_found

if TYPE_CHECKING:
    from core.access import Viewer
    from rag.retriever import Retriever


def rate_limit_notice(seconds: float, retry: str = "", *, language: str = "en") -> Notice:
    """What a person sees while the client waits: the rate limit, or a retry and why."""
    say, wait = answer_messages(language), max(1, math.ceil(seconds))
    if retry:
        return Notice(say("retrying", reason=retry, seconds=wait), wait=seconds)
    return Notice(say("rate_limit_wait", seconds=wait), wait=seconds)


def _stream_chat(
    chat: ChatModel, messages: list[dict[str, object]], answer: list[str], language: str
) -> Iterator[AnswerEvent]:
    """Text and reasoning deltas from the model; appends the answer text to `answer`."""
    splitter = ThinkSplitter()

    def route(pieces: list[tuple[str, str]]) -> Iterator[AnswerEvent]:
        for kind, text in pieces:
            if kind == "reasoning":
                yield ReasoningDelta(text)
                continue
            if not "".join(answer).strip():  # no leading blank lines (e.g. after </think>)
                text = text.lstrip()
            if text:
                answer.append(text)
                yield TextDelta(text)

    for item in chat.stream_chat(messages):
        if isinstance(item, RateLimitWait):
            yield rate_limit_notice(item.seconds, item.retry, language=language)
            continue
        if isinstance(item, ChatDelta):
            if item.reasoning:
                yield ReasoningDelta(item.reasoning)
            if item.content:
                yield from route(splitter.feed(item.content))
    yield from route(splitter.flush())


def answer_stream(
    question: str,
    *,
    retriever: Retriever,
    chat: ChatModel | None,
    embedder: Embedder,
    collection: str,
    mode: RetrievalMode,
    top_k: int,
    min_score: float,
    viewer: Viewer,
    history: Sequence[Turn] = (),
    filters: SearchFilter | None = None,
    prefer: Sequence[str] = (),
) -> Iterator[AnswerEvent]:
    """Stream the answer to `question` as events (see `rag.events`).

    `chat` None means offline: the extractive answerer quotes the sources, ranking sentences with
    `embedder`. `viewer` is required and must be allowed to read the collection: access is
    checked here, where the query runs, not only in what the UI shows (the CLI passes
    `Viewer.as_operator()`, which reads everything and says so). Below `min_score` a source does
    not count as found. `filters` scopes the question (e.g. to some documents: `rag.scope`);
    sources, and so offline answers, come only from what it lets through. `prefer` names
    documents whose chunks come first unless one elsewhere is clearly more relevant
    (`rag.prefer`).
    """
    model = chat
    try:
        viewer.require(collection)
        retriever.check(collection, mode)
        language = answer_language(question)
        say = answer_messages(language)
        try:
            query = standalone_query(question, history, chat=model)
        except RagError as error:
            yield Notice(say("rewrite_failed", reason=error))
            query = heuristic_rewrite(question, history)
        yield Query(query, rewritten=query != question)
        hits = retriever.search(
            query, collection=collection, mode=mode, top_k=top_k, filters=filters, prefer=prefer
        )
    except RagError as error:
        yield Failed(str(error))
        yield Done()
        return

    relevant = [hit for hit in hits if hit.score >= min_score]
    sources = fit_sources(relevant) if model is not None else relevant
    yield Sources(tuple(sources), found=bool(sources))
    if not sources:
        yield TextDelta(not_found(language))
        yield Citations(())
        yield Done({"sources": 0})
        return

    answer: list[str] = []
    failure: str | None = None
    try:
        if model is None:
            focus = question if query != question else None  # a rewritten follow-up
            pieces = extractive_answer(
                query, sources, embedder=embedder, focus=focus, language=language
            )
            for piece in pieces:
                answer.append(piece)
                yield TextDelta(piece)
        else:
            messages = build_messages(question, sources, history=history)
            yield from _stream_chat(model, messages, answer, language)
    except RagError as error:
        started = any(piece.strip() for piece in answer)
        failure = say("stopped_early" if started else "no_answer", reason=error)

    text = "".join(answer)
    if failure is None and not text.strip():
        yield Notice(say("empty_answer"))
    resolved = cite.resolve(text, sources)
    yield resolved
    if failure is not None:
        yield Failed(failure)
    yield Done({"sources": len(sources), "cited": len(resolved.citations)})
