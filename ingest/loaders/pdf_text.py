"""Prose page text from pdfium, ~15x cheaper than pypdf's layout mode; table pages are left to it.

pypdf's layout-mode extraction is 80-89 % of an offline ingest's CPU (22-130 ms a page); pdfium
(pypdfium2, C++) reads the same text in 1.5-6 ms. `PdfiumText.prose(index)` gives a page's text
from pdfium only when the page is plain prose; it returns None, and the loader keeps its pypdf
layout path (tables as Markdown rows, `ingest.loaders.pdf_layout`), when the page

- may hold a table (`may_hold_table`): three or more lines that read like a statement's row
  (`figure_rows`: a label and figures punctuated like money), or a run of `pdf_layout.table_runs`
  over the page's figure lines rebuilt from pdfium's character boxes (a gap over 0.8 em, or 2.5x
  the line's narrowest, breaks a cell) with 3+ rows holding a figure past their first cell
  (tables of contents and numbered code listings are prose). Measured against today's layout
  detector on FinanceBench-dev (1,088 pages; /work/scratch/w-pdfium/detect4.py): recall 0.968
  (426 of 440) of the pages whose runs hold 3+ rows of figures, precision 0.79; 0.846 of all
  532 pages it finds any run on (the others are justified prose and code listings that layout
  mode cuts into "cells"); 1.8 ms a page. On the 3,904 pages of Debian manuals of
  bench_peers, 81 % of the pages take pdfium;
- is fragmented (pdfium puts one glyph a line on some rotated or hand-placed pages);
- has fewer than 200 clean characters or garbled ones (`ingest.ocr_gate.text_quality`), so the
  OCR decision is taken on pypdf's text, as before (pages with 200+ clean characters are never
  OCR'd, whichever library read them);
- or pdfium cannot read it. A file pdfium cannot open, or whose page count differs from pypdf's,
  is read by pypdf whole.

pdfium marks a hyphen that ends a line with U+FFFE and joins the two lines; it is written back
as "-" (both soft hyphens, "func-tion", and real ones, "third-party", occur: pypdf keeps both as
"-" too). Compared with pypdf's text on the pages that take pdfium: the same words on R-FAQ and
Adobe's 10-K; on a German LaTeX script (GeoTopo, 67 pages) the same 714 umlauts, ligatures
expanded ("definition" where pypdf leaves "deﬁnition", 262 times) and math symbols kept.
"""

from __future__ import annotations

import ctypes
import re
from pathlib import Path
from typing import Any

import pypdfium2.raw as pdfium_c

from ingest.loaders.pdf_layout import MIN_TABLE_ROWS, cells, is_numeric, table_runs
from ingest.loaders.pdfium_doc import PdfiumDoc
from ingest.ocr_gate import text_quality

