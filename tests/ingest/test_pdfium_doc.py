"""One PDF opened once in pdfium per load, each page and text page made once (pdfium_doc.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from ingest.loaders import load
from ingest.loaders.pdfium_doc import PdfiumDoc
from ingest.ocr import OcrConfig
from tests.pdf_factory import make_pdf

PROSE = (
    "Every team reads the safety chapter before its first shift, and the night crew signs the "
    "register at the gate. Questions about the rota go to the office, which answers them "
    "within two working days. The handbook is reviewed each spring by the committee."
)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count the documents pdfium opens, the pages it loads and the text pages it makes."""
    counts = {"documents": 0, "pages": 0, "textpages": 0}
    open_document, get_page = pdfium.PdfDocument.__init__, pdfium.PdfDocument.get_page
    get_textpage = pdfium.PdfPage.get_textpage

    def opened(self: Any, *args: Any, **kwargs: Any) -> None:
        counts["documents"] += 1
        open_document(self, *args, **kwargs)

    def page(self: Any, index: int) -> Any:
        counts["pages"] += 1
        return get_page(self, index)

    def textpage(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts["textpages"] += 1
        return get_textpage(self, *args, **kwargs)

    monkeypatch.setattr(pdfium.PdfDocument, "__init__", opened)
    monkeypatch.setattr(pdfium.PdfDocument, "get_page", page)
    monkeypatch.setattr(pdfium.PdfPage, "get_textpage", textpage)
    return counts


def test_load_opens_the_pdf_once_and_each_page_once(
    tmp_path: Path, counted: dict[str, int]
) -> None:
    path = tmp_path / "handbook.pdf"  # no outline: font headings read every page too
    path.write_bytes(make_pdf([PROSE, "Short page.", PROSE]))

    document = load(path, root=tmp_path, ocr=OcrConfig(cache_path=None))

    assert {b.page for b in document.blocks} == {1, 2, 3}
    assert counted == {"documents": 1, "pages": 3, "textpages": 3}


def test_pdfium_doc_shares_a_page_and_closes_text_page_page_then_document(
    tmp_path: Path,
) -> None:
    path = tmp_path / "two.pdf"
    path.write_bytes(make_pdf([PROSE, "Second page of the handbook."]))
    pdf = PdfiumDoc.open(path, None)
    first = pdf.page(0)
    textpage = pdf.textpage(0)
    assert pdf.page(0) is first and pdf.textpage(0) is textpage
    assert "night crew" in pdf.text(0)

    second = pdf.textpage(1)  # moving on closes the previous page's text page, then the page

    assert textpage.raw is None and first.raw is None
    assert "Second page" in pdf.text(1)
    pdf.close()
    assert second.raw is None
