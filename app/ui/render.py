"""Drawing the conversation: the backend banner, each answer with its notices, reasoning
(collapsed), flags and the sources panel; and the same, live, while an answer streams.

Nothing from a document or a model may make the browser fetch or run anything. The answer keeps
its Markdown emphasis and lists, but `answer_markdown` escapes what would become an image, a
link target, raw HTML or LaTeX, so `![x](http://host/p.png)` is shown as text; every other
foreign string (file names, notices, errors, the search query) goes through `md_escape`;
snippets are escaped HTML (`app.ui.highlight`). The page preview is opened only after the
access check (`app.ui.pages.find_source_file`), and a preview that cannot be drawn says so in
one line, once per session.
"""

from __future__ import annotations

import html
from pathlib import Path

import streamlit as st

from app.ui.highlight import snippet_html
from app.ui.markdown import answer_markdown, md_escape, source_anchor
from app.ui.pages import (
    PagePreview,
    find_source_file,
    ocr_quote_boxes,
    page_preview,
    page_with_text,
)
from app.ui.state import Exchange, get_services
from app.ui.strings import ui_text
from core.access import Viewer
from core.errors import RagError
from core.records import Citation
from core.settings import Backend, Settings

_FAILED_KEY = "rag_preview_failures"  # previews whose failure was already shown this session
CURSOR = " ▍"


def render_banner(settings: Settings, chat_model: str | None = None) -> None:
    line = md_escape(settings.describe_backend(chat_model))  # a base URL is foreign text too
    if settings.resolved_backend is Backend.LOCAL:
        line = ui_text()("banner_offline", model=md_escape(get_services().embedder.model))
        st.info(line, icon=":material/cloud_off:")
    else:
        st.success(line, icon=":material/cloud_done:")


@st.cache_data(show_spinner=False, max_entries=64)
def _page_png(
    path: str, modified: float, page: int, quote: str, ocr_cache: str, doc_hash: str
) -> PagePreview:
    scanned = ocr_quote_boxes(Path(ocr_cache), doc_hash, page, quote)  # a scan: OCR's boxes
    return page_preview(Path(path), page, highlight=quote, crop=bool(quote), scanned=scanned)


@st.cache_data(show_spinner=False, max_entries=256)
def _quote_page(path: str, modified: float, first: int, last: int, quote: str) -> int | None:
    return page_with_text(Path(path), first, last, quote)


def _cited_page(
    settings: Settings, viewer: Viewer, citation: Citation, collection: str
) -> tuple[str, int] | None:
    """The PDF file and the page of the cited sentence (the chunk's first page if unsure);
    None when there is none, or the viewer may not read the collection."""
    chunk = citation.chunk
    if chunk.kind != "pdf" or chunk.page_start is None:
        return None
    try:
        found = find_source_file(settings, viewer, chunk.source, collection)
    except RagError:
        return None
    if found is None:
        return None
    path = str(found)
    page = chunk.page_start
    if citation.quote and chunk.page_end is not None and chunk.page_end > chunk.page_start:
        modified = Path(path).stat().st_mtime
        on = _quote_page(path, modified, chunk.page_start, chunk.page_end, citation.quote)
        page = on or page
    return path, page


def _once(problem: str, key: str) -> None:
    """Show a preview's failure once per session: not again on every rerun."""
    shown: set[str] = st.session_state.setdefault(_FAILED_KEY, set())
    if key not in shown:
        shown.add(key)
        st.caption(f":material/broken_image: {md_escape(problem)}")


def render_citation(
    settings: Settings, viewer: Viewer, citation: Citation, collection: str, anchor: str = ""
) -> None:
    chunk = citation.chunk
    with st.container(border=True):
        # the [n] links of the answer scroll here; the id is ours, the location escaped twice
        # (HTML, then Markdown), so no markup of the document's can form beside it
        target = f'<span class="rag-source" id="{anchor}"></span>' if anchor else ""
        location = md_escape(html.escape(chunk.location, quote=False))
        st.markdown(f"{target}**[{citation.number}]** {location}", unsafe_allow_html=True)
        st.markdown(
            f'<div class="rag-snippet">{snippet_html(chunk.text, citation.quote)}</div>',
            unsafe_allow_html=True,
        )
        cited = _cited_page(settings, viewer, citation, collection)
        if cited is None:
            return
        path, page = cited
        preview = _page_png(
            path, Path(path).stat().st_mtime, page, citation.quote, str(settings.ocr_cache),
            chunk.doc_hash,
        )  # fmt: skip
        if preview.png is None:
            _once(preview.problem, f"{path}:{page}")
            return
        image = preview.png
        t = ui_text()
        with st.expander(t("show_page", page=page), icon=":material/description:"):
            wording = "page_caption_around" if citation.quote else "page_caption"
            caption = t(wording, source=chunk.source, page=page)
            st.image(image, caption=caption, width="stretch")  # the expander's width, at most


def render_tail(
    exchange: Exchange, settings: Settings, viewer: Viewer, exchange_key: str | None = None
) -> None:
    """Everything under the answer text: failure, flags, the sources (with the ids its `[n]`
    links scroll to, given `exchange_key`)."""
    if exchange.failed:
        st.error(md_escape(exchange.failed), icon=":material/error:")
    resolved = exchange.citations
    if resolved is None:
        return
    t = ui_text()
    if resolved.uncited:
        st.warning(t("uncited"))
    if resolved.dropped:
        numbers = ", ".join(f"[{n}]" for n in resolved.dropped)
        st.caption(t("dropped", numbers=numbers))
    if resolved.citations:
        st.markdown(f"**{t('sources')}**")
        for citation in resolved.citations:
            anchor = source_anchor(exchange_key, citation.number) if exchange_key else ""
            render_citation(settings, viewer, citation, exchange.collection, anchor)


def head_lines(exchange: Exchange, show_query: bool) -> str:
    lines = []
    if show_query and exchange.query:
        label = ui_text()("searched_for_rewritten" if exchange.rewritten else "searched_for")
        lines.append(f":gray[{label}: *{md_escape(exchange.query)}*]")
    lines += [f":orange[{md_escape(notice)}]" for notice in exchange.notices]
    return "  \n".join(lines)


def show_reasoning(exchange: Exchange) -> None:
    with st.expander(ui_text()("reasoning"), expanded=False, icon=":material/psychology:"):
        st.text(exchange.reasoning)


def render_question(question: str) -> None:
    with st.chat_message("user"):
        st.markdown(md_escape(question))


def linked_numbers(exchange: Exchange) -> set[int]:
    """The citation numbers whose source is shown under the answer."""
    resolved = exchange.citations
    return {c.number for c in resolved.citations} if resolved else set()


def render_exchange(
    exchange: Exchange,
    settings: Settings,
    viewer: Viewer,
    *,
    show_query: bool,
    exchange_key: str | None = None,
) -> None:
    """One kept exchange; `exchange_key` (digits, unique on the page) links its `[n]` markers
    to their sources."""
    render_question(exchange.question)
    with st.chat_message("assistant"):
        head = head_lines(exchange, show_query)
        if head:
            st.markdown(head)
        if exchange.reasoning:
            show_reasoning(exchange)
        if exchange.text:
            linked = linked_numbers(exchange)
            st.markdown(answer_markdown(exchange.text, exchange_key=exchange_key, linked=linked))
        render_tail(exchange, settings, viewer, exchange_key)
