"""Asking on the page: a question (from the box or Regenerate) becomes a job of the open
conversation (`app.ui.live`), answered in a worker thread; the page draws the running answer as
it streams, with a Stop button and a line that says what it waits for (the models loading, the
search, a rate limit with its countdown), and the questions queued behind it. When an answer
finishes, the page reloads the conversation as the database keeps it.

With a thread database the conversation is the open thread's (one per process, so a reload
finds it still being answered); the thread is created when its first question is sent, so the
URL names it from the start. Without a database (tests that build Services by hand) the
conversation belongs to the browser session and finished exchanges go to its history.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence

import streamlit as st

from app.container import Services
from app.ui.live import AnswerJob, Conversation, Conversations, Keep
from app.ui.markdown import answer_markdown
from app.ui.render import CURSOR, head_lines, render_question, show_reasoning
from app.ui.sidebar import AskOptions
from app.ui.state import Exchange, history
from app.ui.strings import ui_text
from app.ui.threads import LOADED_KEY, current_thread, message_from, open_new_thread, sync_thread
from core.access import Viewer
from core.errors import ThreadNotFoundError
from core.i18n import Messages
from rag.events import AnswerEvent
from rag.prompt import Turn
from threads import ThreadStore

SESSION_KEY = "rag_live"  # without a database: this session's conversation
SEEN_KEY = "rag_live_seen"  # (conversation, version) the session's history reflects
TICK = 0.25  # seconds between redraws of a streaming answer


@st.cache_resource
def _process_conversations() -> Conversations:
    return Conversations()


def _key(services: Services, user: str | None, thread_id: str) -> tuple[int, str | None, str]:
    return id(services.threads), user, thread_id


def _keeper(services: Services, user: str | None, thread_id: str) -> Keep:
    """Saves a finished exchange into the thread (a new one, if it was deleted meanwhile)."""
    store = services.threads
    assert store is not None
    target = [thread_id]

    def keep(exchange: Exchange) -> None:
        try:
            saved = store.append(target[0], user, message_from(exchange))
        except ThreadNotFoundError:
            target[0] = store.create(user, exchange.question).id
            saved = store.append(target[0], user, message_from(exchange))
        exchange.message_id = saved.id

    return keep


def live_conversation(services: Services, user: str | None) -> Conversation | None:
    """The conversation being answered for the open thread (or this session), if any."""
    if services.threads is None:
        found = st.session_state.get(SESSION_KEY)
        return found if isinstance(found, Conversation) else None
    thread_id = current_thread()
    if thread_id is None:
        return None
    return _process_conversations().get(_key(services, user, thread_id))


def sync_live(services: Services, user: str | None) -> Conversation | None:
    """After `sync_thread`: reload the thread when an answer finished since this session last
    looked (a rerun, a reload, another tab); the conversation being answered, if any."""
    conversation = live_conversation(services, user)
    if conversation is None:
        return None
    seen = (id(conversation), conversation.version)
    if services.threads is not None and st.session_state.get(SEEN_KEY) != seen:
        st.session_state[LOADED_KEY] = None  # without a database the worker appends to history
        sync_thread(services, user)
    st.session_state[SEEN_KEY] = seen
    return conversation


def _turns(exchanges: Sequence[Exchange]) -> list[Turn]:
    return [e.turn() for e in exchanges if e.text and not e.failed]


def _open_thread(store: ThreadStore, user: str | None) -> str | None:
    """The open thread, if it still exists (another tab may have deleted it)."""
    thread_id = current_thread()
    if thread_id is None:
        return None
    try:
        store.get(thread_id, user)
    except ThreadNotFoundError:
        return None
    return thread_id


def submit(
    question: str, services: Services, viewer: Viewer, options: AskOptions, user: str | None
) -> None:
    """Queue `question` in the open conversation (starting it, and its thread, if need be)."""
    t = ui_text()

    def ask(turns: Sequence[Turn]) -> Iterator[AnswerEvent]:
        return services.answer(
            question,
            history=turns,
            collection=options.collection,
            mode=options.mode,
            top_k=options.top_k,
            model=options.chat_model,
            viewer=viewer,
            sources=options.sources,
        )

    job = AnswerJob(
        exchange=Exchange(question=question, collection=options.collection),
        ask=ask,
        failed_text=lambda error: t("answer_failed", error=error),
    )
    exchanges = history()
    if services.threads is None:
        conversation = st.session_state.get(SESSION_KEY)
        if not isinstance(conversation, Conversation):
            conversation = st.session_state[SESSION_KEY] = Conversation(exchanges.append)
        conversation.submit(job, _turns(exchanges))
        return
    thread_id = _open_thread(services.threads, user)
    created = thread_id is None
    if thread_id is None:
        thread_id = open_new_thread(services.threads, user, question)
    conversation = _process_conversations().open(
        _key(services, user, thread_id), lambda: Conversation(_keeper(services, user, thread_id))
    )
    conversation.submit(job, _turns(exchanges))
    if created:
        st.rerun()  # the sidebar, drawn before the thread existed, lists and selects it now


def wait_line(job: AnswerJob, *, warmed: bool, now: float, t: Messages) -> str:
    """What the running answer waits for, counted in seconds (shown until its text arrives):
    a rate-limit wait or retry (counting down), the models still loading, or the search."""
    if job.wait_until is not None and job.wait_until > now:
        return t("waiting_retry", seconds=math.ceil(job.wait_until - now))
    if not warmed:
        return t("loading_models")
    elapsed = int(now - (job.started or now))
    return t("searching_for", seconds=elapsed) if elapsed else t("searching")


def _stop_if_clicked(key: str, job: AnswerJob) -> None:
    """The Stop button's callback. Streamlit also calls it when the button first appeared in a
    run that a rerun cut short (no old value to compare with), so the click itself is checked."""
    if st.session_state.get(key) is True:
        job.stop()


def draw_live(conversation: Conversation, services: Services, *, show_query: bool) -> None:
    """Draw the answer being written until it finishes (then rerun: the page shows it as kept),
    and the questions waiting behind it."""
    jobs = conversation.jobs()
    version = conversation.version
    if not jobs:  # it finished while the page was drawn: draw it again, as kept
        if st.session_state.get(SEEN_KEY) != (id(conversation), version):
            st.rerun()
        return
    running, queued = jobs[0], jobs[1:]
    t = ui_text()
    exchange = running.exchange
    render_question(exchange.question)
    with st.chat_message("assistant"):
        head_slot, reasoning_slot, body_slot, status_slot = (st.empty() for _ in range(4))
        key = f"rag_stop_{running.id}"
        st.button(
            t("stop"), key=key, icon=":material/stop_circle:", help=t("stop_help"),
            on_click=_stop_if_clicked, args=(key, running),
        )  # fmt: skip
    for job in queued:
        render_question(job.exchange.question)
        with st.chat_message("assistant"):
            st.caption(t("queued"))
    drawn: tuple[object, ...] = ()
    while True:
        state = (exchange.query, len(exchange.notices), len(exchange.reasoning), exchange.text)
        if state != drawn:
            drawn = state
            head_slot.markdown(head_lines(exchange, show_query))
            if exchange.reasoning:
                with reasoning_slot.container():
                    show_reasoning(exchange)
            if exchange.text:
                body_slot.markdown(answer_markdown(exchange.text) + CURSOR)
        waiting = not exchange.text or running.wait_until is not None
        line = wait_line(running, warmed=services.warmed.is_set(), now=time.monotonic(), t=t)
        status_slot.markdown(f":gray[{line}]" if waiting else "")
        if running.finished or conversation.version != version:
            break
        running.wait(TICK)  # each redraw also lets a click (Stop, a new question) through
    if services.threads is not None:  # reload the thread, even if the finished conversation
        st.session_state[LOADED_KEY] = None  # is gone from the registry by the next run
    st.rerun()
