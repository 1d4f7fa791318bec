from __future__ import annotations

import io
import json
import locale

import pytest

from app.cli.progress import (
    ProgressBar,
    format_progress,
    progress_language,
    report_json,
    summary,
    write_report_json,
)
from core.reasons import Reason
from core.records import FileOutcome, FileStatus, IngestReport
from core.settings import Settings
from ingest.pipeline import IngestProgress


def test_format_progress_shows_files_pages_chunks_rate_eta() -> None:
    line = format_progress(IngestProgress(12, 40, 310, 902, "a.pdf", 10.0, 41.0), width=200)

    assert line == (
        "[######--------------] 12/40 files · 310 pages · 902 chunks · 31.0 pages/s"
        " · 90.2 chunks/s · ETA 0:41 · a.pdf"
    )


def test_format_progress_of_one_large_file_fills_by_chunks_written() -> None:
    progress = IngestProgress(
        0, 1, 0, 0, "", 20.0, 20.0, written=150, pages_read=113, chunks_queued=300, share=0.5
    )

    line = format_progress(progress, width=200)

    assert line.startswith("[##########----------] 0/1 files · 113 pages · 150 chunks")
    assert "ETA 0:20" in line


def test_format_progress_names_the_file_being_read() -> None:
    progress = IngestProgress(0, 1, 0, 0, "", 3.0, None, reading=("annual-report.pdf",))
    assert format_progress(progress, width=200).endswith(" · annual-report.pdf")


def test_format_progress_names_the_rate_limit_when_it_holds_work_back() -> None:
    progress = IngestProgress(
        3, 9, 0, 200, "b.txt", 4.0, None, written=320, held_back="the rate limit (300/min)"
    )

    line = format_progress(progress, width=200)

    assert " · 80.0 chunks/s · waiting for the rate limit (300/min) · b.txt" in line


def test_format_progress_trims_long_names_to_the_width() -> None:
    line = format_progress(IngestProgress(1, 2, 0, 0, "x/" * 100 + "f.md", 1.0, None), width=80)

    assert len(line) <= 80 and line.endswith("f.md") and "…" in line


def test_summary_lists_counts_and_reasons() -> None:
    report = IngestReport("docs", seconds=2.0)
    report.files += [
        FileOutcome(
            "a.pdf",
            FileStatus.INGESTED,
            chunks=3,
            pages=2,
            warnings=(Reason("pages_blank", count=1, pages=2),),
        ),
        FileOutcome("b.pdf", FileStatus.SKIPPED, Reason("pdf_wrong_password")),
        FileOutcome(
            "c.pdf", FileStatus.FAILED, Reason("pdf_unreadable", detail="EOF marker not found")
        ),
    ]

    text = summary(report)

    assert "  ingested         1        2        3" in text
    assert "Skipped:\n  b.pdf: encrypted, and the password given for it does not open it" in text
    assert "Failed:\n  c.pdf: unreadable PDF (EOF marker not found)" in text
    assert "Warnings:\n  a.pdf: 1 of 2 pages have no text (blank or drawings)" in text


def test_report_json_keeps_english_reasons_and_names_their_messages() -> None:
    report = IngestReport("docs")
    report.files += [
        FileOutcome(
            "a.pdf", FileStatus.INGESTED, warnings=(Reason("pages_need_ocr", count=1, pages=3),)
        ),
        FileOutcome("b.pdf", FileStatus.SKIPPED, Reason("pdf_needs_password")),
        FileOutcome("c.md", FileStatus.UNCHANGED),
    ]

    files = {f["source"]: f for f in report_json(report)["files"]}

    assert files["a.pdf"]["warnings"] == ["1 of 3 pages have no text; OCR needed"]
    assert files["a.pdf"]["warning_ids"] == ["pages_need_ocr"]
    assert files["b.pdf"]["reason"].startswith("encrypted with a password; upload a copy")
    assert files["b.pdf"]["reason_id"] == "pdf_needs_password"
    assert files["c.md"]["reason"] == "" and files["c.md"]["reason_id"] == ""
    assert json.loads(json.dumps(files)) == files  # plain JSON all through


