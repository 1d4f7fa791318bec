"""PDF with pypdf (the only module that imports it): page text, page numbers kept.

Encrypted files are opened with the password given for them, else with the empty user password
(`decrypt("")`, which many "protected" PDFs use; AES needs the `cryptography` package). A page
whose text layer is missing or garbage (`ingest.ocr.needs_ocr`) is read by OCR when `ocr` is
given (pages that hold 200+ clean characters never are); the document records how many pages
OCR read, their mean confidence and how many stay unreadable. A file with no text even then is
refused with `NoTextError`. Prose pages take their text from pdfium (`ingest.loaders.pdf_text`,
~15x cheaper); pages that may hold a table, short or garbled pages, and every page of a file
pdfium cannot read are extracted in pypdf's layout mode, so `ingest.loaders.pdf_layout` can keep
tables as Markdown rows under their statement's caption (one block per table, one per run of
prose). The outline (bookmarks), when there is one, gives each page its heading path; without
one, "Item 7." lines, statement captions and the lines set apart by their font
(`ingest.loaders.pdf_headings`) do. pdfium opens the file once for all of these and for OCR
(`ingest.loaders.pdfium_doc`), each page loaded once and its text page made once. Time and memory
bounds for hostile files are the caller's job: the pipeline runs this loader in a worker process
(see `ingest/worker.py`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from core.errors import EncryptedError, IngestError, NoTextError
from core.reasons import Reason
from core.records import Block, Document
from ingest.loaders.pdf_headings import FontHeadings, Marks
from ingest.loaders.pdf_layout import page_blocks
from ingest.loaders.pdf_text import PdfiumText
from ingest.loaders.pdfium_doc import PdfiumDoc

if TYPE_CHECKING:
    from ingest.ocr import OcrConfig, PdfOcr

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_OUTLINE = 5000


def clean_text(text: str) -> str:
    """Text as chunks store it: valid UTF-8, no control characters, `\\n` line ends."""
    text = text.encode("utf-8", errors="replace").decode("utf-8")  # lone surrogates -> '?'
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text)


def _one_line(exc: BaseException) -> str:
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message if len(message) <= 160 else message[:157] + "..."


def _open(path: Path, source: str, password: str | None) -> PdfReader:
    try:
        reader = PdfReader(str(path), strict=False)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IngestError(source, Reason("pdf_unreadable", detail=_one_line(exc))) from exc
    if not reader.is_encrypted:
        return reader
    tries = [password, ""] if password else [""]
    try:
        for candidate in tries:
            if candidate is not None and reader.decrypt(candidate) != PasswordType.NOT_DECRYPTED:
                return reader
    except DependencyError as exc:
        reason = Reason("pdf_aes_needs_cryptography", detail=str(exc))
        raise IngestError(source, reason) from exc
    except (NotImplementedError, PdfReadError, ValueError) as exc:
        raise EncryptedError(
            source, Reason("pdf_encryption_unsupported", detail=_one_line(exc))
        ) from exc
    if password:
        raise EncryptedError(source, Reason("pdf_wrong_password"))
    raise EncryptedError(source, Reason("pdf_needs_password"))


def _outline_headings(reader: PdfReader, page_count: int) -> list[tuple[str, ...]]:
    """For each page, the outline path in force there (the last bookmark at or before it)."""
    marks: list[tuple[int, tuple[str, ...]]] = []

    def walk(items: list[Any], trail: tuple[str, ...]) -> None:
        previous: tuple[str, ...] | None = None
        for item in items:
            if len(marks) >= _MAX_OUTLINE:
                return
            if isinstance(item, list):
                if previous is not None:
                    walk(item, previous)
                continue
            title = " ".join(str(getattr(item, "title", "") or "").split())
            previous = (*trail, title) if title else trail
            page = reader.get_destination_page_number(item)
            if title and page is not None and 0 <= page < page_count:
                marks.append((page, previous))

    try:
        walk(reader.outline, ())
    except Exception:  # a broken outline costs the headings, never the text
        return [() for _ in range(page_count)]
    marks.sort(key=lambda mark: mark[0])  # stable: document order within a page
    per_page: list[tuple[str, ...]] = []
    current: tuple[str, ...] = ()
    index = 0
    for page in range(page_count):
        while index < len(marks) and marks[index][0] <= page:
            current = marks[index][1]
            index += 1
        per_page.append(current)
    return per_page


def _page_text(reader: PdfReader, number: int, fast: PdfiumText | None = None) -> str:
    """pdfium's text for a prose page; else the page's text with its columns kept (layout mode),
    plain extraction when layout mode fails or finds nothing (it trips on some broken fonts and
    streams that plain mode reads)."""
    prose = fast.prose(number - 1) if fast is not None else None
    if prose is not None:
        return clean_text(prose)
    page = reader.pages[number - 1]
    try:
        text = clean_text(page.extract_text(extraction_mode="layout") or "")
    except Exception:
        text = ""
    return text if text.strip() else clean_text(page.extract_text() or "")


def _title(reader: PdfReader, path: Path) -> str:
    try:
        meta = reader.metadata
        title = " ".join(str(meta.title).split()) if meta is not None and meta.title else ""
    except Exception:
        title = ""
    return clean_text(title) or path.stem


def _pdfium(path: Path, password: str | None) -> PdfiumDoc | None:
    """The file opened once in pdfium for its prose, fonts and scans; None when pdfium cannot
    open what pypdf did (pypdf reads every page, no font headings, OCR tries for itself)."""
    try:
        return PdfiumDoc.open(path, password)
    except Exception:
        return None


def _ocr_reader(
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
class _OcrTally:
    read: list[float] = field(default_factory=list)  # confidence of each page OCR read
    unreadable: list[int] = field(default_factory=list)  # needed OCR, got no usable text
    left: list[int] = field(default_factory=list)  # needed OCR, not tried: cap or time budget
    why_left: Reason | None = None


def _ocr_page(reader: PdfOcr, number: int, text: str, tally: _OcrTally) -> str | None:
    """OCR's text for page `number` when pypdf's is unusable and OCR reads it; None keeps
    pypdf's text. Never raises: a page pdfium cannot draw stays as it was."""
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
        return clean_text(result.text)
    if not text.strip():
        tally.unreadable.append(number)
    return None


