"""The sidebar's upload box: checked files are saved under the data directory and ingested with
the same pipeline and report as `rag ingest`, with a live progress bar."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.container import Services
from app.errors import RagError
from app.ui.uploads import save_upload, upload_dir, upload_problem
from rag.access import Viewer

STATUS_ICONS = {"ingested": "✅", "unchanged": "⏺️", "skipped": "⏭️", "failed": "❌"}
_UPLOADER_ROUND = "rag_upload_round"  # bumped after an ingest, to clear the uploader


def supported_suffixes() -> frozenset[str]:
    from ingest.loaders import SUPPORTED_SUFFIXES

    return SUPPORTED_SUFFIXES


def render_upload(services: Services, viewer: Viewer, collection: str) -> None:
    settings = services.settings
    suffixes = supported_suffixes()
    round_ = st.session_state.get(_UPLOADER_ROUND, 0)
    files = st.file_uploader(
        f"Add files to **{collection}**",
        type=sorted(s.lstrip(".") for s in suffixes),
        accept_multiple_files=True,
        key=f"rag_uploader_{round_}",
        help=f"Up to {settings.upload_max_mb} MB per file.",
    )
    if not files or not st.button("Ingest", icon=":material/upload:", type="primary"):
        return
    try:
        viewer.require(collection)
        directory = upload_dir(settings, collection)
    except (RagError, ValueError) as error:
        st.error(str(error))
        return
    saved: list[Path] = []
    for upload in files:
        problem = upload_problem(
            upload.name, upload.size, max_mb=settings.upload_max_mb, suffixes=suffixes
        )
        if problem:
            st.error(problem)
            continue
        saved.append(save_upload(upload.name, upload.getvalue(), directory))
    if saved:
        ingest_saved(services, saved, collection)
        st.session_state[_UPLOADER_ROUND] = round_ + 1


def ingest_saved(services: Services, paths: list[Path], collection: str) -> None:
    from ingest.pipeline import IngestProgress, ingest_paths

    bar = st.progress(0.0, text="Starting…")

    def on_progress(progress: IngestProgress) -> None:
        share = progress.files_done / max(progress.files_total, 1)
        eta = f", about {progress.eta:.0f}s left" if progress.eta else ""
        bar.progress(
            min(share, 1.0),
            text=f"{progress.files_done}/{progress.files_total} files · {progress.chunks} chunks"
            f"{eta} · {progress.current}",
        )

    try:
        report = ingest_paths(
            paths, services=services, collection=collection, on_progress=on_progress
        )
    except RagError as error:
        bar.empty()
        st.error(str(error))
        return
    bar.progress(1.0, text=f"Done in {report.seconds:.1f}s: {report.chunks} chunks")
    for outcome in report.files:
        icon = STATUS_ICONS.get(outcome.status, "•")
        detail = f": {outcome.reason}" if outcome.reason else f" ({outcome.chunks} chunks)"
        st.caption(f"{icon} {outcome.source} {outcome.status}{detail}")
        for warning in outcome.warnings:
            st.caption(f"⚠️ {warning}")
