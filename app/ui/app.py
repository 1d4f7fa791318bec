"""The page: sign-in, banner, sidebar, the conversation so far, and the question box.

Every error a person can cause or meet ends as one line on the page; a traceback never shows
(unexpected ones go to the server log), and the token never appears.
"""

from __future__ import annotations

import logging

import streamlit as st

from app.container import Services
from app.ui.auth import signed_in_user
from app.ui.markdown import md_escape
from app.ui.render import render_banner, render_exchange, render_question, stream_exchange
from app.ui.sidebar import AskOptions, render_sidebar
from app.ui.state import Exchange, get_services, history
from app.ui.strings import ui_text
from app.ui.threads import (
    keep_interrupted,
    render_answer_actions,
    save_exchange,
    sync_thread,
    take_regenerate,
)
from core.access import Viewer, viewer_for
from core.errors import RagError

log = logging.getLogger(__name__)

STYLE = """
<style>
.rag-snippet { font-size: 0.92rem; line-height: 1.5; color: var(--text-color); }
.rag-snippet mark { background: #ffe58a; color: #1f1f1f; padding: 0 2px; border-radius: 3px; }
</style>
"""


def ask(
    question: str, services: Services, viewer: Viewer, options: AskOptions, user: str | None
) -> None:
    exchanges = history()
    exchange = Exchange(question=question, collection=options.collection)
    render_question(question)
    events = services.answer(
        question,
        history=[e.turn() for e in exchanges if e.text and not e.failed],
        collection=options.collection,
        mode=options.mode,
        top_k=options.top_k,
        model=options.chat_model,
        viewer=viewer,
        sources=options.sources,
    )
    try:
        stream_exchange(events, exchange, services.settings, viewer, show_query=options.show_query)
    except RagError as error:
        exchange.failed = str(error)
        st.error(md_escape(exchange.failed))
    except Exception as error:  # the top of a callback: one line for the person, details in the log
        log.exception("answering failed")
        exchange.failed = ui_text()("answer_failed", error=type(error).__name__)
        st.error(exchange.failed)
    except BaseException:  # Streamlit ended the run (another question, a click): keep what came
        exchange.stopped = True
        exchanges.append(exchange)
        keep_interrupted(services, user, exchange)
        raise
    exchanges.append(exchange)
    save_exchange(services, user, exchange)
    render_answer_actions(services, user, exchange)


def _no_documents(services: Services, collection: str) -> bool:
    """True when the collection holds nothing yet (an unreachable store is not "empty")."""
    try:
        return not services.store.exists(collection) or services.store.count(collection) == 0
    except RagError:
        return False


def main() -> None:
    t = ui_text()
    st.set_page_config(page_title=t("title"), page_icon=":material/description:")
    st.markdown(STYLE, unsafe_allow_html=True)
    try:
        services = get_services()
    except RagError as error:  # e.g. a setting that does not validate: one line per problem
        st.error(str(error).replace("\n", "  \n"), icon=":material/error:")
        st.stop()
    settings = services.settings
    user = signed_in_user(settings)
    viewer = viewer_for(settings, user)

    st.title(t("title"))
    options = render_sidebar(services, viewer, user)
    render_banner(settings, options.chat_model if options else None)  # the model picked
    if options is None:
        st.stop()
    sync_thread(services, user)
    for exchange in history():
        render_exchange(exchange, settings, viewer, show_query=options.show_query)
        render_answer_actions(services, user, exchange)
    empty = _no_documents(services, options.collection)
    if empty:
        st.info(
            f"No documents in {options.collection} yet: add files under “Add files to” in the "
            "sidebar (or run `rag ingest`), then ask.",
            icon=":material/upload_file:",
        )
    placeholder = t("ask_placeholder", collection=options.collection)
    question = st.chat_input(placeholder, key="rag_question", disabled=empty)
    question = question or take_regenerate()
    if question and question.strip():
        ask(question.strip(), services, viewer, options, user)
