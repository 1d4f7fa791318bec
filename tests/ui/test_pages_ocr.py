"""The page preview marks a cited passage on a scan, from the OCR word boxes kept at ingest."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.ui.pages import ocr_quote_boxes, render_page_png
from ingest import ocr
from ingest.loaders import load
from ingest.ocr import OcrConfig
from tests.ocr_corpus import scanned_pdf

pytestmark = pytest.mark.skipif(not ocr.available(), reason="tesserocr or its models missing")


def _yellow_rows(png: bytes) -> list[int]:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    rows = []
    for y in range(0, image.height, 2):
        hits = 0
        for x in range(0, image.width, 3):
            r, g, b = image.getpixel((x, y))  # type: ignore[misc]
            hits += r > 200 and g > 150 and b < 120
        if hits > 5:
            rows.append(y)
    return rows


def test_scan_preview_marks_the_cited_sentence_from_ocr_boxes(tmp_path: Path) -> None:
    pdf, texts = scanned_pdf("de", 1)
    path = tmp_path / "vertrag.pdf"
    path.write_bytes(pdf)
    cache = tmp_path / "ocr.sqlite"
    document = load(path, root=tmp_path, ocr=OcrConfig(cache_path=cache))
    quote = texts[0].split("\n")[1].split(". ")[0]  # the first sentence under the heading

    boxes = ocr_quote_boxes(cache, document.content_hash, 1, quote)
    marked = render_page_png(path, 1, width=600, highlight=quote, scanned=boxes)
    plain = render_page_png(path, 1, width=600)

    assert len(boxes) >= len(quote.split()) - 1  # about one box per word
    assert all(box[0] >= 50 and box[3] < 790 for box in boxes)  # below the heading line
    assert marked and plain and marked != plain
    rows = _yellow_rows(marked)
    assert rows and max(rows) < 0.3 * 600 * 842 / 612  # marked near the top, where it was drawn
    assert ocr_quote_boxes(cache, document.content_hash, 1, "nicht auf der Seite") == []
    assert ocr_quote_boxes(cache, "another-file", 1, quote) == []
