"""Kept conversations in the page: the sidebar's thread list (new, open, rename, delete, search,
export), saving each finished exchange, reopening a thread after a reload or a restart, and the
actions under each answer (copy, regenerate, thumbs up/down with a comment).

The database (`services.threads`) holds the state; the session only mirrors the open thread, and
the URL carries its id (`?thread=…`), so a reload reopens it. Without a database (tests that build
Services by hand) the page keeps the conversation in the session, as before.
"""

from __future__ import annotations

import logging
import re

import streamlit as st

from app.container import Services
from app.ui.markdown import md_escape
from app.ui.state import HISTORY_KEY, Exchange
from app.ui.strings import ui_text
from core.errors import RagError, ThreadNotFoundError
from rag.events import Citations
from threads import Feedback, Message, NewMessage, ThreadStore
from threads.export import thread_markdown

log = logging.getLogger(__name__)

THREAD_PARAM = "thread"  # the URL query parameter with the open thread's id
CURRENT_KEY = "rag_thread_current"  # the open thread, as the session knows it
LOADED_KEY = "rag_thread_loaded"  # (user, thread id) the session's history was loaded from
REGENERATE_KEY = "rag_regenerate"  # a question to ask again on this run
SEARCH_KEY = "rag_thread_search"
LIST_LIMIT = 50
_THUMBS = {0: Feedback.DOWN, 1: Feedback.UP}  # st.feedback("thumbs") indices


def current_thread() -> str | None:
    """The open thread: the URL's, else the session's (a rerun the browser sent before it saw
    the new URL carries the old query string, which would otherwise drop the thread)."""
    value = st.query_params.get(THREAD_PARAM) or st.session_state.get(CURRENT_KEY)
    return str(value) if value else None


def _set_current(thread_id: str | None, user: str | None) -> None:
    st.session_state[CURRENT_KEY] = thread_id
    if thread_id is None:
        st.query_params.pop(THREAD_PARAM, None)
    else:
        st.query_params[THREAD_PARAM] = thread_id
    st.session_state[LOADED_KEY] = (user, thread_id)


def exchange_from(message: Message) -> Exchange:
    content = message.content
    citations = (
        Citations(content.citations, content.dropped, content.uncited)
        if content.citations or content.dropped or content.uncited
        else None
    )
    return Exchange(
        question=content.question,
        collection=content.collection,
        query=content.query,
        rewritten=content.rewritten,
        sources=content.sources,
        found=content.found,
        text=content.answer,
        reasoning=content.reasoning,
        notices=list(content.notices),
        citations=citations,
        failed=content.failed,
        stopped=content.stopped,
        done=True,
        message_id=message.id,
        feedback=message.feedback.value if message.feedback else None,
        feedback_comment=message.feedback_comment,
    )


def message_from(exchange: Exchange) -> NewMessage:
    resolved = exchange.citations
    return NewMessage(
        question=exchange.question,
        answer=exchange.text,
        collection=exchange.collection,
        query=exchange.query,
        rewritten=exchange.rewritten,
        reasoning=exchange.reasoning,
        notices=tuple(exchange.notices),
        sources=exchange.sources,
        found=exchange.found,
        citations=resolved.citations if resolved else (),
        dropped=resolved.dropped if resolved else (),
        uncited=resolved.uncited if resolved else False,
        failed=exchange.failed,
        stopped=exchange.stopped,
    )


def sync_thread(services: Services, user: str | None) -> None:
    """Make the session's history the thread the URL names (after a reload, a restart, a click)."""
    store = services.threads
    if store is None:
        return
    wanted = current_thread()
    if wanted is not None and st.query_params.get(THREAD_PARAM) != wanted:
        st.query_params[THREAD_PARAM] = wanted  # the URL lost it: put it back
    if st.session_state.get(LOADED_KEY) == (user, wanted):  # a sign-in as someone else reloads
        return
    if wanted is None:
        st.session_state[HISTORY_KEY] = []
        st.session_state[LOADED_KEY] = (user, None)
        return
    try:
        conversation = store.load(wanted, user)
    except ThreadNotFoundError as error:
        st.warning(str(error))
        _set_current(None, user)
        st.session_state[HISTORY_KEY] = []
        return
    st.session_state[HISTORY_KEY] = [exchange_from(m) for m in conversation.messages]
    st.session_state[LOADED_KEY] = (user, wanted)


def open_new_thread(store: ThreadStore, user: str | None, question: str) -> str:
    """Create the thread a conversation's first question starts, and open it (the URL names it
    while its first answer is still being written)."""
    thread_id = store.create(user, question).id
    _set_current(thread_id, user)
    return thread_id


# --- the sidebar ------------------------------------------------------------------------------


def _open(thread_id: str | None) -> None:
    st.session_state[CURRENT_KEY] = thread_id
    st.query_params.pop(THREAD_PARAM, None)
    if thread_id is not None:
        st.query_params[THREAD_PARAM] = thread_id


def _rename(store: ThreadStore, user: str | None, thread_id: str) -> None:
    title = str(st.session_state.get(f"rag_rename_{thread_id}", "")).strip()
    if not title:
        return
    try:
        store.rename(thread_id, user, title)
    except RagError as error:
        st.session_state["rag_thread_error"] = str(error)


