"""Markdown table rows (text.tables): headers, quotable rows, rows quoted with their years."""

from __future__ import annotations

import pytest

from text.tables import labelled, quotable_row, table_header

HEADER = "| Years Ended | December 2, | December 3, |\n|  | 2022 | 2021 |"


@pytest.mark.parametrize(
    ("paragraph", "header"),
    [
        (HEADER + "\n| Revenue | 1,577 | 1,400 |", HEADER),
        ("| | 2023 | 2022 |\n| Umsatzerlöse | 1.577 | 1.400 |", "| | 2023 | 2022 |"),
        ("| Revenue | 1,577 | 1,400 |\n| Cost | 900 | 850 |", ""),  # no header: nothing
        ("Revenue grew in 2022.\n| a | b |", ""),  # prose
        ("| DATES: The FAA must receive comments | SUPPLEMENTARY INFORMATION: |", ""),  # columns
    ],
)
def test_table_header_is_the_leading_rows_without_amounts(paragraph: str, header: str) -> None:
    assert table_header(paragraph) == header


@pytest.mark.parametrize(
    ("row", "quotable"),
    [
        ("| Total revenue | 1,577 | 1,400 |", True),
        ("| Effective tax rate | 23% | 20% |", True),
        ("| Net loss | (56) | $(12.5) |", True),
        ("| Years Ended | December 2, | December 3, |", False),  # dates
        ("|  | 2022 | 2021 |", False),  # years, no label
        ("| Revenue: |", False),  # a label alone
        ("| 2022 | 1,577 |", False),  # no label
    ],
)
def test_quotable_row_needs_a_label_and_an_amount(row: str, quotable: bool) -> None:
    assert quotable_row(row) is quotable


TAX = "| Effective tax rate | 23% | 20% |"
NET = "| Net income | 4,756 | 4,822 |"
YEARS3 = "| | 2022 | 2021 | 2020 |"


@pytest.mark.parametrize(
    ("row", "header", "quoted"),
    [
        (TAX, "| | 2022 | 2021 |", "Effective tax rate: 23% (2022), 20% (2021)"),
        ("| Umsatzerlöse | 1.577 | 1.400 |", "| 2023 | 2022 |",
         "Umsatzerlöse: 1.577 (2023), 1.400 (2022)"),
        ("| Net income | $4,756 | | $5,260 |", YEARS3, "Net income: $4,756 (2022), $5,260 (2020)"),
        (NET, YEARS3, NET),  # the columns do not line up: no guess
        (NET, "", NET),
    ],
)  # fmt: skip
def test_labelled_names_a_rows_figures_by_their_column_headers_only_when_they_line_up(
    row: str, header: str, quoted: str
) -> None:
    assert labelled(row, header) == quoted
