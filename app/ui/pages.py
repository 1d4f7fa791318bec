"""A cited PDF page as a PNG, rendered offline with pypdfium2.

`find_source_file` maps a citation's source name back to a file under the data directory (the
sample corpus or the uploads), never outside it; `page_with_text` finds which page of a chunk
that spans pages holds the cited sentence; `render_page_png` draws one page.
"""

from __future__ import annotations

import io
from pathlib import Path

from app.settings import Settings

PAGE_WIDTH_PX = 900


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


def page_with_text(path: Path, first: int, last: int, quote: str) -> int | None:
    """Which page in first..last (1-based) holds `quote`, compared without whitespace or case."""
    import pypdfium2 as pdfium

    wanted = "".join(quote.split()).casefold()
    if not wanted:
        return None
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return None
    try:
        for number in range(max(first, 1), min(last, len(document)) + 1):
            text = document[number - 1].get_textpage().get_text_range()
            if wanted in "".join(text.split()).casefold():
                return number
        return None
    except pdfium.PdfiumError:
        return None
    finally:
        document.close()


def render_page_png(path: Path, page: int, *, width: int = PAGE_WIDTH_PX) -> bytes | None:
    """Page `page` (1-based) of the PDF at `path` as PNG bytes; None when it cannot be drawn."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return None
    try:
        if not 1 <= page <= len(document):
            return None
        pdf_page = document[page - 1]
        scale = width / max(pdf_page.get_width(), 1.0)
        image = pdf_page.render(scale=scale).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()
    except pdfium.PdfiumError:
        return None
    finally:
        document.close()
