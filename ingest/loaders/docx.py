"""Word (.docx) with python-docx: paragraphs and tables in order, "Heading N" styles as headings."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from core.errors import IngestError, NoTextError
from core.reasons import Reason
from core.records import Block, Document

_HEADING_STYLE = re.compile(r"^(?:heading|überschrift|titre|titolo|título)\s*(\d)$", re.I)


def _level(style_name: str) -> int | None:
    if style_name.lower() == "title":
        return 1
    match = _HEADING_STYLE.match(style_name.strip())
    return int(match.group(1)) if match else None


def read(
    path: Path, *, source: str, kind: str, content_hash: str, password: str | None
) -> Document:
    import docx  # python-docx
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(source, Reason("docx_unreadable", detail=str(exc))) from exc
    blocks: list[Block] = []
    path_: list[tuple[int, str]] = []
    lines: list[str] = []
    first_heading = ""

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            blocks.append(Block(text=text, headings=tuple(t for _, t in path_)))
        lines.clear()

    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = [" ".join(cell.text.split()) for cell in row.cells]
                unique = [c for i, c in enumerate(cells) if c and c not in cells[:i]]
                if unique:
                    lines.append(" | ".join(unique))
            lines.append("")
            continue
        text = item.text.strip()
        style = item.style.name if item.style is not None else ""
        level = _level(style or "")
        if level is not None and text:
            flush()
            while path_ and path_[-1][0] >= level:
                path_.pop()
            path_.append((level, text))
            first_heading = first_heading or text
        lines.append(text)
        lines.append("")
    flush()
    if not blocks:
        raise NoTextError(source, Reason("docx_no_text"))
    title = (document.core_properties.title or "").strip() or first_heading or path.stem
    return Document(
        source=source, title=title, kind=kind, content_hash=content_hash, blocks=tuple(blocks)
    )
