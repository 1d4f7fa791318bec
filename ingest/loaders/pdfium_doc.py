"""One PDF opened once in pdfium, shared by everything that reads it there during one load.

The PDF loader reads a file's prose pages (`ingest.loaders.pdf_text`), the fonts of its lines
(`ingest.loaders.pdf_headings`) and, for scanned pages, their objects and pixels (`ingest.ocr`)
through pdfium. Each of them used to open the file and load each page for itself: up to three
documents and three loads of a page, two of them with its text page (pdfium's text and character
index, the costly part). `PdfiumDoc` opens the file once, keeps the page being read and its text
page open while the readers take turns on it, and closes them when the loader moves to another
page. pdfium objects are not thread-safe and must be closed in order (the text page, then the
page, then the document): one loader in one thread owns a `PdfiumDoc`, and `close` keeps that
order. A page pdfium cannot load raises for each reader that asks, as it did when each loaded
it for itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdfium2 as pdfium


class PdfiumDoc:
    """A PDF in pdfium with the page being read (and its text page) kept open; close it."""

    def __init__(self, document: Any) -> None:
        self._document = document
        self._index = -1
        self._page: Any = None
        self._textpage: Any = None
        self._text: str | None = None

    @classmethod
    def open(cls, path: Path, password: str | None) -> PdfiumDoc:
        """The PDF with the password given, else with none (a file given a password it does not
        need opens without one, as in the pypdf loader). Raises when pdfium refuses the file."""
        try:
            document = pdfium.PdfDocument(str(path), password=password)
        except pdfium.PdfiumError:
            if not password:
                raise
            document = pdfium.PdfDocument(str(path), password=None)
        return cls(document)

    def __len__(self) -> int:
        return len(self._document)

    def outline(self, page_count: int, limit: int) -> list[tuple[int, tuple[str, ...]]]:
        """The outline's bookmarks with a title and a page below `page_count`, in document
        order, as (0-based page, path of titles from the top), at most `limit` of them. A
        bookmark without a title hands its parent's path to its children."""
        marks: list[tuple[int, tuple[str, ...]]] = []
        paths: list[tuple[str, ...]] = []  # the path of the open bookmark at each level
        for bookmark in self._document.get_toc(max_depth=64):
            if len(marks) >= limit:
                break
            del paths[bookmark.level :]
            parent = paths[-1] if paths else ()
            title = " ".join((bookmark.get_title() or "").split())
            paths.append((*parent, title) if title else parent)
            dest = bookmark.get_dest()
            page = dest.get_index() if dest is not None else None
            if title and page is not None and 0 <= page < page_count:
                marks.append((page, paths[-1]))
        return marks

    def page(self, index: int) -> Any:
        """Page `index` (0-based), open until another page is asked for or the PDF is closed."""
        if index != self._index or self._page is None:
            self._release()
            self._page = self._document[index]
            self._index = index
        return self._page

    def textpage(self, index: int) -> Any:
        """Page `index`'s text page, made once however many readers ask for it."""
        page = self.page(index)
        if self._textpage is None:
            self._textpage = page.get_textpage()
        return self._textpage

    def text(self, index: int) -> str:
        """Page `index`'s whole text as pdfium reads it (CRLF line ends)."""
        textpage = self.textpage(index)
        if self._text is None:
            self._text = str(textpage.get_text_range())
        return self._text

    def _release(self) -> None:
        textpage, page = self._textpage, self._page
        self._textpage = self._page = self._text = None
        self._index = -1
        if textpage is not None:
            textpage.close()
        if page is not None:
            page.close()

    def close(self) -> None:
        """Close the open page's text page, the page, then the document."""
        try:
            self._release()
        finally:
            self._document.close()
