"""The sidebar: which collection to ask (and creating one), uploads, which model, how to search.

Only the collections the viewer may read are offered (`core.access.Viewer.visible`); the answer
path, the page preview and the upload check again when they run. Admins also see the access
rules that name no existing collection.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app.container import Services
from app.ui.auth import sign_out
from app.ui.documents import render_documents_entry
from app.ui.markdown import md_escape
from app.ui.strings import ui_text
from app.ui.theme import render_theme_picker
from app.ui.threads import render_thread_list
from app.ui.upload_panel import render_upload
from core.access import Viewer
from core.errors import RagError
from core.names import RULE, valid_collection_name
from core.settings import Backend, RetrievalMode

COLLECTION_KEY = "rag_collection"
MODEL_KEY = "rag_chat_model"
_PENDING_KEY = "rag_collection_created"
# Model ids that are certainly not chat models, so the chat picker leaves them out.
_NOT_CHAT = ("embed", "rerank", "flux", "stable-diffusion", "whisper", "tts", "bge-", "e5-")


@dataclass(frozen=True, slots=True)
class AskOptions:
    collection: str
    mode: RetrievalMode
    top_k: int
    chat_model: str | None  # None: the configured model (or offline)
    show_query: bool
    sources: tuple[str, ...] = ()  # ask only these documents (empty: the whole collection)


def chat_models(available: list[str], configured: str) -> list[str]:
    """The chat-capable ids of the catalogue, the configured model first."""
    models = [m for m in available if not any(tag in m.lower() for tag in _NOT_CHAT)]
    return [configured, *[m for m in models if m != configured]]


def _collections(services: Services, viewer: Viewer) -> list[str]:
    try:
        names = services.store.collections()
    except RagError as error:
        st.error(md_escape(str(error)))
        names = []
    default = services.settings.collection
    if default not in names:
        names = [default, *names]
    return viewer.visible(names)


def _access_notices(services: Services, viewer: Viewer) -> None:
    if viewer.is_admin:
        for line in services.access_warnings():
            st.warning(md_escape(line), icon=":material/lock:")


def _create_collection(services: Services, viewer: Viewer) -> None:
    t = ui_text()
    with st.popover(t("new_collection"), icon=":material/add:", use_container_width=True):
        placeholder = t("new_collection_placeholder")
        name = st.text_input(t("name"), placeholder=placeholder, key="rag_new_collection")
        if not st.button(t("create"), key="rag_create_collection"):
            return
        if not valid_collection_name(name):
            st.error(md_escape(t("bad_collection_name", rule=RULE)))
            return
        if not viewer.may_read(name):
            st.error(t("collection_hidden", name=repr(name)))
            return
        try:
            embedder = services.embedder
            services.store.ensure_collection(name, dim=embedder.dim, model=embedder.model)
        except RagError as error:
            st.error(md_escape(str(error)))
            return
        st.session_state[_PENDING_KEY] = name  # the picker switches to it on the next run
        st.rerun()


def _chat_model(services: Services) -> str | None:
    settings = services.settings
    t = ui_text()
    if services.client is None or settings.resolved_backend is not Backend.REMOTE:
        st.caption(t("answers_offline"))
        return None
    try:
        options = chat_models(services.client.models(), settings.chat_model)
    except RagError as error:
        st.caption(t("models_unavailable", error=md_escape(str(error))))
        options = [settings.chat_model]
    choice: str = st.selectbox(t("chat_model"), options, key=MODEL_KEY)
    st.caption(t("embeddings", model=services.embedder.model))
    return choice


def _document_scope(services: Services, collection: str) -> tuple[str, ...]:
    """A multiselect of the collection's documents; nothing picked asks the whole collection."""
    try:
        names = services.documents(collection) if services.store.exists(collection) else []
    except RagError:
        names = []
    if not names:
        return ()
    key = f"rag_scope_{collection}"
    if any(name not in names for name in st.session_state.get(key, ())):
        st.session_state[key] = [n for n in st.session_state[key] if n in names]
    picked: list[str] = st.multiselect(
        "Ask only these documents",
        names,
        key=key,
        placeholder="All documents",
        help="Leave empty to ask the whole collection.",
    )
    return tuple(picked)


def render_sidebar(services: Services, viewer: Viewer, user: str | None) -> AskOptions | None:
    """Draw the sidebar and return what the next question should use (None: nothing readable)."""
    settings = services.settings
    t = ui_text()
    with st.sidebar:
        st.subheader(t("documents"))
        _access_notices(services, viewer)
        names = _collections(services, viewer)
        if not names:
            st.warning(t("no_readable_collection"))
            return None
        pending = st.session_state.pop(_PENDING_KEY, None)
        if pending in names:
            st.session_state[COLLECTION_KEY] = pending
        if st.session_state.get(COLLECTION_KEY) not in names:
            default = settings.collection  # RAG_COLLECTION, when the viewer may read it
            st.session_state[COLLECTION_KEY] = default if default in names else names[0]
        collection: str = st.selectbox(t("collection"), names, key=COLLECTION_KEY)
        try:
            count = services.store.count(collection) if services.store.exists(collection) else 0
            st.caption(t("chunks_indexed_one") if count == 1 else t("chunks_indexed", count=count))
        except RagError:
            pass
        sources = _document_scope(services, collection)
        _create_collection(services, viewer)
        render_upload(services, viewer, collection)
        render_documents_entry(services, viewer, collection)

        st.subheader(t("answering"))
        model = _chat_model(services)
        modes = [m.value for m in RetrievalMode]
        mode = st.selectbox(
            t("retrieval"), modes, index=modes.index(settings.retrieval_mode.value), key="rag_mode"
        )
        top_k = st.slider(t("passages"), 1, 20, min(settings.top_k, 20), key="rag_top_k")
        show_query = st.toggle(t("show_query"), key="rag_show_query")
        render_thread_list(services, user)
        render_theme_picker()
        if user is not None:
            st.divider()
            st.caption(t("signed_in_as", user=user))
            st.button(t("sign_out"), on_click=sign_out, key="rag_sign_out")
    chat_model = model if model and model != settings.chat_model else None
    return AskOptions(
        collection, RetrievalMode(mode), int(top_k), chat_model, bool(show_query), sources
    )
