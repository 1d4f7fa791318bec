"""PDF with pypdf (only this module and `ingest.loaders.pdf_tree` import it): page text, page
numbers kept.

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
(`ingest.loaders.pdfium_doc`), each page loaded once and its text page made once; where it agrees
with the page count the file declares, pypdf reads only the pages it extracts, not its whole page
tree (`ingest.loaders.pdf_tree`). Time and memory bounds for hostile files are the caller's job:
the pipeline runs this loader in a worker process (see `ingest/worker.py`).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from core.errors import EncryptedError, IngestError, NoTextError
from core.reasons import Reason
from core.records import Block, Document
from ingest.loaders.pdf_headings import FontHeadings, Marks
from ingest.loaders.pdf_layout import page_blocks
from ingest.loaders.pdf_ocr import OcrTally, ocr_page, ocr_reader, page_warnings
from ingest.loaders.pdf_text import PdfiumText, clean_text
from ingest.loaders.pdf_tree import PageTree, declared_pages
from ingest.loaders.pdfium_doc import PdfiumDoc

if TYPE_CHECKING:
    from ingest.ocr import OcrConfig

_MAX_OUTLINE = 5000


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


Outline = list[tuple[int, tuple[str, ...]]]  # (0-based page, heading path) in document order


def _outline_headings(
    reader: PdfReader, pdf: PdfiumDoc | None, page_count: int
) -> list[tuple[str, ...]]:
    """For each page, the outline path in force there (the last bookmark at or before it).

    From pdfium when it opened the file: pypdf builds the whole outline and resolves every
    named destination first (a 2,415-page reference manual: 0.73 CPU s and 80 MB that its
    parser kept to the end, against 0.01 s in pdfium; the paths are the same on 163 PDFs)."""
    try:
        marks = (
            pdf.outline(page_count, _MAX_OUTLINE)
            if pdf is not None
            else _pypdf_outline(reader, page_count)
        )
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


def _pypdf_outline(reader: PdfReader, page_count: int) -> Outline:
    """The outline's titled bookmarks on a page, as pypdf reads them (`PdfiumDoc.outline`)."""
    marks: Outline = []

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

    walk(reader.outline, ())
    return marks


def _page_count(reader: PdfReader, source: str, *, declared: bool) -> int:
    """The pages the tree's root declares (`declared`, when it does), else pypdf's list of them;
    `IngestError` for a tree that cannot be read."""
    try:
        count = declared_pages(reader) if declared else None
        return count if count else len(reader.pages)
    except FileNotDecryptedError as exc:
        raise EncryptedError(source, Reason("pdf_not_decrypted")) from exc
    except (PdfReadError, RecursionError, ValueError, KeyError, TypeError, AttributeError) as exc:
        detail = _one_line(exc)
        raise IngestError(source, Reason("pdf_broken_page_tree", detail=detail)) from exc


def _page_text(tree: PageTree, number: int, fast: PdfiumText | None = None) -> str:
    """pdfium's text for a prose page; else the page's text with its columns kept (layout mode),
    plain extraction when layout mode fails or finds nothing (it trips on some broken fonts and
    streams that plain mode reads)."""
    prose = fast.prose(number - 1) if fast is not None else None
    if prose is not None:
        return clean_text(prose)
    page = tree.page(number - 1)
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


