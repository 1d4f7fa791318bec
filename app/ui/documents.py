"""The document manager: a dialog listing one collection's files, opened from the sidebar.

Each file shows its status (ingested, or skipped or failed with the reason), pages, chunks,
size and ingest date, and offers download (the kept original, sent as an attachment, never
shown inline), re-ingest (with the same progress line as an upload) and delete (after a
confirmation; its chunks go too). What may be done is decided in `app.documents`, which asks
`core.access.Viewer` before anything else: a person who may not read the collection gets one
error line and nothing of it. The dialog stays open across the reruns its own buttons cause
(`_OPEN_KEY`) until it is dismissed or another collection is picked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from app.container import Services
from app.documents import (
    DocumentRow,
    OriginalMissing,
    delete_document,
    list_documents,
    original_file,
    reingest_document,
)
from app.ui.ingest_text import count_of, progress_text, reason_text, report_lines, status_word
from app.ui.markdown import md_escape
from app.ui.strings import ui_text
from app.ui.upload_panel import show_report
from core.access import Viewer
from core.errors import RagError
from core.i18n import Messages
from core.records import FileStatus

if TYPE_CHECKING:
    from ingest.pipeline import IngestProgress

_OPEN_KEY = "rag_documents_open"  # the collection whose manager is open
_CONFIRM_KEY = "rag_documents_confirm"  # the source waiting for "Yes, delete"
_NOTICE_KEY = "rag_documents_notice"  # what the last action did, shown once
_LISTED = 200  # rows drawn at once; the filter finds the others
_WIDTHS = [4.2, 2.6, 0.9, 0.9, 1.2, 1.9, 0.7, 0.7, 0.7]
_STATUS_COLOURS = {FileStatus.INGESTED: "green", FileStatus.SKIPPED: "orange"}


def human_size(size: int | None, t: Messages) -> str:
    if size is None:
        return t("unknown")
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("not reached")


def short_date(iso: str, t: Messages) -> str:
    """`2026-12-01 21:04 UTC` for an ISO timestamp; "unknown" for none."""
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return t("unknown")


def _key(action: str, source: str) -> str:
    return f"rag_doc_{action}_{hashlib.sha1(source.encode()).hexdigest()[:16]}"


def render_documents_entry(services: Services, viewer: Viewer, collection: str) -> None:
    """The sidebar's "Manage documents" button, and the dialog while it is open."""
    t = ui_text()
    if st.button(
        t("manage_documents"), icon=":material/folder_open:", key="rag_manage_documents",
        use_container_width=True,
    ):  # fmt: skip
        st.session_state[_OPEN_KEY] = collection
        st.session_state.pop(_CONFIRM_KEY, None)
    if st.session_state.get(_OPEN_KEY) == collection:
        dialog = st.dialog(
            t("documents_of", collection=collection), width="large", on_dismiss=_closed
        )
        dialog(document_manager)(services, viewer, collection)
    else:
        st.session_state.pop(_OPEN_KEY, None)


def _closed() -> None:
    st.session_state.pop(_OPEN_KEY, None)
    st.session_state.pop(_CONFIRM_KEY, None)


def document_manager(services: Services, viewer: Viewer, collection: str) -> None:
    """The manager's body: the files of `collection`, each with its actions."""
    t = ui_text()
    notice = st.session_state.pop(_NOTICE_KEY, None)
    if notice:
        st.success(notice, icon=":material/check_circle:")
    try:
        rows = list_documents(services, viewer, collection)
    except RagError as error:
        st.error(md_escape(str(error)), icon=":material/lock:")
        return
    if not rows:
        st.info(t("documents_none", collection=md_escape(collection)))
        return
    counts = {status: sum(r.status is status for r in rows) for status in FileStatus}
    summary = t(
        "documents_summary", files=count_of(t, len(rows), "file"),
        ingested=counts[FileStatus.INGESTED], skipped=counts[FileStatus.SKIPPED],
        failed=counts[FileStatus.FAILED],
    )  # fmt: skip
    st.caption(summary)
    if len(rows) > 10:
        wanted = st.text_input(t("col_document"), key="rag_documents_filter", placeholder="…")
        rows = [r for r in rows if wanted.casefold() in r.source.casefold()]
    header = st.columns(_WIDTHS)
    for column, label in zip(
        header, ("col_document", "col_status", "col_pages", "col_chunks", "col_size", "col_date"),
        strict=False,
    ):  # fmt: skip
        column.markdown(f"**{t(label)}**")
    for row in rows[:_LISTED]:
        _row(services, viewer, collection, row, t)
    if len(rows) > _LISTED:
        st.caption(f"… +{len(rows) - _LISTED}")


