"""Tables kept as tables: layout text -> Markdown rows under the statement's caption."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaders import load
from ingest.loaders.pdf_layout import cells, is_numeric, page_blocks, row_kind
from tests.pdf_factory import make_pdf

PAGE = """                       ACME CORP.
              CONSOLIDATED STATEMENTS OF OPERATIONS
                     (In millions)
                                   2022        2021       2020
Revenue:
    Net sales                 $   1,000    $    900   $   800
    Cost of sales                   600         550       500
    Gross profit                    400         350       300
See accompanying notes to the consolidated financial statements, which are an integral part.
"""


@pytest.mark.parametrize(
    ("cell", "numeric"),
    [
        ("1,234", True),
        ("(56)", True),
        ("$7.8", True),
        ("12%", True),
        ("—", True),
        ("$(1,577)", True),
        ("Net sales", False),
        ("2022 Annual", False),
    ],
)
def test_is_numeric_statement_figures(cell: str, numeric: bool) -> None:
    assert is_numeric(cell) is numeric


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("    Net sales        $   1,000    $    900", "row"),
        ("                2022        2021       2020", "row"),
        ("Revenue:", "label"),
        ("", "blank"),
        ("Our revenue grew in 2022 because of strong demand in every one of our segments.", "text"),
    ],
)
def test_row_kind_tells_rows_labels_and_prose(line: str, kind: str) -> None:
    assert row_kind(line) == kind


def test_cells_join_dollar_sign_to_its_figure() -> None:
    assert cells("Net sales     $   1,000    $ (900)") == ["Net sales", "$1,000", "$(900)"]


def test_page_blocks_table_as_markdown_rows_with_caption_heading() -> None:
    blocks, path = page_blocks(PAGE, ("Item 8. Financial Statements",))
    tables = [b for b in blocks if b.is_table]
    assert len(tables) == 1
    assert "| Net sales | $1,000 | $900 | $800 |" in tables[0].text
    assert "| 2022 | 2021 | 2020 |" in tables[0].text  # the column headers are a row too
    assert tables[0].headings == (
        "Item 8. Financial Statements",
        "CONSOLIDATED STATEMENTS OF OPERATIONS",
    )
    assert path == ("Item 8. Financial Statements", "CONSOLIDATED STATEMENTS OF OPERATIONS")
    assert blocks[-1].text.startswith("See accompanying notes")


def test_page_blocks_prose_with_a_figure_is_not_a_table() -> None:
    text = "Revenue grew to $1,000 million in 2022.\nWe expect growth to continue next year.\n"
    blocks, path = page_blocks(text, ("Overview",))
    assert [b.is_table for b in blocks] == [False]
    assert blocks[0].headings == path == ("Overview",)


def test_page_blocks_item_line_starts_a_new_heading_path() -> None:
    text = "Item 7. Management's Discussion and Analysis\nRevenue rose.\nNote 3 - Inventories\nRaw."
    blocks, path = page_blocks(text, ("Item 1. Business", "Competition"))
    assert path == ("Item 7. Management's Discussion and Analysis", "Note 3 - Inventories")
    assert blocks[0].headings == ("Item 7. Management's Discussion and Analysis",)
    assert blocks[-1].text == "Note 3 - Inventories\nRaw."


def test_load_pdf_keeps_a_statement_table_as_rows(tmp_path: Path) -> None:
    path = tmp_path / "acme-10k.pdf"
    path.write_bytes(make_pdf([PAGE.strip("\n"), "Item 9. Other matters\nNothing to report."]))
    document = load(path, root=tmp_path)
    table = next(b for b in document.blocks if b.text.startswith("|"))
    assert table.page == 1
    assert "| Net sales | $1,000 | $900 | $800 |" in table.text
    assert table.headings[-1] == "CONSOLIDATED STATEMENTS OF OPERATIONS"
    last = document.blocks[-1]
    assert (last.page, last.headings) == (2, ("Item 9. Other matters",))
