from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from app.container import CLAIMS_FILE, Services
from app.ui.ingest_text import Level, progress_text, report_lines
from app.ui.strings import ui_messages
from app.ui.uploads import save_upload
from core.i18n import Messages
from core.reasons import Reason
from core.records import FileOutcome, FileStatus, IngestReport
from ingest.claims import SourceClaims
from ingest.pipeline import IngestProgress
from tests.fakes.embedder import HashEmbedder
from tests.ingest.helpers import write_encrypted_pdf


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
    lines = [line.text for line in at.session_state["rag_ingest_report"]]
    assert lines[0].startswith("Ingested into **trips**")
    assert "travel\\.md ingested (1 chunk)" in lines[1]


EN = ui_messages("en")
DE = ui_messages("de-DE")


def _texts(report: IngestReport, t: Messages = EN) -> list[str]:
    return [line.text for line in report_lines(report, t)]


def test_report_lines_show_pages_read_by_ocr_and_still_unreadable() -> None:
    outcome = FileOutcome(
        "scan.pdf", FileStatus.INGESTED, chunks=4, pages=3, ocr_pages=2, ocr_confidence=0.934,
        unreadable_pages=1,
    )  # fmt: skip

    lines = _texts(IngestReport(collection="docs", files=[outcome]))

    assert lines[2] == ":material/document_scanner: 2 pages read by OCR (mean confidence 0.93)"
    assert lines[3] == ":material/warning: 1 page still unreadable"


def test_report_lines_show_failures_with_reason_and_warnings() -> None:
    report = IngestReport(
        collection="docs",
        files=[
            FileOutcome(
                "a.pdf",
                FileStatus.INGESTED,
                chunks=3,
                warnings=(Reason("pages_blank", count=1, pages=2),),
            ),
            FileOutcome(
                "b.pdf", FileStatus.FAILED, reason=Reason("pdf_unreadable", detail="bad *xref*")
            ),
        ],
        seconds=1.25,
    )
    rows = report_lines(report, EN)
    lines = [row.text for row in rows]
    assert lines[0] == "Ingested into **docs** in 1.2s: 3 chunks"
    assert lines[1].endswith("a\\.pdf ingested (3 chunks)")  # names are escaped markdown
    assert lines[2] == ":material/warning: 1 of 2 pages have no text \\(blank or drawings\\)"
    assert (
        lines[3] == "b\\.pdf failed: unreadable PDF \\(bad \\*xref\\*\\)"
    )  # pypdf's words, escaped
    assert [row.level for row in rows] == [Level.INFO, Level.INFO, Level.WARNING, Level.ERROR]


def test_report_lines_in_german() -> None:
    report = IngestReport(
        collection="docs",
        files=[
            FileOutcome("a.pdf", FileStatus.INGESTED, chunks=1, pages=2),
            FileOutcome("b.md", FileStatus.SKIPPED, reason=Reason("file_empty")),
            FileOutcome("c.pdf", FileStatus.FAILED, reason=Reason("pdf_unreadable", detail="EOF")),
            FileOutcome("d.pdf", FileStatus.FAILED, reason=Reason.verbatim("an old reason")),
        ],
        seconds=2.0,
        stopped="the token expired",
    )

    lines = _texts(report, DE)

    assert lines[0] == "In **docs** eingelesen in 2.0 s: 1 Abschnitt"
    assert lines[1].endswith("a\\.pdf eingelesen (1 Abschnitt)")
    assert lines[2].endswith("b\\.md übersprungen: Die Datei ist leer")
    assert lines[3] == "c\\.pdf fehlgeschlagen: unlesbares PDF \\(EOF\\)"
    assert lines[4] == "d\\.pdf fehlgeschlagen: an old reason"  # saved before reasons had ids
    assert lines[5] == "Abgebrochen: the token expired"


