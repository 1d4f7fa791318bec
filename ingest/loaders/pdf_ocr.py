"""A PDF's pages through OCR, for `ingest.loaders.pdf`: which pages OCR reads, what it
counts while it reads them, and the document's warnings about the pages without text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from core.reasons import Reason
from ingest.loaders.pdfium_doc import PdfiumDoc

if TYPE_CHECKING:
    from ingest.ocr import OcrConfig, PdfOcr


def ocr_reader(
    path: Path,
    password: str | None,
    ocr: OcrConfig | None,
    content_hash: str,
    pdf: PdfiumDoc | None,
) -> PdfOcr | None:
    if ocr is None:
        return None
    from ingest import ocr as engine

    if not engine.available():
        return None
    return engine.PdfOcr(path, password=password, config=ocr, content_hash=content_hash, pdf=pdf)


@dataclass(slots=True)
class OcrTally:
    read: list[float] = field(default_factory=list)  # confidence of each page OCR read
    unreadable: list[int] = field(default_factory=list)  # needed OCR, got no usable text
    left: list[int] = field(default_factory=list)  # needed OCR, not tried: cap or time budget
    why_left: Reason | None = None


def ocr_page(reader: PdfOcr, number: int, text: str, tally: OcrTally) -> str | None:
    """OCR's text for page `number` (as OCR gives it) when pypdf's is unusable and OCR reads
    it; None keeps pypdf's text. Never raises: a page pdfium cannot draw stays as it was."""
    from ingest.ocr import use_ocr_text

    try:
        if not reader.needs(number - 1, text):
            return None  # good text, or a blank page or a drawing: nothing to read
        why = reader.out_of_budget()
        if why is not None:
            tally.left.append(number)
            tally.why_left = why
            return None
        result = reader.read(number - 1)
    except Exception:  # pdfium refuses the page, or the engine fails on it
        if not text.strip():
            tally.unreadable.append(number)
        return None
    if use_ocr_text(text, result):
        tally.read.append(result.confidence)
        return str(result.text)
    if not text.strip():
        tally.unreadable.append(number)
    return None


def page_warnings(
    page_count: int, empty: list[int], failed: list[Reason], tally: OcrTally, *, ocr_on: bool
) -> list[Reason]:
    warnings = []
    if tally.left and tally.why_left is not None:
        left = len(tally.left)
        warnings.append(
            Reason("pages_not_ocred", count=left, pages=page_count, limit=tally.why_left)
        )
    unread = [n for n in empty if n not in tally.left]
    if unread and not ocr_on:
        warnings.append(Reason("pages_need_ocr", count=len(unread), pages=page_count))
    elif unread:
        illegible = [n for n in unread if n in tally.unreadable]
        blank = len(unread) - len(illegible)
        if illegible:
            warnings.append(Reason("pages_ocr_unreadable", count=len(illegible), pages=page_count))
        if blank:
            warnings.append(Reason("pages_blank", count=blank, pages=page_count))
    if failed:
        warnings.append(
            Reason("pages_failed", count=len(failed), pages=page_count, detail=failed[0])
        )
    return warnings
