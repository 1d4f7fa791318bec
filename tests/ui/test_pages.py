from __future__ import annotations

from pathlib import Path

import pytest

from app.ui.pages import find_source_file, page_with_text, quote_span, render_page_png
from core.settings import Settings
from tests.pdf_factory import make_pdf

PNG = b"\x89PNG\r\n\x1a\n"


def _settings(data: Path) -> Settings:
    return Settings(_env_file=None, data_dir=data)  # type: ignore[call-arg]


def test_render_page_png_draws_existing_page_only(tmp_path: Path) -> None:
    pdf = tmp_path / "h.pdf"
    pdf.write_bytes(make_pdf(["Page one text.", "Page two text."]))
    image = render_page_png(pdf, 2, width=300)
    assert image is not None and image.startswith(PNG)
    assert render_page_png(pdf, 3) is None
    assert render_page_png(pdf, 0) is None


def test_render_page_png_broken_file_is_none(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    assert render_page_png(bad, 1) is None


def test_find_source_file_prefers_collection_uploads(tmp_path: Path) -> None:
    (tmp_path / "sample").mkdir()
    (tmp_path / "uploads" / "docs").mkdir(parents=True)
    (tmp_path / "sample" / "h.pdf").write_bytes(b"a")
    (tmp_path / "uploads" / "docs" / "h.pdf").write_bytes(b"b")
    settings = _settings(tmp_path)
    assert (
        find_source_file(settings, "h.pdf", "docs") == (tmp_path / "uploads/docs/h.pdf").resolve()
    )
    assert find_source_file(settings, "h.pdf", "other") == (tmp_path / "sample/h.pdf").resolve()


def test_find_source_file_never_leaves_the_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "secret.pdf").write_bytes(b"x")
    (data / "link.pdf").symlink_to(tmp_path / "secret.pdf")
    settings = _settings(data)
    assert find_source_file(settings, "../secret.pdf", "docs") is None
    assert find_source_file(settings, str(tmp_path / "secret.pdf"), "docs") is None
    assert find_source_file(settings, "link.pdf", "docs") is None
    assert find_source_file(settings, "missing.pdf", "docs") is None


def test_page_with_text_finds_the_page_of_a_quote(tmp_path: Path) -> None:
    pdf = tmp_path / "h.pdf"
    pdf.write_bytes(make_pdf(["Welcome to the company.", "Employees get 30   vacation days."]))
    assert page_with_text(pdf, 1, 2, "employees get 30 vacation days.") == 2
    assert page_with_text(pdf, 1, 1, "Employees get 30 vacation days.") is None
    assert page_with_text(pdf, 1, 2, "not in there") is None
    assert page_with_text(pdf, 1, 2, "") is None


def test_render_page_png_highlight_marks_the_quote(tmp_path: Path) -> None:
    import io

    from PIL import Image

    pdf = tmp_path / "h.pdf"
    pdf.write_bytes(make_pdf(["Intro line.\nEmployees get 30 vacation days per year."]))
    plain = render_page_png(pdf, 1, width=300)
    marked = render_page_png(pdf, 1, width=300, highlight="Employees get 30 vacation days")
    assert plain and marked and plain != marked
    image = Image.open(io.BytesIO(marked)).convert("RGB")
    width, height = image.size
    pixels = (image.getpixel((x, y)) for x in range(0, width, 2) for y in range(0, height // 3, 2))
    yellowish = sum(1 for r, g, b in pixels if r > 200 and g > 150 and b < 120)  # type: ignore[misc]
    assert yellowish > 25
    assert render_page_png(pdf, 1, width=300, highlight="not on the page") == plain


@pytest.mark.parametrize(
    ("text", "quote", "span"),
    [
        ("Vacation\r\nFull-time staff get 30 days.", "full-time staff get 30 days.", (10, 38)),
        ("abc", "", None),
        ("abc", "xyz", None),
    ],
)
def test_quote_span_table(text: str, quote: str, span: tuple[int, int] | None) -> None:
    assert quote_span(text, quote) == span


def test_render_page_png_crop_keeps_the_band_around_the_quote(tmp_path: Path) -> None:
    import io

    from PIL import Image

    pdf = tmp_path / "h.pdf"
    pdf.write_bytes(make_pdf(["Intro line.\nEmployees get 30 vacation days per year."]))
    full = render_page_png(pdf, 1, width=300, highlight="Employees get 30")
    cropped = render_page_png(pdf, 1, width=300, highlight="Employees get 30", crop=True)
    assert full and cropped
    full_size = Image.open(io.BytesIO(full)).size
    crop_size = Image.open(io.BytesIO(cropped)).size
    assert crop_size[0] == full_size[0] and crop_size[1] < full_size[1] / 2
