"""Page text with its tables kept as tables: pure functions over layout text (no PDF library).

`ingest.loaders.pdf` extracts each page in pypdf's layout mode (columns kept as runs of spaces)
and hands the text to `page_blocks`, which finds table-like runs of lines (a label followed by
numeric cells, or a row of column headers) and renders them as Markdown rows:

    | Total revenue | 17,606 | 15,785 | 12,868 |

Each table becomes its own block whose heading path ends with the statement's caption (the
ALL-CAPS line above it, e.g. "CONSOLIDATED STATEMENTS OF INCOME"), so the chunker carries the
caption into every chunk of the table (`Chunk.indexed_text`) and a chunk of bare rows still says
which statement it belongs to. When the PDF has no outline, lines like "Item 7. Management's
Discussion..." and "Note 3 - Revenue" and statement captions give the heading path instead.

Measured on FinanceBench-dev (27 questions, 10 filings, BM25, gold page in the top 6, see
/work/scratch/r13/REPORT.md): plain page text 6/27 scoped, 5/27 unscoped; with these tables
9/27 and 7/27. Hybrid on the 4 smallest filings: 7/11 -> 10/11. Layout mode costs about 1.4x the
extraction CPU of plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.loaders.pdf_headings import Marks, line_key

_NUM = re.compile(r"^[\(\-–—]?\$?\(?-?[\d,]*\d(\.\d+)?\)?%?\)?$|^[—–-]+$|^\$?[—–-]$")
_CELLS = re.compile(r"\s{2,}")
_DOLLAR = re.compile(r"\$\s+(?=[\d(])")
ITEM = re.compile(r"^(item|ITEM|Item)\s+\d{1,2}[A-C]?\s*[.:]")
NOTE = re.compile(r"^(NOTE|Note)\s+\d{1,2}\s*[.:—–-]")
_CAPS_TITLE = re.compile(r"^[A-Z][A-Z&,'’()\-–— ]{6,}$")
_STATEMENT = re.compile(
    r"STATEMENTS? OF|BALANCE SHEETS?|FINANCIAL POSITION|CASH FLOWS|"
    r"INCOME|OPERATIONS|EARNINGS|EQUITY|COMPREHENSIVE",
    re.I,
)
_STATEMENT_TITLE = re.compile(
    r"statements? of|balance sheets?|financial position|cash flows|bilanz|"
    r"gewinn- und verlustrechnung|kapitalflussrechnung",
    re.I,
)
MAX_DEPTH = 3  # heading levels a page's own headings may build
MIN_TABLE_ROWS = 3  # fewer numeric lines in a run are prose with figures, not a table
_MAX_GAP = 3  # label or blank lines a table may contain between two rows


@dataclass(frozen=True, slots=True)
class PageBlock:
    text: str
    headings: tuple[str, ...]
    is_table: bool = False


def cells(line: str) -> list[str]:
    """The cells of a layout line: runs of two or more spaces separate them; "$ 1,234" is one."""
    return [c for c in _CELLS.split(_DOLLAR.sub("$", line.strip())) if c]


def is_numeric(cell: str) -> bool:
    """A figure as statements print it: 1,234 / (56) / $7.8 / 12% / — (nil)."""
    return bool(_NUM.match(cell.replace(" ", "")))


def row_kind(line: str) -> str:
    """'row' (label + figures, or several cells), 'label' (short text), 'text' or 'blank'."""
    parts = cells(line)
    if not parts:
        return "blank"
    figures = sum(is_numeric(c) for c in parts)
    if figures >= 1 and (figures >= 2 or not is_numeric(parts[0])) and len(parts) >= 2:
        return "row"
    if len(parts) >= 3:  # a column header row (years, dates)
        return "row"
    if len(line.strip()) <= 60 and not line.strip().endswith("."):
        return "label"
    return "text"


def markdown_row(line: str) -> str:
    parts = cells(line)
    if parts and is_numeric(parts[0]):
        parts = ["", *parts]  # a row of figures continues the label above it
    return "| " + " | ".join(parts) + " |"


def is_caption(text: str) -> bool:
    """An ALL-CAPS title line of two words or more ("CONSOLIDATED BALANCE SHEETS")."""
    t = text.strip()
    return bool(_CAPS_TITLE.match(t)) and len(t.split()) >= 2


def table_runs(layout_text: str) -> list[tuple[int, int]]:
    """(first, last) line indices of the table-like runs in a page's layout text."""
    kinds = [row_kind(line) for line in layout_text.splitlines()]
    runs: list[tuple[int, int]] = []
    start: int | None = None
    rows = gap = last = 0
    for i, kind in enumerate([*kinds, "text"]):
        if kind == "row":
            start = i if start is None else start
            rows, gap, last = rows + 1, 0, i
        elif start is not None and kind in ("label", "blank") and gap < _MAX_GAP:
            gap += 1
        else:
            if start is not None and rows >= MIN_TABLE_ROWS:
                runs.append((start, last))
            start, rows, gap = None, 0, 0
    return runs


