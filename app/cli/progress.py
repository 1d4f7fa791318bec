"""What a person sees during and after an ingest: a one-line progress bar and a summary table.

The formatting functions are pure (progress and report in, text out); `ProgressBar` only adds
the terminal: it redraws one line on a TTY and prints a line every few seconds otherwise. The
progress line speaks English or German (`PROGRESS`, `progress_language`: `RAG_UI_LANGUAGE` when
set, else the terminal's locale); the summary stays English, as the report's reasons are.
"""

from __future__ import annotations

import json
import locale
import re
import shutil
import sys
import time
from dataclasses import asdict
from typing import Any, TextIO

from core.i18n import Catalogue, Messages, choose_language
from core.records import FileOutcome, FileStatus, IngestReport
from core.settings import Settings
from ingest.pipeline import IngestProgress

STATUSES = tuple(FileStatus)  # the summary's rows, in this order
_ALWAYS = (FileStatus.INGESTED, FileStatus.UNCHANGED, FileStatus.SKIPPED, FileStatus.FAILED)
_EXPLAINED = (
    FileStatus.SKIPPED,
    FileStatus.FAILED,
    FileStatus.PRUNED,
    FileStatus.BUSY,
)  # listed with reasons
_LISTED = 40  # per status, in the summary; --json has them all


PROGRESS: Catalogue = {
    "en": {
        "files": "{done}/{total} files",
        "pages": "{pages} pages",
        "chunks": "{chunks} chunks",
        "pages_rate": "{rate} pages/s",
        "chunks_rate": "{rate} chunks/s",
        "eta": "ETA {clock}",
        "waiting": "waiting for {what}",
        "rate_limit": "the rate limit ({limit}/min)",
    },
    "de": {
        "files": "{done}/{total} Dateien",
        "pages": "{pages} Seiten",
        "chunks": "{chunks} Abschnitte",
        "pages_rate": "{rate} Seiten/s",
        "chunks_rate": "{rate} Abschnitte/s",
        "eta": "noch {clock}",
        "waiting": "wartet auf {what}",
        "rate_limit": "das Ratenlimit des Vertrags ({limit}/min)",
    },
}
_RATE_LIMIT = re.compile(r"^the rate limit \((\d+)/min\)$")  # `EmbedPace.held_back`'s words


def progress_language(settings: Settings) -> str:
    """`RAG_UI_LANGUAGE` when set, else the terminal's locale (`de_DE.UTF-8`), else English."""
    chosen = settings.ui_language if "ui_language" in settings.model_fields_set else None
    return choose_language(PROGRESS, chosen, locale.getlocale(locale.LC_CTYPE)[0])