def test_report_lines_in_german_of_a_real_run_word_every_reason_in_german(
    services_factory: Callable[..., Services], tmp_path: Path
) -> None:
    locked = write_encrypted_pdf(tmp_path / "locked.pdf", ["Gehälter."], user_password="pw")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02ELF" * 100)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    paths = [locked, tmp_path / "binary.txt", tmp_path / "photo.jpg"]

    report = services_factory().ingest(paths, collection="docs")
    lines = [line.text for line in report_lines(report, DE)]

    def row(name: str) -> str:
        return next(line for line in lines if name in line)

    assert row("locked\\.pdf").endswith(
        "locked\\.pdf übersprungen: mit einem Passwort verschlüsselt; laden Sie eine Kopie "
        "ohne Passwort hoch, oder nennen Sie das Passwort beim Einlesen\\: rag ingest "
        "\\-\\-password 'DATEI=PASSWORT'"
    ), lines
    assert row("binary\\.txt") == (
        "binary\\.txt fehlgeschlagen: Die Datei sieht nach einer Binärdatei aus, nicht nach Text"
    )
    unsupported = "photo\\.jpg übersprungen: Dateityp wird nicht unterstützt \\(unterstützt\\: "
    assert unsupported in row("photo\\.jpg")


def test_progress_text_of_one_large_pdf_counts_pages_chunks_and_eta() -> None:
    progress = IngestProgress(
        0, 1, 0, 0, "", 20.0, 41.0, written=150, pages_read=113, chunks_queued=300, share=0.33,
        held_back="the rate limit (300/min)",
    )  # fmt: skip

    assert progress_text(progress, EN) == (
        "0/1 files · 113 pages · 150 chunks · 5.7 pages/s · about 0:41 left"
        " · waiting for the rate limit \\(300/min\\)"
    )
    reading = IngestProgress(0, 1, 0, 0, "", 2.0, None, reading=("annual.pdf",))
    assert (
        progress_text(reading, DE) == "0/1 Dateien · 0 Seiten · 0 Abschnitte · liest annual\\.pdf"
    )


def test_report_lines_stopped_before_any_file_says_why() -> None:
    report = IngestReport(collection="docs", stopped="stopped with 2 of 2 files left: 429")
    lines = _texts(report)
    assert lines[0] == "Nothing was ingested into **docs**"
    assert lines[-1] == "Stopped: stopped with 2 of 2 files left\\: 429"


def test_report_lines_escape_file_names() -> None:
    reason = Reason("pdf_unreadable", detail="<b>no</b>")
    outcome = FileOutcome("![x](http://h/p.png).md", FileStatus.SKIPPED, reason=reason)
    line = _texts(IngestReport(collection="docs", files=[outcome]))[1]
    assert "![" not in line and "<b>" not in line


class _Upload:
    def __init__(self, name: str, data: bytes) -> None:
        self.name, self._data, self.size = name, data, len(data)

    def getvalue(self) -> bytes:
        return self._data


def _upload_page(services):  # type: ignore[no-untyped-def]  # runs as a script
    from app.ui.upload_panel import render_upload
    from core.access import Viewer

    render_upload(services, Viewer(None), "docs")


def _batch_app(
    services: Services, files: list[_Upload], monkeypatch: pytest.MonkeyPatch
) -> tuple[AppTest, list[int]]:
    """The upload panel with `files` chosen; "Ingest" is clicked on the first run only."""
    import streamlit

    clicks = [1]
    monkeypatch.setattr(streamlit, "file_uploader", lambda *a, **k: files)
    monkeypatch.setattr(
        streamlit, "button", lambda label, *a, **k: bool(label == "Ingest" and clicks.pop())
    )
    at = AppTest.from_function(_upload_page, args=(services,), default_timeout=60)
    return at, clicks