def read(
    path: Path,
    *,
    source: str,
    kind: str,
    content_hash: str,
    password: str | None,
    ocr: OcrConfig | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> Document:
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are ours to report
    reader = _open(path, source, password)
    try:
        page_count = len(reader.pages)
    except FileNotDecryptedError as exc:
        raise EncryptedError(source, Reason("pdf_not_decrypted")) from exc
    except (PdfReadError, RecursionError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IngestError(source, Reason("pdf_broken_page_tree", detail=_one_line(exc))) from exc
    if page_count == 0:
        raise NoTextError(source, Reason("pdf_no_pages"))
    headings = _outline_headings(reader, page_count)
    pdf = _pdfium(path, password)
    fonts = None if any(headings) or pdf is None else FontHeadings(pdf)
    blocks: list[Block] = []
    empty: list[int] = []
    failed: list[Reason] = []
    scanner = _ocr_reader(path, password, ocr, content_hash, pdf)
    fast = PdfiumText.over(pdf, page_count)
    tally = _OcrTally()
    carried: tuple[str, ...] = ()  # the heading path the previous page ended with
    try:
        for number in range(1, page_count + 1):
            problem: Reason | None = None
            try:
                text = _page_text(reader, number, fast)
            except Exception as exc:  # one bad page (bad font, broken stream) costs that page
                text = ""
                problem = Reason("page_problem", page=number, detail=_one_line(exc))
            if scanner is not None:  # OCR may still read a page pypdf cannot
                text = _ocr_page(scanner, number, text, tally) or text
            if text.strip():
                marks = fonts.marks(number - 1) if fonts is not None else Marks()
                found, carried = page_blocks(text, headings[number - 1] or carried, marks)
                blocks.extend(Block(text=b.text, page=number, headings=b.headings) for b in found)
            elif problem is not None:
                failed.append(problem)
            else:
                empty.append(number)
            if on_page is not None:
                on_page(number, page_count)
    finally:
        if scanner is not None:
            scanner.close()
        if pdf is not None:
            pdf.close()
    warnings = _warnings(page_count, empty, failed, tally, ocr_on=scanner is not None)
    if not blocks:
        if failed and not empty:
            raise IngestError(source, Reason("pdf_no_page_readable", detail=failed[0]))
        if scanner is None:
            raise NoTextError(source, Reason("pdf_needs_ocr", pages=page_count))
        if tally.unreadable or tally.left:
            from ingest.ocr import UnreadScanError

            why = Reason("pdf_ocr_unreadable", pages=page_count)
            raise UnreadScanError(source, why, tuple(sorted(tally.unreadable + tally.left)))
        raise NoTextError(source, Reason("pdf_blank", pages=page_count))
    confidence = sum(tally.read) / len(tally.read) if tally.read else 0.0
    return Document(
        source=source,
        title=_title(reader, path),
        kind=kind,
        content_hash=content_hash,
        blocks=tuple(blocks),
        page_count=page_count,
        warnings=tuple(warnings),
        ocr_pages=len(tally.read),
        ocr_confidence=round(confidence, 3),
        unreadable=tuple(sorted(tally.unreadable + tally.left)),
    )


def _warnings(
    page_count: int, empty: list[int], failed: list[Reason], tally: _OcrTally, *, ocr_on: bool
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