def _row(
    services: Services, viewer: Viewer, collection: str, row: DocumentRow, t: Messages
) -> None:
    cells = st.columns(_WIDTHS, vertical_alignment="center")
    cells[0].markdown(md_escape(row.source))
    word = status_word(t, row.status)
    if row.status is FileStatus.FAILED:
        cells[1].markdown(f":red[:material/error: **{word}**]")
    else:
        cells[1].markdown(f":{_STATUS_COLOURS.get(row.status, 'gray')}[{word}]")
    cells[2].markdown(str(row.pages) if row.pages else "–")
    cells[3].markdown(f"{row.chunks:,}")
    cells[4].markdown(human_size(row.size, t))
    cells[5].markdown(short_date(row.ingested_at, t) if row.ingested_at else t("unknown"))
    with cells[6]:
        st.download_button(
            ":material/download:", data=_reader(services, viewer, collection, row.source),
            file_name=Path(row.source).name, mime="application/octet-stream", on_click="ignore",
            key=_key("get", row.source), help=t("download"), disabled=not row.original,
        )  # fmt: skip
    reingest = cells[7].button(
        ":material/refresh:", key=_key("redo", row.source), help=t("reingest"),
        disabled=not row.original,
    )  # fmt: skip
    if cells[8].button(":material/delete:", key=_key("del", row.source), help=t("delete")):
        st.session_state[_CONFIRM_KEY] = row.source
    if row.reason is not None:
        level = st.error if row.status is FileStatus.FAILED else st.warning
        level(f"{md_escape(row.source)}: {reason_text(row.reason, t)}")
    if st.session_state.get(_CONFIRM_KEY) == row.source:
        _confirm_delete(services, viewer, collection, row, t)
    if reingest:
        _reingest(services, viewer, collection, row.source, t)


def _reader(
    services: Services, viewer: Viewer, collection: str, source: str
) -> Callable[[], bytes]:
    """The download's bytes, read (after the access check) only when it is clicked."""

    def read() -> bytes:
        return original_file(services, viewer, collection, source).read_bytes()

    return read


def _confirm_delete(
    services: Services, viewer: Viewer, collection: str, row: DocumentRow, t: Messages
) -> None:
    chunks = count_of(t, row.chunks, "chunk")
    name, where = md_escape(row.source), md_escape(collection)
    with st.container(border=True):
        st.warning(t("delete_confirm", source=name, chunks=chunks, collection=where))
        yes, no = st.columns(2)
        if yes.button(t("delete_yes"), key=_key("yes", row.source), type="primary"):
            try:
                delete_document(services, viewer, collection, row.source)
            except RagError as error:
                st.error(t("document_failed", source=name, error=md_escape(str(error))))
                return
            st.session_state.pop(_CONFIRM_KEY, None)
            st.session_state[_NOTICE_KEY] = t("deleted", source=name, collection=where)
            st.rerun()  # the whole page: the sidebar's chunk count and document list change too
        if no.button(t("cancel"), key=_key("no", row.source)):
            st.session_state.pop(_CONFIRM_KEY, None)
            st.rerun(scope="fragment")


def _reingest(
    services: Services, viewer: Viewer, collection: str, source: str, t: Messages
) -> None:
    bar = st.progress(0.0, text=t("starting"))

    def on_progress(progress: IngestProgress) -> None:
        bar.progress(min(max(progress.share, 0.0), 1.0), text=progress_text(progress, t))

    try:
        report = reingest_document(services, viewer, collection, source, on_progress=on_progress)
    except OriginalMissing:
        bar.empty()
        st.error(t("original_missing", source=md_escape(source)))
        return
    except RagError as error:
        bar.empty()
        st.error(t("document_failed", source=md_escape(source), error=md_escape(str(error))))
        return
    bar.empty()
    show_report(report_lines(report, t))