def _number(value: float, language: str, digits: int = 0) -> str:
    """1,234 or 12.5 (counts grouped, rates not); German: 1.234 or 12,5."""
    text = f"{value:,.0f}" if digits == 0 else f"{value:.{digits}f}"
    if language == "de":  # 1.234,5
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def _clock(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def format_progress(progress: IngestProgress, width: int = 100, language: str = "en") -> str:
    """`[####----]  12/40 files · 310 pages · 902 chunks · 25.1 pages/s · 80.3 chunks/s · ETA 0:41
    · waiting for the rate limit (300/min) · a.pdf`

    The bar fills by `IngestProgress.share` (files by size, and the chunks written of the files
    being embedded), so one large PDF moves it; pages and chunks count as they are read and
    written. The wait names the contract when the rate limiter holds requests back, so a slow
    ingest reads as the contract's pace and not the machine's.
    """
    say = Messages(PROGRESS, language)
    total = max(progress.files_total, 1)
    done = min(progress.files_done, total)
    bar_width = 20
    filled = round(bar_width * min(max(progress.share or done / total, 0.0), 1.0))
    pages, chunks = progress.pages_seen, progress.chunks_seen
    parts = [
        say("files", done=done, total=progress.files_total),
        say("pages", pages=_number(pages, language)),
        say("chunks", chunks=_number(chunks, language)),
    ]
    if progress.elapsed > 0:
        if pages:
            parts.append(say("pages_rate", rate=_number(pages / progress.elapsed, language, 1)))
        if chunks:
            parts.append(say("chunks_rate", rate=_number(chunks / progress.elapsed, language, 1)))
    if progress.eta is not None:
        parts.append(say("eta", clock=_clock(progress.eta)))
    if progress.held_back:
        limit = _RATE_LIMIT.match(progress.held_back)
        what = say("rate_limit", limit=limit.group(1)) if limit else progress.held_back
        parts.append(say("waiting", what=what))
    line = f"[{'#' * filled}{'-' * (bar_width - filled)}] " + " · ".join(parts)
    room = width - len(line) - 3
    current = progress.working_on
    if current and room > 8:
        if len(current) > room:
            current = "…" + current[-(room - 1) :]
        line += f" · {current}"
    return line[:width]


def summary(report: IngestReport) -> str:
    """The closing table: counts per status, then each skipped/failed file with its reason."""
    lines = [
        f"Collection {report.collection!r}: {len(report.files)} files in {report.seconds:.1f} s"
    ]
    lines.append(f"  {'':<10} {'files':>7} {'pages':>8} {'chunks':>8}")
    for status in STATUSES:
        files = [f for f in report.files if f.status == status]
        if files or status in _ALWAYS:
            pages = sum(f.pages for f in files)
            chunks = sum(f.chunks for f in files)
            lines.append(f"  {status:<10} {len(files):>7} {pages:>8,} {chunks:>8,}")
    lines.extend(ocr_lines(report))
    for status in _EXPLAINED:
        files = sorted((f for f in report.files if f.status == status), key=lambda f: f.source)
        if files:
            lines.append(f"{status.capitalize()}:")
            lines.extend(f"  {f.source}: {f.reason or ''}" for f in files[:_LISTED])
            if len(files) > _LISTED:
                lines.append(f"  … and {len(files) - _LISTED} more (--json lists them all)")
    warned = sorted((f for f in report.files if f.warnings), key=lambda f: f.source)
    if warned:
        lines.append("Warnings:")
        lines.extend(f"  {f.source}: {'; '.join(map(str, f.warnings))}" for f in warned[:_LISTED])
        if len(warned) > _LISTED:
            lines.append(f"  … and {len(warned) - _LISTED} more (--json lists them all)")
    if report.stopped:
        lines.append(f"Stopped: {report.stopped}")
    return "\n".join(lines)


def ocr_lines(report: IngestReport) -> list[str]:
    """Scanned pages: how many OCR read, how confidently, and how many are still unreadable."""
    files = sorted(
        (f for f in report.files if f.ocr_pages or f.unreadable_pages), key=lambda f: f.source
    )
    if not files:
        return []
    read = sum(f.ocr_pages for f in files)
    mean = sum(f.ocr_pages * f.ocr_confidence for f in files) / read if read else 0.0
    unreadable = sum(f.unreadable_pages for f in files)
    lines = [
        f"OCR: {read:,} pages read (mean confidence {mean:.2f}), {unreadable:,} still unreadable"
    ]
    for f in files[:_LISTED]:
        line = f"  {f.source}: {f.ocr_pages} read by OCR"
        if f.ocr_pages:
            line += f" (confidence {f.ocr_confidence:.2f})"
        if f.unreadable_pages:
            line += f", {f.unreadable_pages} still unreadable"
        lines.append(line)
    if len(files) > _LISTED:
        lines.append(f"  … and {len(files) - _LISTED} more (--json lists them all)")
    return lines


def report_json(report: IngestReport) -> dict[str, Any]:
    return _report_head(report) | {"files": [_file_json(f) for f in report.files]}


def write_report_json(report: IngestReport, stream: TextIO) -> None:
    """`report_json` as indented JSON, written file by file: a run over 100,000 files never
    holds the whole text (or every file's dict) at once."""
    head = json.dumps(_report_head(report), indent=2)
    stream.write(head[:-2] + ',\n  "files": [')  # the head's closing "\n}" comes after the files
    for n, outcome in enumerate(report.files):
        entry = json.dumps(_file_json(outcome), indent=2).replace("\n", "\n    ")
        stream.write(("," if n else "") + "\n    " + entry)
    stream.write("\n  ]\n}\n" if report.files else "]\n}\n")


def _report_head(report: IngestReport) -> dict[str, Any]:
    return {
        "collection": report.collection,
        "seconds": round(report.seconds, 3),
        "ok": report.ok,
        "stopped": report.stopped,
        "counts": {status: report.count(status) for status in STATUSES},
        "chunks": report.chunks,
    }


def _file_json(outcome: FileOutcome) -> dict[str, Any]:
    """One file: `reason` and `warnings` in English, as scripts read them; `reason_id` and
    `warning_ids` name the messages (`core.reasons`), stable across wordings and languages."""
    reason, warnings = outcome.reason, outcome.warnings
    return asdict(outcome) | {
        "reason": str(reason) if reason is not None else "",
        "reason_id": reason.id if reason is not None else "",
        "warnings": [str(warning) for warning in warnings],
        "warning_ids": [warning.id for warning in warnings],
    }


class ProgressBar:
    """Redraws one status line on a terminal; prints a plain line every few seconds otherwise."""

    def __init__(
        self, stream: TextIO | None = None, *, every: float = 5.0, language: str = "en"
    ) -> None:
        self._stream = stream or sys.stderr
        self._language = language
        self._tty = self._stream.isatty()
        self._every = every if not self._tty else 0.1
        self._last = 0.0
        self._drawn = False

    def __call__(self, progress: IngestProgress) -> None:
        now = time.monotonic()
        final = progress.files_done >= progress.files_total
        if now - self._last < self._every and not final:
            return
        self._last = now
        if self._tty:
            width = shutil.get_terminal_size((100, 20)).columns - 1
            self._stream.write("\r\x1b[K" + format_progress(progress, width, self._language))
            self._drawn = True
        else:
            self._stream.write(format_progress(progress, 160, self._language) + "\n")
        self._stream.flush()

    def close(self) -> None:
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False
