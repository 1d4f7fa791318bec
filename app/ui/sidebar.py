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
from app.ui.markdown import md_escape
from app.ui.state import HISTORY_KEY
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
    with st.popover("New collection", icon=":material/add:", use_container_width=True):
        name = st.text_input("Name", placeholder="e.g. contracts", key="rag_new_collection")
        if not st.button("Create", key="rag_create_collection"):
            return
        if not valid_collection_name(name):
            st.error(md_escape(f"Use {RULE}."))
            return
        if not viewer.may_read(name):
            st.error(f"The access lists would hide {name!r} from you; ask an administrator.")
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
    if services.client is None or settings.resolved_backend is not Backend.REMOTE:
        st.caption("Answers: extractive, offline (no chat model)")
        return None
    try:
        options = chat_models(services.client.models(), settings.chat_model)
    except RagError as error:
        st.caption(f"Could not list the models: {md_escape(str(error))}")
        options = [settings.chat_model]
    choice: str = st.selectbox("Chat model", options, key=MODEL_KEY)
    st.caption(f"Embeddings: {services.embedder.model}")
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
    with st.sidebar:
        st.subheader("Documents")
        _access_notices(services, viewer)
        names = _collections(services, viewer)
        if not names:
            st.warning("You may not read any collection. Ask an administrator for access.")
            return None
        pending = st.session_state.pop(_PENDING_KEY, None)
        if pending in names:
            st.session_state[COLLECTION_KEY] = pending
        if st.session_state.get(COLLECTION_KEY) not in names:
            st.session_state[COLLECTION_KEY] = names[0]
        collection: str = st.selectbox("Collection", names, key=COLLECTION_KEY)
        try:
            count = services.store.count(collection) if services.store.exists(collection) else 0
            st.caption(f"{count} chunk{'s' if count != 1 else ''} indexed")
        except RagError:
            pass
        sources = _document_scope(services, collection)
        _create_collection(services, viewer)
        render_upload(services, viewer, collection)

        st.subheader("Answering")
        model = _chat_model(services)
        modes = [m.value for m in RetrievalMode]
        mode = st.selectbox(
            "Retrieval", modes, index=modes.index(settings.retrieval_mode.value), key="rag_mode"
        )
        top_k = st.slider("Passages to retrieve", 1, 20, min(settings.top_k, 20), key="rag_top_k")
        show_query = st.toggle("Show the search query", key="rag_show_query")
        if st.button("New conversation", icon=":material/refresh:"):
            st.session_state[HISTORY_KEY] = []
            st.rerun()
        if user is not None:
            st.divider()
            st.caption(f"Signed in as **{user}**")
            st.button("Sign out", on_click=sign_out, key="rag_sign_out")
    chat_model = model if model and model != settings.chat_model else None
    return AskOptions(
        collection, RetrievalMode(mode), int(top_k), chat_model, bool(show_query), sources
    )