def _font_path(path: tuple[str, ...], line: str, marks: Marks) -> tuple[str, ...]:
    """The path after a heading line found by its font: under the entries that outrank it."""
    rank = marks.page[line_key(line)]
    kept: list[str] = []
    for depth, entry in enumerate(path):
        known = marks.known.get(line_key(entry))
        if ITEM.match(entry) or NOTE.match(entry) or (known is None and depth == 0):
            outer = True  # "Item 7." / "Note 3" / the outline's or a top caption: always outer
        else:
            outer = known is not None and known > rank  # a caption below the top gives way
        if not outer:
            break
        kept.append(entry)
    return (*kept[: MAX_DEPTH - 1], line)


def page_blocks(
    layout_text: str, path: tuple[str, ...] = (), marks: Marks | None = None
) -> tuple[list[PageBlock], tuple[str, ...]]:
    """One page's blocks (prose, and each table as Markdown rows) and the heading path after it.

    `path` is the heading path in force where the page starts (the outline's, or the one the
    previous page ended with). "Item N." starts a new path; a statement caption or "Note N"
    becomes its second level. A table's block ends its path with the caption above it. `marks`
    (`ingest.loaders.pdf_headings`) names the lines set apart by their font; each goes under the
    path's entries that outrank it (at most `MAX_DEPTH` levels).
    """
    lines = layout_text.splitlines()
    in_table = {i: run for run in table_runs(layout_text) for i in range(run[0], run[1] + 1)}
    blocks: list[PageBlock] = []
    prose: list[str] = []
    caption = ""

    def flush() -> None:
        if any(p.strip() for p in prose):
            text = "\n".join(" ".join(p.split()) for p in prose).strip()
            blocks.append(PageBlock(text, path))
        prose.clear()

    i = 0
    while i < len(lines):
        raw = lines[i]
        if i in in_table:
            first, last = in_table[i]
            flush()
            rows = [
                markdown_row(x) if row_kind(x) == "row" else f"| {' '.join(x.split())} |"
                for x in lines[first : last + 1]
                if x.strip()
            ]
            label = caption or (path[-1] if path else "")
            headings = (*path[:1], label) if label and label not in path[:1] else path
            blocks.append(PageBlock("\n".join(rows), headings, is_table=True))
            i = last + 1
            continue
        t = " ".join(raw.split())
        if t and (ITEM.match(t) or NOTE.match(t) or is_caption(t)):
            flush()
            if ITEM.match(t):
                path = (t,)
            else:
                if is_caption(t) and _STATEMENT.search(t):
                    caption = t
                path = (*path[:1], t)
        elif t and marks is not None and line_key(t) in marks.page:
            flush()
            caption = t if _STATEMENT_TITLE.search(t) else ""
            path = _font_path(path, t, marks)
        prose.append(raw)
        i += 1
    flush()
    return blocks, path