def _delete(store: ThreadStore, user: str | None, thread_id: str) -> None:
    try:
        store.delete(thread_id, user)
    except RagError as error:
        st.session_state["rag_thread_error"] = str(error)
        return
    if current_thread() == thread_id:
        _open(None)


def export_name(title: str) -> str:
    """A safe file name for a thread's Markdown export."""
    slug = re.sub(r"[^\w-]+", "-", title, flags=re.UNICODE).strip("-")[:60]
    return f"{slug or 'conversation'}.md"


def _current_actions(store: ThreadStore, user: str | None, thread_id: str) -> None:
    try:
        conversation = store.load(thread_id, user)
    except RagError:
        return
    title = conversation.thread.title
    t = ui_text()
    export, manage = st.columns(2)
    export.download_button(
        t("export"), icon=":material/download:", help=t("export_help"),
        data=thread_markdown(conversation), file_name=export_name(title),
        mime="text/markdown", key="rag_thread_export", width="stretch",
    )  # fmt: skip
    with manage.popover(t("edit"), icon=":material/edit:", width="stretch"):
        st.text_input(t("thread_title"), value=title, key=f"rag_rename_{thread_id}", max_chars=200)
        st.button(
            t("rename"), key="rag_thread_rename",
            on_click=_rename, args=(store, user, thread_id),
        )  # fmt: skip
        st.divider()
        st.caption(t("delete_thread_confirm"))
        st.button(
            t("delete"), key="rag_thread_delete", type="primary", icon=":material/delete:",
            on_click=_delete, args=(store, user, thread_id),
        )  # fmt: skip


def render_thread_list(services: Services, user: str | None) -> None:
    """The user's conversations in the sidebar; falls back to a reset button without a database."""
    store = services.threads
    t = ui_text()
    if store is None:
        if st.button(t("new_conversation"), icon=":material/refresh:"):
            st.session_state[HISTORY_KEY] = []
            st.rerun()
        return
    st.subheader(t("conversations"))
    st.button(
        t("new_conversation"), icon=":material/add:", key="rag_thread_new",
        on_click=_open, args=(None,), width="stretch",
    )  # fmt: skip
    problem = st.session_state.pop("rag_thread_error", None)
    if problem:
        st.error(problem)
    search = st.text_input(
        t("search_conversations"), key=SEARCH_KEY, placeholder=t("search_titles"),
        label_visibility="collapsed",
    )  # fmt: skip
    try:
        found = store.list(user, search=search, limit=LIST_LIMIT)
    except RagError as error:
        st.error(str(error))
        return
    current = current_thread()
    if not found:
        st.caption(t("no_conversation_matches") if search.strip() else t("no_conversations"))
    for thread in found:
        st.button(
            md_escape(thread.title), key=f"rag_thread_{thread.id}",
            type="primary" if thread.id == current else "tertiary",
            on_click=_open, args=(thread.id,), width="stretch",
        )  # fmt: skip
    if current is not None:
        _current_actions(store, user, current)


# --- under each answer ------------------------------------------------------------------------


def _regenerate(question: str) -> None:
    st.session_state[REGENERATE_KEY] = question


def take_regenerate() -> str | None:
    """The question a Regenerate click asked for, once."""
    value = st.session_state.pop(REGENERATE_KEY, None)
    return str(value) if value else None


def _store_feedback(services: Services, user: str | None, exchange: Exchange) -> None:
    store, thread_id = services.threads, current_thread()
    if store is None or thread_id is None or exchange.message_id is None:
        return
    thumbs = st.session_state.get(f"rag_fb_{exchange.message_id}")
    comment = str(st.session_state.get(f"rag_fb_note_{exchange.message_id}", "") or "")
    feedback = _THUMBS.get(thumbs) if isinstance(thumbs, int) else None
    try:
        store.set_feedback(thread_id, user, exchange.message_id, feedback, comment)
    except RagError as error:
        st.session_state["rag_thread_error"] = str(error)
        return
    exchange.feedback = feedback.value if feedback else None
    exchange.feedback_comment = comment.strip()


def render_answer_actions(services: Services, user: str | None, exchange: Exchange) -> None:
    """Copy, regenerate and feedback under one kept answer."""
    t = ui_text()
    if exchange.stopped:
        st.caption(t("stopped"))
    if exchange.message_id is None:
        return
    key = exchange.message_id
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        with st.popover(t("copy"), icon=":material/content_copy:", help=t("copy_help")):
            st.code(exchange.text or exchange.failed or "", language=None, wrap_lines=True)
        st.button(
            t("regenerate"), icon=":material/autorenew:", key=f"rag_again_{key}",
            help=t("regenerate_help"), on_click=_regenerate, args=(exchange.question,),
        )  # fmt: skip
        default = {Feedback.DOWN.value: 0, Feedback.UP.value: 1}.get(exchange.feedback or "")
        st.feedback(
            "thumbs", key=f"rag_fb_{key}", default=default,
            on_change=_store_feedback, args=(services, user, exchange),
        )  # fmt: skip
        with st.popover(t("comment"), icon=":material/comment:", help=t("comment_help")):
            st.text_input(
                t("comment"), value=exchange.feedback_comment, key=f"rag_fb_note_{key}",
                on_change=_store_feedback, args=(services, user, exchange),
            )  # fmt: skip
