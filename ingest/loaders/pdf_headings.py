"""Headings from the page itself, for PDFs without an outline: font size, weight, slant, numbering.

A line is a heading when it is short, reads like a title (a capital or a section number first, no
sentence end, few figures) and is set apart from the page's body text: larger, or bold or italic
where the body is neither, or numbered like "1.2" / "§ 4". pdfium reports each character's font;
`FontHeadings` samples three characters of every line (first, middle, last), so a run-in bold
lead ("**Product.** Our product revenue…") is not taken for a heading, and hands
`ingest.loaders.pdf_layout.page_blocks` the page's heading lines as `Marks`: a key per line
(`line_key`, whitespace-free and case-folded, so pypdf's layout text and pdfium's text meet) with
its rank (larger and bolder is outer). pypdf keeps extracting the text; this module only says
which of its lines are headings. Everything past opening the file is best effort: a page pdfium
cannot read has no marks, never less text.

Measured: 7.7 CPU ms a page over the 10 FinanceBench-dev filings and GeoTopo (1,205 pages, on
a busy machine; pypdf's layout extraction of the same pages takes 40-200 ms). On GeoTopo
(German, 117 pages), with its outline ignored, the page's first heading path holds the outline's
deepest heading for 88 of the 112 pages that have one (0 without font headings). On
FinanceBench-dev (MiniLM, top 6) evidence hit@6 lost one of 27 questions in each scope and won
one back at 10 sources; citation precision rose (README, "Long reports").
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ingest.loaders.pdfium_doc import PdfiumDoc

_NUMBERED = re.compile(r"^(§\s*\d+[a-z]?|\d{1,2}(\.\d{1,2}){0,3}\.?)\s+\S")
_DEEP_NUMBER = re.compile(r"^\d{1,2}(\.\d{1,2}){1,3}\.?\s+\S")
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demi", re.I)
_ITALIC_NAME = re.compile(r"italic|oblique", re.I)
_NOISE = re.compile(r"^(table of contents|inhaltsverzeichnis|contents|page \d+|seite \d+)$", re.I)
_ITALIC_FLAG = 1 << 6  # PDF font descriptor flag "Italic"
MAX_CHARS = 90
MAX_WORDS = 12
LARGER = 1.12  # a line this much larger than the body is set apart by size alone


@dataclass(frozen=True, slots=True)
class StyledLine:
    """One line of a page as pdfium sets it: the font of its first, middle and last character."""

    text: str
    size: float
    bold: bool
    italic: bool
    uniform: bool  # the three sampled characters share size, weight and slant


@dataclass(frozen=True, slots=True)
class Marks:
    """A page's heading lines (`line_key` -> rank) and the ranks of every heading seen before."""

    page: Mapping[str, int] = field(default_factory=dict)
    known: Mapping[str, int] = field(default_factory=dict)


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def line_key(text: str) -> str:
    """A line as both extractors agree on it: no whitespace, straight quotes, case-folded."""
    return "".join(text.split()).translate(_QUOTES).casefold()


def _style_rank(size: float, bold: bool, italic: bool) -> int:
    return round(size * 2) * 4 + 2 * bold + italic


def reads_like_heading(text: str) -> bool:
    """Short, starts with a capital or a section number, no sentence end, not a row of figures."""
    t = " ".join(text.split())
    if not 2 <= len(t) <= MAX_CHARS or len(t.split()) > MAX_WORDS or _NOISE.match(t):
        return False
    if t[-1] in ".,;:":
        return False
    letters = sum(c.isalpha() for c in t)
    digits = sum(c.isdigit() for c in t)
    if letters < 2 or digits > 0.3 * (letters + digits) or t[0] in "($€£•*-–—_=+|[\"'":
        return False
    if _NUMBERED.match(t):
        return True
    first = next(c for c in t if c.isalpha())
    return first.isupper()


