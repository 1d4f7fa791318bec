from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app.container import Services
from app.ui.upload_panel import report_lines
from core.records import FileOutcome, FileStatus, IngestReport


def _ingest_page(services, paths, collection):  # type: ignore[no-untyped-def]  # runs as a script
    import streamlit as st

    from app.ui.upload_panel import ingest_saved

    st.session_state["ok"] = ingest_saved(services, paths, collection)


def test_ingest_saved_runs_the_pipeline_and_keeps_the_report(
    services_factory: Callable[..., Services], tmp_path: Path
) -> None:
    services = services_factory()
    upload = tmp_path / "travel.md"
    upload.write_text("# Travel\n\nTrain travel is preferred for trips under six hours.\n")
    at = AppTest.from_function(_ingest_page, args=(services, [upload], "trips"), default_timeout=60)
    at.run()
    assert not at.exception
    assert at.session_state["ok"] is True
    assert services.store.count("trips") == 1
    lines = at.session_state["rag_ingest_report"]
    assert lines[0].startswith("Ingested into **trips**")
    assert "travel\\.md ingested (1 chunk)" in lines[1]


def test_report_lines_show_failures_with_reason_and_warnings() -> None:
    report = IngestReport(
        collection="docs",
        files=[
            FileOutcome(
                "a.pdf", FileStatus.INGESTED, chunks=3, warnings=("1 of 2 pages has no text",)
            ),
            FileOutcome("b.pdf", FileStatus.FAILED, reason="encrypted: needs a password"),
        ],
        seconds=1.25,
    )
    lines = report_lines(report)
    assert lines[0] == "Ingested into **docs** in 1.2s: 3 chunks"
    assert lines[1].endswith("a\\.pdf ingested (3 chunks)")  # names are escaped markdown
    assert lines[2] == ":material/warning: 1 of 2 pages has no text"
    assert lines[3].endswith("b\\.pdf failed: encrypted\\: needs a password")


def test_report_lines_stopped_before_any_file_says_why() -> None:
    report = IngestReport(collection="docs", stopped="stopped with 2 of 2 files left: 429")
    lines = report_lines(report)
    assert lines[0] == "Nothing was ingested into **docs**"
    assert lines[-1] == ":material/error: Stopped: stopped with 2 of 2 files left\\: 429"


def test_report_lines_escape_file_names() -> None:
    outcome = FileOutcome("![x](http://h/p.png).md", FileStatus.SKIPPED, reason="<b>no</b>")
    line = report_lines(IngestReport(collection="docs", files=[outcome]))[1]
    assert "![" not in line and "<b>" not in line
