"""A cited PDF page as a PNG, rendered offline with pypdfium2.

`find_source_file` maps a citation's source name back to its file, after the access check, and
only inside that collection: its upload folder or the exact path recorded when it was ingested
(`app.sources`), never by searching for the name, never outside the data directory.
`page_with_text` finds which page of a chunk that spans pages holds the cited sentence;
`render_page_png` draws one page, bounded in pixels (`MAX_PIXELS`): a thin, tall page is
scaled down instead of becoming a bitmap of hundreds of megapixels; `page_preview` wraps it
so a failure is one line, never a traceback.
On a scanned page (no text layer) the cited passage is marked from the OCR word boxes kept
at ingest (`ocr_quote_boxes`).
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.sources import find_source_file as find_source_file  # where the preview looks
from ingest.ocr_cache import OcrCache
from ingest.ocr_text import BoxPt, boxes_for_quote

log = logging.getLogger(__name__)

PAGE_WIDTH_PX = 900
MAX_PIXELS = 4_000_000  # a page preview's bitmap, at most (about 16 MB as RGBA)
CROP_ABOVE, CROP_BELOW = 0.12, 0.25  # of the page's height, around the marked sentence
HIGHLIGHT = (255, 214, 0, 255)  # the cited sentence, drawn over the page like a marker pen


def _squeezed(text: str) -> tuple[str, list[int]]:
    """`text` without whitespace, case-folded, and where each kept character came from."""
    kept: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if not char.isspace():
            kept.append(char.casefold())
            origin.append(index)
    return "".join(kept), origin


def quote_span(text: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` sits in a page's text, ignoring whitespace and case, as a slice of `text`."""
    wanted, _ = _squeezed(quote)
    haystack, origin = _squeezed(text)
    at = haystack.find(wanted) if wanted else -1
    if at < 0:
        return None
    return origin[at], origin[at + len(wanted) - 1] + 1


def ocr_quote_boxes(cache: Path, doc_hash: str, page: int, quote: str) -> list[BoxPt]:
    """The OCR word boxes (PDF points) that spell `quote` on page `page` of the ingested file
    with content hash `doc_hash`; [] when the page was not OCR'd or the quote is not on it."""
    if not quote or not doc_hash or not cache.is_file():
        return []
    store = OcrCache(cache)
    try:
        read = store.page_of(doc_hash, page)
    finally:
        store.close()
    return boxes_for_quote(read.words, quote) if read else []


def page_with_text(path: Path, first: int, last: int, quote: str) -> int | None:
    """Which page in first..last (1-based) holds `quote`, compared without whitespace or case."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return None
    try:
        for number in range(max(first, 1), min(last, len(document)) + 1):
            text = document[number - 1].get_textpage().get_text_range()
            if quote_span(text, quote) is not None:
                return number
        return None
    except pdfium.PdfiumError:
        return None
    finally:
        document.close()


def preview_scale(page_width: float, page_height: float, width: int) -> float:
    """The scale that draws the page `width` pixels wide, or smaller so that the bitmap stays
    within `MAX_PIXELS`."""
    page_width, page_height = max(page_width, 1.0), max(page_height, 1.0)
    scale = width / page_width
    # +1 on each side: the renderer rounds each dimension up to whole pixels
    if (page_width * scale + 1) * (page_height * scale + 1) > MAX_PIXELS:
        scale = math.sqrt(MAX_PIXELS / ((page_width + 1) * (page_height + 1)))
    return scale


@dataclass(frozen=True, slots=True)
class PagePreview:
    png: bytes | None
    problem: str = ""  # one line when the page could not be drawn


def page_preview(
    path: Path,
    page: int,
    *,
    highlight: str = "",
    crop: bool = False,
    scanned: Sequence[BoxPt] = (),
) -> PagePreview:
    """`render_page_png`, with any failure (memory, a broken file) turned into one line."""
    try:
        png = render_page_png(path, page, highlight=highlight, crop=crop, scanned=scanned)
    except (MemoryError, OSError, ValueError) as error:
        log.warning("page preview of %s, page %d failed: %r", path.name, page, error)
        return PagePreview(None, f"Could not draw page {page} of {path.name}.")
    if png is None:
        return PagePreview(None, f"Could not draw page {page} of {path.name}.")
    return PagePreview(png)


def render_page_png(
    path: Path,
    page: int,
    *,
    width: int = PAGE_WIDTH_PX,
    highlight: str = "",
    crop: bool = False,
    scanned: Sequence[BoxPt] = (),
) -> bytes | None:
    """Page `page` (1-based) of the PDF as PNG bytes; None if it cannot be drawn.

    `highlight` is marked where it is found on the page's text layer, else the `scanned` boxes
    (OCR word boxes in PDF points) are; with `crop`, the image is cut to the band of the page
    around the mark (the whole page when there is none).
    """
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return None
    try:
        if not 1 <= page <= len(document):
            return None
        pdf_page = document[page - 1]
        scale = preview_scale(pdf_page.get_width(), pdf_page.get_height(), width)
        image = pdf_page.render(scale=scale).to_pil().convert("RGBA")
        textpage = pdf_page.get_textpage()
        span = quote_span(textpage.get_text_range(), highlight) if highlight else None
        rects = list(scanned)
        if span is not None:
            count = textpage.count_rects(span[0], span[1] - span[0])
            rects = [textpage.get_rect(index) for index in range(count)]
        if rects:
            layer = image.copy()
            pen = ImageDraw.Draw(layer)
            height = pdf_page.get_height()
            boxes = []
            for left, bottom, right, top in rects:
                boxes.append((left * scale - 2, (height - top) * scale - 2,
                              right * scale + 2, (height - bottom) * scale + 2))  # fmt: skip
                pen.rectangle(boxes[-1], fill=HIGHLIGHT)
            image = Image.blend(image, layer, 0.45)
            if crop and boxes:  # the part of the page around the sentence, not a sea of white
                pixels = image.height
                upper = max(0, int(min(b[1] for b in boxes) - CROP_ABOVE * pixels))
                lower = min(pixels, int(max(b[3] for b in boxes) + CROP_BELOW * pixels))
                image = image.crop((0, upper, image.width, lower))
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()
    except pdfium.PdfiumError:
        return None
    finally:
        document.close()