def test_report_json_counts_every_status() -> None:
    report = IngestReport("docs", stopped="token expired")
    report.files.append(FileOutcome("a.md", FileStatus.UNCHANGED))

    data = report_json(report)

    assert data["counts"] == {
        "ingested": 0, "unchanged": 1, "skipped": 0, "failed": 0, "pruned": 0, "busy": 0,
    }  # fmt: skip
    assert data["ok"] is False and data["stopped"] == "token expired"


def test_progress_bar_without_tty_prints_plain_lines() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, every=0.0)

    bar(IngestProgress(1, 2, 0, 1, "a.md", 0.5, 0.5))
    bar(IngestProgress(2, 2, 0, 2, "b.md", 1.0, 0.0))
    bar.close()

    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and lines[-1].startswith("[####################] 2/2 files")


def test_summary_and_json_report_pages_read_by_ocr() -> None:
    report = IngestReport(
        collection="docs",
        files=[
            FileOutcome("scan.pdf", FileStatus.INGESTED, chunks=4, pages=3, ocr_pages=3,
                        ocr_confidence=0.9, unreadable_pages=0),
            FileOutcome("fax.pdf", FileStatus.INGESTED, chunks=1, pages=2, ocr_pages=1,
                        ocr_confidence=0.7, unreadable_pages=1),
            FileOutcome("text.pdf", FileStatus.INGESTED, chunks=9, pages=5),
        ],
    )  # fmt: skip

    text = summary(report)
    files = {f["source"]: f for f in report_json(report)["files"]}

    assert "OCR: 4 pages read (mean confidence 0.85), 1 still unreadable" in text
    assert "  fax.pdf: 1 read by OCR (confidence 0.70), 1 still unreadable" in text
    assert "  scan.pdf: 3 read by OCR (confidence 0.90)" in text.splitlines()
    assert "text.pdf: 0 read" not in text
    assert files["fax.pdf"]["ocr_pages"] == 1 and files["fax.pdf"]["unreadable_pages"] == 1
    assert files["scan.pdf"]["ocr_confidence"] == 0.9


def test_format_progress_in_german_names_the_contract() -> None:
    progress = IngestProgress(
        3, 40, 1234, 902, "a.pdf", 10.0, 41.0, written=805, held_back="the rate limit (300/min)"
    )

    line = format_progress(progress, width=200, language="de")

    assert line.startswith("[##------------------] 3/40 Dateien · 1.234 Seiten · 902 Abschnitte")
    assert "123,4 Seiten/s · 90,2 Abschnitte/s · noch 0:41" in line
    assert "wartet auf das Ratenlimit des Vertrags (300/min) · a.pdf" in line


@pytest.mark.parametrize(
    ("explicit", "terminal", "expected"),
    [({"ui_language": "de"}, "en_US", "de"), ({}, "de_DE", "de"), ({}, "C", "en"),
     ({"ui_language": "en"}, "de_AT", "en")],
)  # fmt: skip
def test_progress_language_prefers_the_setting_then_the_locale(
    monkeypatch: pytest.MonkeyPatch, explicit: dict[str, str], terminal: str, expected: str
) -> None:
    monkeypatch.setattr(locale, "getlocale", lambda category=0: (terminal, "UTF-8"))
    settings = Settings(_env_file=None, **explicit)  # type: ignore[call-arg, arg-type]
    assert progress_language(settings) == expected


@pytest.mark.parametrize("count", [0, 1, 3])
def test_write_report_json_streams_the_same_text_as_report_json(count: int) -> None:
    outcomes = [
        FileOutcome("a.pdf", FileStatus.INGESTED, chunks=4, pages=2),
        FileOutcome("b.md", FileStatus.SKIPPED, Reason("no_text"), warnings=(Reason("no_text"),)),
        FileOutcome("c.pdf", FileStatus.FAILED, Reason("pdf_unreadable", detail="EOF")),
    ][:count]
    report = IngestReport("docs", files=outcomes, seconds=1.25)
    stream = io.StringIO()

    write_report_json(report, stream)

    assert stream.getvalue() == json.dumps(report_json(report), indent=2) + "\n"