class PdfPages:
    """A PDF opened to be read page by page: `blocks()` yields each page's blocks as it is read
    (OCR included), so a long report's first chunks can be embedded while its last pages are
    read; `finish` then gives the `Document` (its warnings and OCR figures, no blocks) or raises
    when no page held text. Opening raises `IngestError` for a file that cannot be read."""

    def __init__(
        self,
        path: Path,
        *,
        source: str,
        kind: str,
        content_hash: str,
        password: str | None,
        ocr: OcrConfig | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> None:
        logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are ours to report
        self._reader = reader = _open(path, source, password)
        self._tree = PageTree(reader)
        # The count the tree declares, checked against pdfium's in `blocks` (pypdf's list of
        # pages costs ~60 KB a page on a LaTeX manual: read only when pdfium cannot help).
        self.page_count = _page_count(reader, source, declared=True)
        if self.page_count == 0:
            raise NoTextError(source, Reason("pdf_no_pages"))
        self._path, self._password, self._ocr, self._on_page = path, password, ocr, on_page
        self.head = Document(source, _title(reader, path), kind, content_hash, ())
        self._empty: list[int] = []
        self._failed: list[Reason] = []
        self._tally = OcrTally()
        self._ocr_on = False
        self._found = False  # a page held text: `blocks()` yielded something

    def blocks(self) -> Generator[Block, None, None]:
        """The pages' blocks in reading order, each page's as soon as it is read."""
        reader, source = self._reader, self.head.source
        pdf = _pdfium(self._path, self._password)
        scanner = None
        try:
            if pdf is None or len(pdf) != self.page_count:  # pypdf reads every page: as it counts
                self.page_count = _page_count(reader, source, declared=False)
                if self.page_count == 0:
                    raise NoTextError(source, Reason("pdf_no_pages"))
            page_count = self.page_count
            headings = _outline_headings(reader, pdf, page_count)
            fonts = None if any(headings) or pdf is None else FontHeadings(pdf)
            scanner = ocr_reader(self._path, self._password, self._ocr, self.head.content_hash, pdf)
            self._ocr_on = scanner is not None
            fast = PdfiumText.over(pdf, page_count)
            carried: tuple[str, ...] = ()  # the heading path the previous page ended with
            for number in range(1, page_count + 1):
                problem: Reason | None = None
                try:
                    text = _page_text(self._tree, number, fast)
                except Exception as exc:  # one bad page (bad font, broken stream) costs that page
                    text = ""
                    problem = Reason("page_problem", page=number, detail=_one_line(exc))
                if scanner is not None:  # OCR may still read a page pypdf cannot
                    read = ocr_page(scanner, number, text, self._tally)
                    text = (clean_text(read) if read is not None else "") or text
                if text.strip():
                    marks = fonts.marks(number - 1) if fonts is not None else Marks()
                    found, carried = page_blocks(text, headings[number - 1] or carried, marks)
                    for block in found:
                        self._found = True
                        yield Block(text=block.text, page=number, headings=block.headings)
                elif problem is not None:
                    self._failed.append(problem)
                else:
                    self._empty.append(number)
                if self._on_page is not None:
                    self._on_page(number, page_count)
        finally:
            if scanner is not None:
                scanner.close()
            if pdf is not None:
                pdf.close()

    def finish(self) -> Document:
        """The document once `blocks()` is through; raises when no page held text, saying
        why."""
        source, page_count, tally = self.head.source, self.page_count, self._tally
        if not self._found:
            if self._failed and not self._empty:
                raise IngestError(source, Reason("pdf_no_page_readable", detail=self._failed[0]))
            if not self._ocr_on:
                raise NoTextError(source, Reason("pdf_needs_ocr", pages=page_count))
            if tally.unreadable or tally.left:
                from ingest.ocr import UnreadScanError

                why = Reason("pdf_ocr_unreadable", pages=page_count)
                raise UnreadScanError(source, why, tuple(sorted(tally.unreadable + tally.left)))
            raise NoTextError(source, Reason("pdf_blank", pages=page_count))
        warnings = page_warnings(page_count, self._empty, self._failed, tally, ocr_on=self._ocr_on)
        confidence = sum(tally.read) / len(tally.read) if tally.read else 0.0
        return dataclasses.replace(
            self.head,
            page_count=page_count,
            warnings=tuple(warnings),
            ocr_pages=len(tally.read),
            ocr_confidence=round(confidence, 3),
            unreadable=tuple(sorted(tally.unreadable + tally.left)),
        )


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
    """The whole PDF as one `Document` (`PdfPages`, read to the end)."""
    pages = PdfPages(
        path, source=source, kind=kind, content_hash=content_hash, password=password, ocr=ocr,
        on_page=on_page,
    )  # fmt: skip
    blocks = tuple(pages.blocks())
    return dataclasses.replace(pages.finish(), blocks=blocks)