def test_upload_batch_same_sanitised_names_are_both_kept(
    services_factory: Callable[..., Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10, item 9: `x?.md` and `x*.md` both became `x_.md`; the first was overwritten."""
    services = services_factory()
    files = [_Upload("x?.md", b"# One\n\nFirst file.\n"), _Upload("x*.md", b"# Two\n\nSecond.\n")]
    at, _ = _batch_app(services, files, monkeypatch)
    with contextlib.suppress(Exception):  # st.rerun after the ingest ends the first run
        at.run()
    folder = services.settings.data_dir / "uploads" / "docs"
    assert sorted(p.name for p in folder.iterdir()) == ["x_-2.md", "x_.md"]
    assert (folder / "x_.md").read_text() == "# One\n\nFirst file.\n"
    assert (folder / "x_-2.md").read_text() == "# Two\n\nSecond.\n"


def test_upload_of_a_name_another_run_writes_keeps_that_run_s_copy(
    services_factory: Callable[..., Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = services_factory()
    folder = services.settings.data_dir / "uploads" / "docs"
    folder.mkdir(parents=True)
    (folder / "handbuch.md").write_text("# Alt\n\nThe copy another run is reading.\n")
    other = SourceClaims(services.settings.data_dir / CLAIMS_FILE)
    assert other.claim("docs", "handbuch.md")
    files = [_Upload("handbuch.md", b"# Neu\n\nMine.\n"), _Upload("faq.md", b"# FAQ\n\nFree.\n")]
    at, _ = _batch_app(services, files, monkeypatch)
    try:
        with contextlib.suppress(Exception):  # st.rerun after the ingest ends the first run
            at.run()
    finally:
        other.release("docs", "handbuch.md")
    assert (folder / "handbuch.md").read_text() == "# Alt\n\nThe copy another run is reading.\n"
    problems = at.session_state["rag_upload_problems"]
    assert len(problems) == 1 and "handbuch\\.md left to another run" in problems[0]
    states = services.store.source_states("docs")
    assert "faq.md" in states and "handbuch.md" not in states


def test_upload_size_refusal_stays_visible_on_the_next_rerun(
    services_factory: Callable[..., Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = services_factory(upload_max_mb=1)
    files = [_Upload("big.md", b"x" * (2 * 1024 * 1024))]
    at, clicks = _batch_app(services, files, monkeypatch)
    at.run()
    assert any("over the 1 MB limit" in e.value for e in at.error)
    assert clicks == []  # the button was used up: the next run is an ordinary rerun
    at.run()
    assert [e.value for e in at.error if "over the 1 MB limit" in e.value]


def test_save_upload_batch_names_unique_but_later_batch_replaces(tmp_path: Path) -> None:
    taken: set[str] = set()
    first = save_upload("x?.md", b"1", tmp_path, taken=taken)
    second = save_upload("x*.md", b"2", tmp_path, taken=taken)
    third = save_upload("x:.md", b"3", tmp_path, taken=taken)
    assert [first.name, second.name, third.name] == ["x_.md", "x_-2.md", "x_-3.md"]
    assert save_upload("x?.md", b"4", tmp_path, taken=set()).read_bytes() == b"4"  # next batch


class _RetryingEmbedder(HashEmbedder):
    """Logs what `hub.transport` logs before a retry (from a worker thread, as the client's
    embedding threads do), then answers."""

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        def warn() -> None:
            logging.getLogger("hub.transport").warning(
                "embeddings: cannot reach http://***@hub.test/v1 (ConnectError); retry 1 in 2.0s"
            )

        worker = threading.Thread(target=warn)
        worker.start()
        worker.join()
        return super().embed_documents(texts)


def test_ingest_saved_shows_connection_retries_while_it_waits(
    services_factory: Callable[..., Services], tmp_path: Path
) -> None:
    services = services_factory()
    services.embedder = _RetryingEmbedder()
    upload = tmp_path / "travel.md"
    upload.write_text("# Travel\n\nTrain travel is preferred for trips under six hours.\n")
    shown: list[str] = []
    original = DeltaGenerator.caption

    def spy(self: DeltaGenerator, body: str, *args: Any, **kwargs: Any) -> Any:
        shown.append(body)
        return original(self, body, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DeltaGenerator, "caption", spy)
        at = AppTest.from_function(_ingest_page, args=(services, [upload], "trips"))
        at.run(timeout=60)
    assert not at.exception and at.session_state["ok"] is True
    assert any("cannot reach http\\://\\*\\*\\*@hub" in line and "retry 1 in 2\\.0s" in line
               for line in shown), shown  # fmt: skip
    assert not logging.getLogger("hub").handlers  # removed after the run