def body_style(lines: Iterable[StyledLine]) -> tuple[float, bool, bool]:
    """The page's most common (size, bold, italic), weighted by characters."""
    weights: Counter[tuple[float, bool, bool]] = Counter()
    for line in lines:
        weights[(round(line.size * 2) / 2, line.bold, line.italic)] += len(line.text)
    return weights.most_common(1)[0][0] if weights else (0.0, False, False)


def heading_marks(lines: list[StyledLine]) -> dict[str, int]:
    """The page's heading lines: `line_key` -> rank (higher is outer)."""
    size, bold, italic = body_style(lines)
    body = _style_rank(size, bold, italic)
    marks: dict[str, int] = {}
    for line in lines:
        if not reads_like_heading(line.text):
            continue
        if line.size < size * 0.95 or not size:
            continue  # footnotes, captions in small print
        larger = line.size >= size * LARGER
        weightier = line.size >= size * 0.95 and (
            (line.bold and not bold) or (line.italic and not (italic or bold or line.bold))
        )
        if line.uniform and (larger or weightier):
            marks[line_key(line.text)] = _style_rank(line.size, line.bold, line.italic)
        elif _DEEP_NUMBER.match(" ".join(line.text.split())):  # "2.3 Rücklagen" in body type
            marks.setdefault(line_key(line.text), body + 1)
    return marks


class FontHeadings:
    """One PDF's fonts through pdfium, on the loader's shared `PdfiumDoc`; `marks(index)` gives
    a page's heading lines.

    Ranks seen on earlier pages are kept, so a heading path carried across pages knows how its
    outer heading compares with a new one."""

    def __init__(self, pdf: PdfiumDoc, *, owned: bool = False) -> None:
        self._pdf = pdf
        self._owned = owned
        self._known: dict[str, int] = {}

    @classmethod
    def open(cls, path: Path, password: str | None) -> FontHeadings:
        """Over a PDF of its own, closed with it; raises when pdfium cannot open the file."""
        return cls(PdfiumDoc.open(path, password), owned=True)

    def lines(self, index: int) -> list[StyledLine]:
        """The styled lines of page `index` (0-based)."""
        import pypdfium2.raw as raw

        textpage = self._pdf.textpage(index)
        text = self._pdf.text(index)
        name = ctypes.create_string_buffer(128)
        flags = ctypes.c_int()

        def style(i: int) -> tuple[float, bool, bool]:
            size = float(raw.FPDFText_GetFontSize(textpage.raw, i))
            weight = int(raw.FPDFText_GetFontWeight(textpage.raw, i))
            raw.FPDFText_GetFontInfo(textpage.raw, i, name, len(name), ctypes.byref(flags))
            font = name.value.decode("latin-1", errors="replace")
            bold = weight >= 600 or bool(_BOLD_NAME.search(font))
            italic = bool(flags.value & _ITALIC_FLAG) or bool(_ITALIC_NAME.search(font))
            return round(size, 1), bold, italic

        out: list[StyledLine] = []
        for start, end in _line_spans(text):
            picks = _samples(text, start, end)
            if not picks:
                continue
            styles = [style(i) for i in picks]
            size, bold, italic = styles[len(styles) // 2]
            same = all(s == styles[0] for s in styles)
            out.append(StyledLine(text[start:end].strip(), size, bold, italic, same))
        return out

    def marks(self, index: int) -> Marks:
        try:
            found = heading_marks(self.lines(index))
        except Exception:  # a page pdfium cannot read has no marks; its text is pypdf's
            found = {}
        self._known.update(found)
        return Marks(page=found, known=dict(self._known))

    def close(self) -> None:
        if self._owned:
            self._pdf.close()


def _line_spans(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    for i, ch in enumerate(text):
        if ch in "\r\n":
            if i > start:
                yield start, i
            start = i + 1
    if start < len(text):
        yield start, len(text)


def _samples(text: str, start: int, end: int) -> list[int]:
    """Indices of the first, middle and last non-blank characters of text[start:end]."""
    solid = [i for i in range(start, end) if not text[i].isspace()]
    if not solid:
        return []
    return sorted({solid[0], solid[len(solid) // 2], solid[-1]})
