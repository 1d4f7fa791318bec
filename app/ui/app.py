"""The page: sign-in, banner, sidebar, the conversation so far, and the question box.

Every error a person can cause or meet ends as one line on the page; a traceback never shows
(unexpected ones go to the server log), and the token never appears.
"""

from __future__ import annotations

import logging

import streamlit as st

from app.container import Services
from app.ui.asking import draw_live, live_conversation, submit, sync_live
from app.ui.auth import signed_in_user
from app.ui.markdown import md_escape
from app.ui.render import render_banner, render_exchange
from app.ui.sidebar import render_sidebar
from app.ui.state import get_services, history
from app.ui.strings import ui_text
from app.ui.threads import render_answer_actions, sync_thread, take_regenerate
from core.access import viewer_for
from core.errors import RagError

log = logging.getLogger(__name__)

STYLE = """
<style>
.rag-snippet { font-size: 0.92rem; line-height: 1.5; color: var(--text-color); }
.rag-snippet mark { background: #ffe58a; color: #1f1f1f; padding: 0 2px; border-radius: 3px; }
.rag-source { scroll-margin-top: 4rem; }
div[data-testid="stVerticalBlock"]:has(> [data-testid="stElementContainer"] .rag-source:target) {
  outline: 2px solid #f0b400; outline-offset: 4px; border-radius: 0.5rem;
}
</style>
"""


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
    conversation = sync_live(services, user)
    empty = _no_documents(services, options.collection)
    placeholder = t("ask_placeholder", collection=options.collection)
    question = st.chat_input(placeholder, key="rag_question", disabled=empty)  # pinned below
    question = question or take_regenerate()
    if question and question.strip():  # answered in the background: a click cuts nothing
        try:
            submit(question.strip(), services, viewer, options, user)
        except RagError as error:  # the thread database is unreachable: one line, no answer
            st.error(t("not_asked", error=md_escape(str(error))), icon=":material/error:")
        conversation = live_conversation(services, user)
    for index, exchange in enumerate(history()):
        render_exchange(
            exchange, settings, viewer, show_query=options.show_query, exchange_key=str(index)
        )
        render_answer_actions(services, user, exchange)
    if empty:
        st.info(t("no_documents_yet", collection=options.collection), icon=":material/upload_file:")
    if conversation is not None:
        draw_live(conversation, services, show_query=options.show_query)