MIN_CHARS = 200  # the OCR gate's "never OCR" bar: shorter pages take the pypdf path
CELL_GAP = 0.8  # a gap wider than this many ems breaks a cell (or 2.5x the line's narrowest)
_FIGURE = re.compile(r"[\d—–]")
_FIGURE_MARK = re.compile(r"[\d—–-]")  # what every figure holds, a nil "-" included
_GAP = re.compile(r"\S\s+(?=\S)")
_STATEMENT_FIGURE = re.compile(r"[,%$().]|^[—–-]$")  # 1,234 / 12% / $7 / (56) / 3.4 / —
_DOLLAR = re.compile(r"\$\s+(?=[\d(])")
_LEADER = re.compile(r"(\.\s?){4,}")  # a table of contents' dot leaders


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Text as chunks store it: valid UTF-8, no control characters, `\\n` line ends."""
    text = text.encode("utf-8", errors="replace").decode("utf-8")  # lone surrogates -> '?'
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text)


def _layout_lines(textpage: Any, text: str) -> str:
    """`text` (pdfium's, CRLF lines) with the wide gaps of its figure lines as runs of spaces,
    the shape `pdf_layout.table_runs` reads; lines without figures are left as they are."""
    out: list[str] = []
    handle = textpage.raw
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    boxes = (ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))

    def box(index: int) -> tuple[float, float]:
        pdfium_c.FPDFText_GetCharBox(handle, index, *boxes)
        return left.value, right.value

    position = 0
    for line in text.split("\r\n"):
        start, position = position, position + len(line) + 2
        if not _FIGURE.search(line) or _LEADER.search(line):
            out.append(line)
            continue
        gaps = [
            (gap, box(start + gap.end())[0] - box(start + gap.start())[1])
            for gap in _GAP.finditer(line)
        ]
        size = pdfium_c.FPDFText_GetFontSize(handle, start + len(line) - len(line.lstrip())) or 10.0
        narrowest = min((width for _, width in gaps), default=0.0)
        pieces: list[str] = []
        last = 0
        for gap, width in gaps:
            wide = (
                width > CELL_GAP * size
                or (width > 0.3 * size and width > 2.5 * max(narrowest, 0.0))
                or width < -1
                or line[gap.end()] == "$"
            )
            pieces += [line[last : gap.start() + 1], "   " if wide else " "]
            last = gap.end()
        out.append("".join([*pieces, line[last:]]))
    return "\n".join(out)


def figure_rows(text: str) -> int:
    """Lines that read like a statement's row whatever their spacing: a label and two or more
    figures, one of them punctuated like money (1,234 / (56) / 12% / $7), or three figures,
    two of them so. Catches the tables whose cells pdfium sets closer than the gap rule sees."""
    rows = 0
    for line in text.splitlines():
        if not _FIGURE_MARK.search(line):  # no digit, no dash: no figure (`is_numeric`)
            continue
        tokens = _DOLLAR.sub("$", line).split()
        figures = [t for t in tokens if is_numeric(t)]
        money = sum(bool(_STATEMENT_FIGURE.search(t)) for t in figures)
        labelled = len(figures) >= 2 and money >= 1 and not is_numeric(tokens[0])
        rows += labelled or (len(figures) >= 3 and money >= 2)
    return rows


def may_hold_table(textpage: Any, text: str) -> bool:
    """Whether the page may hold a table that pypdf's layout mode should read (see above)."""
    if figure_rows(text) >= MIN_TABLE_ROWS or fragmented(text):
        return True
    lines = _layout_lines(textpage, text).splitlines()
    for first, last in table_runs("\n".join(lines)):
        figures = sum(any(map(is_numeric, cells(line)[1:])) for line in lines[first : last + 1])
        if figures >= MIN_TABLE_ROWS:  # not code with line numbers, nor prose in columns
            return True
    return False


def fragmented(text: str) -> bool:
    """One or two glyphs a line on most lines: pdfium lost the page's reading order."""
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= 20 and sum(len(line.strip()) <= 2 for line in lines) > 0.3 * len(lines)


def is_prose(text: str) -> bool:
    """Whether pdfium's text of a page is long and clean enough to take as it is."""
    quality = text_quality(text)
    return (
        quality.chars >= MIN_CHARS and quality.bad_ratio <= 0.05 and quality.vowelless_ratio <= 0.3
    )


def mend(text: str) -> str:
    """pdfium's page text with `\\n` line ends and its line-end hyphen marks as "-"."""
    return text.replace("\ufffe", "-").replace("\x02", "-").replace("\r\n", "\n")


class PdfiumText:
    """One PDF's prose pages through pdfium, on the loader's shared `PdfiumDoc`."""

    def __init__(self, pdf: PdfiumDoc, *, owned: bool = False) -> None:
        self._pdf = pdf
        self._owned = owned

    @classmethod
    def over(cls, pdf: PdfiumDoc | None, page_count: int) -> PdfiumText | None:
        """Prose from `pdf`, or None when pdfium could not open it or its page count differs
        from pypdf's (the two disagree on the page tree: trust pypdf)."""
        if pdf is None or len(pdf) != page_count:
            return None
        return cls(pdf)

    @classmethod
    def open(cls, path: Path, password: str | None, page_count: int) -> PdfiumText | None:
        """`over` a PDF of its own, closed with it; None when pdfium cannot read it."""
        try:
            pdf = PdfiumDoc.open(path, password)
        except Exception:  # pdfium refuses the file: pypdf reads it whole
            return None
        if len(pdf) != page_count:
            pdf.close()
            return None
        return cls(pdf, owned=True)

    def prose(self, index: int) -> str | None:
        """Page `index`'s (0-based) text when it is prose; None sends it to pypdf."""
        try:
            textpage = self._pdf.textpage(index)
            text = self._pdf.text(index)
            if not is_prose(text) or may_hold_table(textpage, text):
                return None
            return mend(text)
        except Exception:  # a page pdfium cannot read goes to pypdf
            return None

    def close(self) -> None:
        if self._owned:
            self._pdf.close()
