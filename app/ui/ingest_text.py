"""What the page says about an ingest, in the reader's language: the live progress line and
the report rows. Pure: progress or report and a `Messages` catalogue in, text out.

The progress line carries the same figures as `rag ingest`'s bar (`app.cli.progress`): files,
pages read, chunks written, pages per second, the ETA, and what holds the work back. The report
is one row per file; a failed file and a stopped run are error rows (`ReportLine.error`), which
the page draws as red lines with the reason, never as a grey caption. Reasons and warnings are
`core.reasons.Reason`s, worded in the reader's language (`reason_text`). File names, reasons and
warnings are escaped: they come from the files (a reason's values carry pypdf's or the OS's own
words, verbatim).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from app.ui.markdown import md_escape
from core.i18n import Messages
from core.reasons import Reason, reason_messages
from core.records import FileOutcome, FileStatus, IngestReport

if TYPE_CHECKING:
    from ingest.pipeline import IngestProgress

STATUS_ICONS = {
    FileStatus.INGESTED: ":material/check_circle:",
    FileStatus.UNCHANGED: ":material/radio_button_checked:",
    FileStatus.SKIPPED: ":material/skip_next:",
    FileStatus.FAILED: ":material/error:",
    FileStatus.BUSY: ":material/hourglass_top:",
}


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class ReportLine:
    text: str  # markdown, already escaped
    level: Level = Level.INFO


def count_of(t: Messages, count: int, noun: str) -> str:
    """`1 chunk`, `3 chunks`, `1 Seite`… for noun in "chunk", "page", "file"."""
    return t(f"n_{noun}_one") if count == 1 else t(f"n_{noun}", count=f"{count:,}")


def reason_text(reason: Reason, t: Messages) -> str:
    """`reason` in `t`'s language, escaped for the page."""
    return md_escape(reason.text(reason_messages(t.language)))


def status_word(t: Messages, status: FileStatus) -> str:
    return t(f"status_{status.value}")


def clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes}:{rest:02d}"


def progress_text(progress: IngestProgress, t: Messages) -> str:
    """`0/1 files · 113 pages · 150 chunks · 4.2 pages/s · about 0:41 left · annual.pdf`."""
    parts = [
        t("progress_files", done=progress.files_done, total=progress.files_total),
        count_of(t, progress.pages_seen, "page"),
        count_of(t, progress.chunks_seen, "chunk"),
    ]
    if progress.elapsed > 0 and progress.pages_seen:
        parts.append(t("progress_pages_rate", rate=f"{progress.pages_seen / progress.elapsed:.1f}"))
    if progress.eta is not None and progress.share < 1:
        parts.append(t("progress_eta", eta=clock(progress.eta)))
    if progress.held_back:
        parts.append(t("progress_held_back", what=md_escape(progress.held_back)))
    if progress.working_on:
        reading = not progress.current
        name = md_escape(progress.working_on)
        parts.append(t("progress_reading", name=name) if reading else name)
    return " · ".join(parts)


def outcome_text(outcome: FileOutcome, t: Messages) -> str:
    """`notes\\.md ingested (3 chunks)`, `scan\\.pdf skipped: no text`: escaped for the page."""
    source, status = md_escape(outcome.source), status_word(t, outcome.status)
    if outcome.reason is not None:
        reason = reason_text(outcome.reason, t)
        return t("report_file_reason", source=source, status=status, reason=reason)
    chunks = count_of(t, outcome.chunks, "chunk")
    return t("report_file", source=source, status=status, chunks=chunks)


def _file_line(outcome: FileOutcome, t: Messages) -> ReportLine:
    icon = STATUS_ICONS.get(outcome.status, "")
    text = outcome_text(outcome, t)
    failed = outcome.status is FileStatus.FAILED
    return ReportLine(text if failed else f"{icon} {text}", Level.ERROR if failed else Level.INFO)


def report_lines(report: IngestReport, t: Messages) -> list[ReportLine]:
    """The run: a summary, one row per file (failures as error rows), then why it stopped."""
    collection = md_escape(report.collection)
    if report.stopped and not report.files:
        lines = [ReportLine(t("report_nothing", collection=collection), Level.ERROR)]
    else:
        summary = t(
            "report_summary", collection=collection, seconds=f"{report.seconds:.1f}",
            chunks=count_of(t, report.chunks, "chunk"),
        )  # fmt: skip
        lines = [ReportLine(summary)]
    for outcome in report.files:
        lines.append(_file_line(outcome, t))
        if outcome.ocr_pages:
            pages = count_of(t, outcome.ocr_pages, "page")
            confidence = f"{outcome.ocr_confidence:.2f}"
            text = t("report_ocr", pages=pages, confidence=confidence)
            lines.append(ReportLine(f":material/document_scanner: {text}"))
        if outcome.unreadable_pages:
            text = t("report_unreadable", pages=count_of(t, outcome.unreadable_pages, "page"))
            lines.append(ReportLine(f":material/warning: {text}", Level.WARNING))
        lines += [
            ReportLine(f":material/warning: {reason_text(warning, t)}", Level.WARNING)
            for warning in outcome.warnings
        ]
    if report.stopped:
        lines.append(ReportLine(t("report_stopped", reason=md_escape(report.stopped)), Level.ERROR))
    return lines
