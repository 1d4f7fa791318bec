from __future__ import annotations

from pathlib import Path

import pytest

from app.sources import record_sources
from app.ui.pages import (
    MAX_PIXELS,
    find_source_file,
    page_preview,
    page_with_text,
    preview_scale,
    quote_span,
    render_page_png,
)
from core.access import Viewer
from core.errors import AccessDeniedError
from core.records import FileOutcome, FileStatus, IngestReport
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


EVERYONE = Viewer.as_operator()


def test_find_source_file_only_in_the_collections_own_folder(tmp_path: Path) -> None:
    """Issue 10, item 1: alice asks about report.pdf in hr; the preview must never open
    finance's report.pdf, and never search the data folder by file name."""
    for collection in ("hr", "finance"):
        (tmp_path / "uploads" / collection).mkdir(parents=True)
    (tmp_path / "uploads" / "finance" / "report.pdf").write_bytes(b"finance")
    (tmp_path / "sample").mkdir()
    (tmp_path / "sample" / "report.pdf").write_bytes(b"sample")
    settings = _settings(tmp_path)
    alice = Viewer("alice", {"hr": ["alice"], "finance": ["bob"]})
    assert find_source_file(settings, alice, "report.pdf", "hr") is None
    (tmp_path / "uploads" / "hr" / "report.pdf").write_bytes(b"hr")
    assert (
        find_source_file(settings, alice, "report.pdf", "hr")
        == (tmp_path / "uploads/hr/report.pdf").resolve()
    )
    with pytest.raises(AccessDeniedError):  # checked before any file is looked for
        find_source_file(settings, alice, "report.pdf", "finance")


def test_find_source_file_uses_the_path_recorded_at_ingest(tmp_path: Path) -> None:
    (tmp_path / "sample").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "sample" / "h.pdf").write_bytes(b"a")
    (tmp_path / "other" / "h.pdf").write_bytes(b"b")
    settings = _settings(tmp_path)
    assert find_source_file(settings, EVERYONE, "h.pdf", "docs") is None  # nothing recorded
    report = IngestReport("docs", files=[FileOutcome("h.pdf", FileStatus.INGESTED)])
    record_sources(tmp_path, report, [("h.pdf", tmp_path / "sample" / "h.pdf")])
    assert (
        find_source_file(settings, EVERYONE, "h.pdf", "docs")
        == (tmp_path / "sample/h.pdf").resolve()
    )
    assert find_source_file(settings, EVERYONE, "h.pdf", "other") is None
    pruned = IngestReport("docs", files=[FileOutcome("h.pdf", FileStatus.PRUNED)])
    record_sources(tmp_path, pruned, [])
    assert find_source_file(settings, EVERYONE, "h.pdf", "docs") is None


def test_record_sources_keeps_nothing_outside_the_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "secret.pdf").write_bytes(b"x")
    report = IngestReport("docs", files=[FileOutcome("secret.pdf", FileStatus.INGESTED)])
    record_sources(data, report, [("secret.pdf", tmp_path / "secret.pdf")])
    assert find_source_file(_settings(data), EVERYONE, "secret.pdf", "docs") is None


def test_find_source_file_never_leaves_the_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "uploads" / "docs").mkdir(parents=True)
    (tmp_path / "secret.pdf").write_bytes(b"x")
    (data / "uploads" / "docs" / "link.pdf").symlink_to(tmp_path / "secret.pdf")
    settings = _settings(data)
    assert find_source_file(settings, EVERYONE, "../secret.pdf", "docs") is None
    assert find_source_file(settings, EVERYONE, str(tmp_path / "secret.pdf"), "docs") is None
    assert find_source_file(settings, EVERYONE, "link.pdf", "docs") is None
    assert find_source_file(settings, EVERYONE, "missing.pdf", "docs") is None


def test_render_page_png_thin_tall_page_is_bounded_in_pixels(tmp_path: Path) -> None:
    """Issue 10, item 5: a 1 x 14400 pt page at 900 px wide would be ~11,600 megapixels."""
    import io

    from PIL import Image

    pdf = tmp_path / "tall.pdf"
    pdf.write_bytes(make_pdf(["Tall."], size=(1, 14_400)))
    png = render_page_png(pdf, 1)
    assert png is not None
    width, height = Image.open(io.BytesIO(png)).size
    assert width * height <= MAX_PIXELS
    assert height > 1000  # scaled down, not cropped to nothing


def test_preview_scale_table() -> None:
    assert preview_scale(600, 800, 900) == 1.5  # an ordinary page: the asked width
    scale = preview_scale(10, 100_000, 900)
    assert MAX_PIXELS * 0.8 < (10 * scale + 1) * (100_000 * scale + 1) <= MAX_PIXELS


def test_page_preview_failure_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    preview = page_preview(bad, 1)
    assert preview.png is None and preview.problem == "Could not draw page 1 of bad.pdf."


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
