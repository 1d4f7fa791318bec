"""The sidebar's upload box: checked files are saved under the data directory and ingested with
the same pipeline and report as `rag ingest`, with a live progress bar and, while the client
retries an unreachable or failing server, a line saying so and how long it waits."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from app.container import Services
from app.ui.markdown import md_escape
from app.ui.strings import ui_text
from app.ui.uploads import save_upload, upload_dir, upload_problem
from core.access import Viewer
from core.errors import RagError
from core.records import FileStatus, IngestReport

STATUS_ICONS = {
    FileStatus.INGESTED: ":material/check_circle:",
    FileStatus.UNCHANGED: ":material/radio_button_checked:",
    FileStatus.SKIPPED: ":material/skip_next:",
    FileStatus.FAILED: ":material/error:",
}
_ROUND_KEY = "rag_upload_round"  # bumped after an ingest, which clears the uploader
_REPORT_KEY = "rag_ingest_report"  # the last run's report lines, shown after the rerun
_PROBLEMS_KEY = "rag_upload_problems"  # refusals of the last batch, shown until the next one


def supported_suffixes() -> frozenset[str]:
    from ingest.loaders import SUPPORTED_SUFFIXES

    return SUPPORTED_SUFFIXES


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def report_lines(report: IngestReport) -> list[str]:
    """The run as short markdown lines: a summary, then one line per file, then why it stopped.

    File names, reasons and warnings are escaped: they come from the files.
    """
    lines = [
        f"Ingested into **{report.collection}** in {report.seconds:.1f}s: "
        f"{_plural(report.chunks, 'chunk')}"
    ]
    if report.stopped and not report.files:
        lines[0] = f"Nothing was ingested into **{report.collection}**"
    for outcome in report.files:
        icon = STATUS_ICONS.get(outcome.status, "")
        detail = (
            f": {md_escape(outcome.reason)}"
            if outcome.reason
            else f" ({_plural(outcome.chunks, 'chunk')})"
        )
        lines.append(f"{icon} {md_escape(outcome.source)} {outcome.status}{detail}")
        if outcome.ocr_pages:
            lines.append(
                f":material/document_scanner: {_plural(outcome.ocr_pages, 'page')} read by OCR "
                f"(mean confidence {outcome.ocr_confidence:.2f})"
            )
        if outcome.unreadable_pages:
            lines.append(
                f":material/warning: {_plural(outcome.unreadable_pages, 'page')} still unreadable"
            )
        lines += [f":material/warning: {md_escape(warning)}" for warning in outcome.warnings]
    if report.stopped:
        lines.append(f":material/error: Stopped: {md_escape(report.stopped)}")
    return lines


def render_upload(services: Services, viewer: Viewer, collection: str) -> None:
    settings = services.settings
    suffixes = supported_suffixes()
    round_ = st.session_state.get(_ROUND_KEY, 0)
    t = ui_text()
    files = st.file_uploader(
        t("add_files", collection=collection),
        type=sorted(s.lstrip(".") for s in suffixes),
        accept_multiple_files=True,
        key=f"rag_uploader_{round_}",
        help=t("upload_limit", mb=settings.upload_max_mb),
    )
    for line in st.session_state.get(_REPORT_KEY, []):
        st.caption(line)
    for problem in st.session_state.get(_PROBLEMS_KEY, []):
        st.error(problem)
    if not files or not st.button(t("ingest"), icon=":material/upload:", type="primary"):
        return
    st.session_state[_PROBLEMS_KEY] = problems = []  # kept until the next batch
    try:
        viewer.require(collection)
        directory = upload_dir(settings, collection)
    except (RagError, ValueError) as error:
        problems.append(md_escape(str(error)))
        st.error(problems[-1])
        return
    saved: list[Path] = []
    taken: set[str] = set()
    for upload in files:
        problem = upload_problem(
            upload.name, upload.size, max_mb=settings.upload_max_mb, suffixes=suffixes
        )
        if problem:
            problems.append(md_escape(problem))
            st.error(problems[-1])
            continue
        saved.append(save_upload(upload.name, upload.getvalue(), directory, taken=taken))
    if saved and ingest_saved(services, saved, collection):
        st.session_state[_ROUND_KEY] = round_ + 1
        st.rerun()  # clears the uploader and refreshes the chunk count


def ingest_saved(services: Services, paths: list[Path], collection: str) -> bool:
    """Ingest with a live progress bar; keep the report for the next run. False on failure."""
    from ingest.pipeline import IngestProgress

    bar = st.progress(0.0, text=ui_text()("starting"))

    def on_progress(progress: IngestProgress) -> None:
        share = progress.files_done / max(progress.files_total, 1)
        eta = f", about {progress.eta:.0f}s left" if progress.eta else ""
        bar.progress(
            min(share, 1.0),
            text=f"{progress.files_done}/{progress.files_total} files · "
            f"{_plural(progress.chunks, 'chunk')}{eta} · {progress.current}",
        )

    retries = _RetryLine(st.empty())
    hub_log = logging.getLogger("hub")
    hub_log.addHandler(retries)
    try:
        report = services.ingest(paths, collection=collection, on_progress=on_progress)
    except RagError as error:
        bar.empty()
        st.error(md_escape(str(error)))
        return False
    finally:
        hub_log.removeHandler(retries)
        retries.slot.empty()
    st.session_state[_REPORT_KEY] = report_lines(report)
    return True


class _RetryLine(logging.Handler):
    """Shows the hub's latest retry warning ("cannot reach …; retry 1 in 2.0s") under the
    progress bar while an ingest waits, from whichever thread the client retries in."""

    def __init__(self, slot: Any) -> None:
        super().__init__(level=logging.WARNING)
        self.slot = slot
        self._ctx = get_script_run_ctx()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if get_script_run_ctx() is None and self._ctx is not None:
                add_script_run_ctx(threading.current_thread(), self._ctx)
            self.slot.caption(f":material/sync: {md_escape(record.getMessage())}")
        except Exception:  # showing a notice must never break the ingest
            self.handleError(record)
