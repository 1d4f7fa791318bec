"""Headings from the page itself: lines set apart by font size, weight or numbering."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ingest.loaders import load
from ingest.loaders.pdf_headings import (
    FontHeadings,
    Marks,
    StyledLine,
    heading_marks,
    line_key,
    reads_like_heading,
)
from ingest.loaders.pdf_layout import page_blocks
from tests.pdf_factory import make_pdf, make_styled_pdf

BODY = "The company reported revenue growth in every segment during the year under review"


def _body(n: int = 4) -> list[StyledLine]:
    return [StyledLine(BODY, 10.0, False, False, True) for _ in range(n)]


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("Results of Operations", True),
        ("Consolidated Statements of Cash Flows", True),
        ("2.3 Rücklagen und Rückstellungen", True),
        ("§ 4 Kündigung", True),
        ("Revenue grew by 12% in the year.", False),  # a sentence
        ("(dollars in millions)", False),
        ("2022 2021 2020", False),  # figures, not words
        ("Table of Contents", False),  # a running link
        ("and other comprehensive income", False),  # a wrapped line's tail
        ("Revenue:", False),  # a table's label
    ],
)
def test_reads_like_heading_titles_not_sentences_or_figures(text: str, heading: bool) -> None:
    assert reads_like_heading(text) is heading


def test_heading_marks_bold_or_larger_lines_rank_by_size() -> None:
    lines = [
        StyledLine("Results of Operations", 10.0, True, False, True),
        *_body(),
        StyledLine("Consolidated Statements of Cash Flows", 14.0, False, False, True),
        *_body(),
    ]
    marks = heading_marks(lines)
    assert set(marks) == {"resultsofoperations", "consolidatedstatementsofcashflows"}
    assert marks["consolidatedstatementsofcashflows"] > marks["resultsofoperations"]


def test_heading_marks_ignore_body_type_run_in_leads_and_small_print() -> None:
    lines = [
        StyledLine("Revenue Recognition", 10.0, False, False, True),  # body type, no number
        StyledLine("Product Our product revenue is comprised", 10.0, False, False, False),
        StyledLine("Footnote Heading", 7.0, True, False, True),  # smaller than the body
        *_body(),
    ]
    assert heading_marks(lines) == {}


def test_heading_marks_deep_numbering_in_body_type_counts() -> None:
    marks = heading_marks([StyledLine("2.3 Rücklagen", 10.0, False, False, True), *_body()])
    assert list(marks) == [line_key("2.3 Rücklagen")]


def test_line_key_meets_both_extractors_spelling() -> None:
    assert line_key("Management’s  Discussion") == line_key("MANAGEMENT'S DISCUSSION")


def _marks(**ranks: int) -> Marks:
    page = {line_key(k.replace("_", " ")): v for k, v in ranks.items()}
    return Marks(page=page, known=page)


def test_page_blocks_font_heading_nests_under_item_and_a_larger_one() -> None:
    text = "Results of Operations\nRevenue rose.\nSegment Information\nDigital Media grew."
    marks = _marks(Results_of_Operations=82, Segment_Information=81)
    blocks, path = page_blocks(text, ("Item 7. Management's Discussion",), marks)
    assert [b.headings for b in blocks] == [
        ("Item 7. Management's Discussion", "Results of Operations"),
        ("Item 7. Management's Discussion", "Results of Operations", "Segment Information"),
    ]
    assert path[-1] == "Segment Information"


def test_page_blocks_font_heading_of_equal_rank_replaces_its_sibling() -> None:
    text = "Cost of Revenue\nCosts rose.\nOperating Expenses\nExpenses fell."
    marks = _marks(Cost_of_Revenue=82, Operating_Expenses=82)
    _, path = page_blocks(text, ("Item 7. MD&A",), marks)
    assert path == ("Item 7. MD&A", "Operating Expenses")


def test_page_blocks_without_marks_keeps_lines_as_prose() -> None:
    text = "Results of Operations\nRevenue rose."
    blocks, path = page_blocks(text, ("Item 7. MD&A",))
    assert path == ("Item 7. MD&A",) and blocks[0].text == text


def test_page_blocks_title_case_statement_heading_labels_its_table() -> None:
    text = (
        "Consolidated Statements of Cash Flows\n"
        "                                   2022        2021\n"
        "Net income                   $   1,000    $    900\n"
        "Depreciation                       600         550\n"
    )
    marks = _marks(Consolidated_Statements_of_Cash_Flows=112)
    blocks, _ = page_blocks(text, ("Item 8. Financial Statements",), marks)
    table = next(b for b in blocks if b.is_table)
    item, statement = "Item 8. Financial Statements", "Consolidated Statements of Cash Flows"
    assert table.headings == (item, statement)


def _styled_report(tmp_path: Path) -> Path:
    body = [(BODY, 10.0, False)] * 3
    pdf = make_styled_pdf([
        [("Item 7. Discussion and Analysis", 10.0, True), *body,
         ("Results of Operations", 10.0, True), *body],
        [("Liquidity and Capital Resources", 10.0, True), *body,
         ("Cash Flows from Operating Activities", 12.0, False), *body],
    ])  # fmt: skip
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return path


def test_font_headings_read_bold_and_larger_lines_from_a_pdf(tmp_path: Path) -> None:
    fonts = FontHeadings.open(_styled_report(tmp_path), None)
    try:
        first, second = fonts.marks(0), fonts.marks(1)
    finally:
        fonts.close()
    assert "resultsofoperations" in first.page and line_key(BODY) not in first.page
    assert (
        second.page[line_key("Cash Flows from Operating Activities")]
        > second.page[line_key("Liquidity and Capital Resources")]
    )
    assert "resultsofoperations" in second.known  # ranks carried for the path across pages


def test_pdf_without_outline_chunks_carry_font_headings(tmp_path: Path) -> None:
    document = load(_styled_report(tmp_path), root=tmp_path)
    by_page = {(b.page, b.headings) for b in document.blocks}
    item = "Item 7. Discussion and Analysis"
    assert (1, (item, "Results of Operations")) in by_page
    assert (2, (item, "Liquidity and Capital Resources")) in by_page
    assert any(h[-1] == "Cash Flows from Operating Activities" for _, h in by_page)


def test_pdf_in_one_font_has_no_font_headings(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    path.write_bytes(make_pdf(["Results of Operations\n" + BODY + "\n" + BODY]))
    document = load(path, root=tmp_path)
    assert all(b.headings == () for b in document.blocks)


def _handbook_with_outline(tmp_path: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    pages = [f"{name}\n{BODY}" for name in ("Welcome", "Travel", "Trains", "Leave")]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(pages))))
    top = writer.add_outline_item(title="Handbook", page_number=0)
    travel = writer.add_outline_item(
        title="Travel  policy", page_number=1, parent=top
    )  # spaces are folded
    writer.add_outline_item(title="Trains", page_number=2, parent=travel)
    untitled = writer.add_outline_item(
        title="", page_number=3, parent=top
    )  # hands its parent's path on
    writer.add_outline_item(title="Leave", page_number=3, parent=untitled)
    path = tmp_path / "handbook.pdf"
    with path.open("wb") as out:
        writer.write(out)
    return path


@pytest.mark.parametrize("reader", ["pdfium", "pypdf"])
def test_pdf_outline_gives_each_page_its_heading_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str
) -> None:
    if reader == "pypdf":  # a file pdfium cannot open: pypdf reads the outline
        monkeypatch.setattr("ingest.loaders.pdf._pdfium", lambda path, password: None)
    else:  # pypdf's outline (every named destination resolved and kept) is never built
        from pypdf import PdfReader

        monkeypatch.setattr(PdfReader, "outline", property(lambda self: 1 / 0))
    document = load(_handbook_with_outline(tmp_path), root=tmp_path)
    by_page = {b.page: b.headings for b in document.blocks}
    assert by_page == {
        1: ("Handbook",),
        2: ("Handbook", "Travel policy"),
        3: ("Handbook", "Travel policy", "Trains"),
        4: ("Handbook", "Leave"),
    }
