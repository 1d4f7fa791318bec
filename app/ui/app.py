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
from core.access import Viewer, viewer_for
from core.errors import RagError

log = logging.getLogger(__name__)

STYLE = """
<style>
.rag-snippet { font-size: 0.92rem; line-height: 1.5; color: var(--text-color); }
.rag-snippet mark { background: #ffe58a; color: #1f1f1f; padding: 0 2px; border-radius: 3px; }
</style>
"""


def ask(question: str, services: Services, viewer: Viewer, options: AskOptions) -> None:
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
        exchange.failed = f"Something went wrong while answering ({type(error).__name__})."
        st.error(exchange.failed)
    exchanges.append(exchange)


def main() -> None:
    st.set_page_config(page_title="Ask your documents", page_icon=":material/description:")
    st.markdown(STYLE, unsafe_allow_html=True)
    try:
        services = get_services()
    except RagError as error:  # e.g. a setting that does not validate: one line per problem
        st.error(str(error).replace("\n", "  \n"), icon=":material/error:")
        st.stop()
    settings = services.settings
    user = signed_in_user(settings)
    viewer = viewer_for(settings, user)

    st.title("Ask your documents")
    render_banner(settings)
    options = render_sidebar(services, viewer, user)
    if options is None:
        st.stop()
    for exchange in history():
        render_exchange(exchange, settings, viewer, show_query=options.show_query)
    question = st.chat_input(
        f"Ask about the documents in {options.collection}…", key="rag_question"
    )
    if question and question.strip():
        ask(question.strip(), services, viewer, options)
