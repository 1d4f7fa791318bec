"""Markdown table rows, as the PDF loader writes statements: pure functions over their text.

Shared by the chunker (which repeats a table's header rows in every chunk that continues it) and
the offline answer (which quotes a row with the years its figures stand for):

    table_header("| | 2022 | 2021 |\n| Revenue | 1,577 | 1,400 |")  -> "| | 2022 | 2021 |"
    labelled("| Revenue | 1,577 | 1,400 |", "| | 2022 | 2021 |")
                                         -> "Revenue: 1,577 (2022), 1,400 (2021)"
    quotable_row("| Revenue | 1,577 | 1,400 |")  -> True

An amount is a cell of digits with at most a currency sign, separators, a percent sign or
brackets ("$1,577", "(56)", "23%"); a year (1900-2099) alone is not one.
"""

from __future__ import annotations

import re

_AMOUNT = re.compile(r"^[(\-–]?\s*[$€£]?\s*\d[\d,.]*\s*%?\)?$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_LABEL = re.compile(r"[^\W\d_]{2}")  # two letters: a label, not a number
MAX_HEADER_ROWS = 3
MAX_HEADER_WORDS = 5  # words in a header cell: "Years Ended", "December 31, 2022"


def is_row(line: str) -> bool:
    """A Markdown table row: `| ... |`."""
    row = line.strip()
    return row.startswith("|") and row.endswith("|")


def cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def is_amount(cell: str) -> bool:
    return bool(_AMOUNT.match(cell)) and not _YEAR.match(cell)


def quotable_row(row: str) -> bool:
    """A row with a label and an amount ("| Total revenue | 1,577 | 1,400 |"), not a header
    ("| Years Ended | December 2, | December 3, |", "| | 2022 | 2021 |")."""
    label, *values = cells(row)
    return bool(_LABEL.search(label)) and any(is_amount(v) for v in values)


def table_header(paragraph: str) -> str:
    """The header rows of a Markdown table: its leading rows of two or more short cells with no
    amount in them (years and dates are no amounts), at most `MAX_HEADER_ROWS`; "" for other
    text."""
    rows: list[str] = []
    for line in paragraph.split("\n")[:MAX_HEADER_ROWS]:
        if not is_row(line) or len(line.strip()) < 2:
            break
        filled = [c for c in cells(line) if c]
        if len(filled) < 2 or any(
            is_amount(c) or len(c.split()) > MAX_HEADER_WORDS for c in filled
        ):  # a row of figures, or of prose (a page in columns read as a table)
            break
        rows.append(line.strip())
    return "\n".join(rows)


def labelled(row: str, header: str) -> str:
    """A table row as a reader can quote it: "Total revenue: 1,577 (2022), 1,400 (2021)", its
    figures named by the column headers above it when they line up; the row as it is when not
    ("| Total revenue | 1,577 | 1,400 |" alone says neither year)."""
    label, *values = cells(row)
    heads = cells(header) if header else []
    if len(heads) == len(values) + 1:
        heads = heads[1:]  # the label column's (empty) header
    if len(heads) != len(values) or not any(values):
        return row
    pairs = zip(values, heads, strict=True)
    named = [f"{value} ({head})" if head else value for value, head in pairs if value]
    return f"{label}: {', '.join(named)}"
