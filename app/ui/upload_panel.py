"""The sidebar's upload box: checked files are saved under the data directory and ingested with
the same pipeline and report as `rag ingest`, with a live progress bar (the same figures as
`rag ingest`'s: pages, chunks, ETA, and the rate limit when it holds work back; see
`app.ui.ingest_text`) and, while the client retries an unreachable or failing server, a line
saying so and how long it waits. A refused or failed file is a red error row with its reason;
so is a file of a name another run is writing (`ingest.claims`), which is not saved over that
run's copy."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from app.container import Services
from app.ui.ingest_text import Level, ReportLine, outcome_text, progress_text, report_lines
from app.ui.markdown import md_escape
from app.ui.strings import ui_text
from app.ui.uploads import save_upload, upload_dir, upload_name, upload_problem
from core.access import Viewer
from core.errors import RagError
from ingest.claims import busy

if TYPE_CHECKING:
    from ingest.pipeline import IngestProgress

_ROUND_KEY = "rag_upload_round"  # bumped after an ingest, which clears the uploader
_REPORT_KEY = "rag_ingest_report"  # the last run's report lines, shown after the rerun
_PROBLEMS_KEY = "rag_upload_problems"  # refusals of the last batch, shown until the next one


def supported_suffixes() -> frozenset[str]:
    from ingest.loaders import SUPPORTED_SUFFIXES

    return SUPPORTED_SUFFIXES


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
    show_report(st.session_state.get(_REPORT_KEY, []))
    for problem in st.session_state.get(_PROBLEMS_KEY, []):
        st.error(problem, icon=":material/error:")
    if not files or not st.button(t("ingest"), icon=":material/upload:", type="primary"):
        return
    st.session_state[_PROBLEMS_KEY] = problems = []  # kept until the next batch
    try:
        viewer.require(collection)
        directory = upload_dir(settings, collection)
    except (RagError, ValueError) as error:
        problems.append(md_escape(str(error)))
        st.error(problems[-1], icon=":material/error:")
        return
    saved: list[Path] = []
    taken: set[str] = set()
    for upload in files:
        problem = upload_problem(
            upload.name, upload.size, max_mb=settings.upload_max_mb, suffixes=suffixes, t=t
        )
        if problem:
            problems.append(md_escape(problem))
            st.error(problems[-1], icon=":material/error:")
            continue
        name = upload_name(upload.name, taken)
        with services.claims.held(collection, name) as free:  # no run reads it while it is written
            if not free:  # another run is writing a file of this name: its copy stays
                problems.append(outcome_text(busy(name), t))
                st.error(problems[-1], icon=":material/error:")
                continue
            saved.append(save_upload(upload.name, upload.getvalue(), directory, taken=taken))
    if saved and ingest_saved(services, saved, collection):
        st.session_state[_ROUND_KEY] = round_ + 1
        st.rerun()  # clears the uploader and refreshes the chunk count


def show_report(lines: list[ReportLine]) -> None:
    """The last run's rows: failures as red error rows with their reason, the rest as captions."""
    for line in lines:
        if line.level is Level.ERROR:
            st.error(line.text, icon=":material/error:")
        elif line.level is Level.WARNING:
            st.warning(line.text)
        else:
            st.caption(line.text)


def ingest_saved(services: Services, paths: list[Path], collection: str) -> bool:
    """Ingest with a live progress bar; keep the report for the next run. False on failure."""
    t = ui_text()
    bar = st.progress(0.0, text=t("starting"))

    def on_progress(progress: IngestProgress) -> None:
        bar.progress(min(max(progress.share, 0.0), 1.0), text=progress_text(progress, t))

    retries = _RetryLine(st.empty())
    hub_log = logging.getLogger("hub")
    hub_log.addHandler(retries)
    try:
        report = services.ingest(paths, collection=collection, on_progress=on_progress)
    except RagError as error:
        bar.empty()
        st.error(md_escape(str(error)), icon=":material/error:")
        return False
    finally:
        hub_log.removeHandler(retries)
        retries.slot.empty()
    st.session_state[_REPORT_KEY] = report_lines(report, t)
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
