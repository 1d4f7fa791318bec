"""A cited PDF page as a PNG, rendered offline with pypdfium2.

`find_source_file` maps a citation's source name back to a file under the data directory (the
sample corpus or the uploads), never outside it; `page_with_text` finds which page of a chunk
that spans pages holds the cited sentence; `render_page_png` draws one page.
"""

from __future__ import annotations

import io
from pathlib import Path

from core.settings import Settings

PAGE_WIDTH_PX = 900
CROP_ABOVE, CROP_BELOW = 0.12, 0.25  # of the page's height, around the marked sentence
HIGHLIGHT = (255, 214, 0, 255)  # the cited sentence, drawn over the page like a marker pen


def find_source_file(settings: Settings, source: str, collection: str) -> Path | None:
    """The file under `settings.data_dir` that the source name refers to, or None.

    Uploads of the collection come first, then any file under the data directory whose path ends
    with the source name. Anything that resolves outside the data directory is ignored.
    """
    if not source or ".." in Path(source).parts or Path(source).is_absolute():
        return None
    root = settings.data_dir.resolve()
    if not root.is_dir():
        return None
    candidates = [root / "uploads" / collection / source, root / source]
    candidates += sorted(p for p in root.rglob(Path(source).name) if p.is_file())
    wanted = Path(source).parts
    for candidate in candidates:
        path = candidate.resolve()
        if path.is_file() and path.is_relative_to(root) and path.parts[-len(wanted) :] == wanted:
            return path
    return None


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


def render_page_png(
    path: Path, page: int, *, width: int = PAGE_WIDTH_PX, highlight: str = "", crop: bool = False
) -> bytes | None:
    """Page `page` (1-based) of the PDF as PNG bytes; None if it cannot be drawn.

    `highlight` is marked where it is found on the page; with `crop`, the image is cut to the
    band of the page around it (the whole page when it is not found).
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
        scale = width / max(pdf_page.get_width(), 1.0)
        image = pdf_page.render(scale=scale).to_pil().convert("RGBA")
        textpage = pdf_page.get_textpage()
        span = quote_span(textpage.get_text_range(), highlight) if highlight else None
        if span is not None:
            layer = image.copy()
            pen = ImageDraw.Draw(layer)
            height = pdf_page.get_height()
            boxes = []
            for index in range(textpage.count_rects(span[0], span[1] - span[0])):
                left, bottom, right, top = textpage.get_rect(index)
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
