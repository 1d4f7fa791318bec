"""Markdown and plain text: decoded carefully, Markdown split into sections by heading path."""

from __future__ import annotations

import re
from pathlib import Path

from core.errors import IngestError, NoTextError
from core.reasons import Reason
from core.records import Block, Document

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), else UTF-16 with BOM, else cp1252; binary data is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:8192]:
        raise IngestError(source, Reason("binary_not_text"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_text(path: Path, source: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(
            source, Reason("cannot_read_file", detail=exc.strerror or str(exc))
        ) from exc
    return decode(data, source).replace("\r\n", "\n").replace("\r", "\n")


def markdown_blocks(text: str) -> tuple[list[Block], str | None]:
    """One block per section, headed by its heading line; returns the blocks and the first H1."""
    blocks: list[Block] = []
    path: list[tuple[int, str]] = []
    lines: list[str] = []
    first_h1: str | None = None
    in_fence = False

    def flush() -> None:
        body = "\n".join(lines).strip()
        if body:
            blocks.append(Block(text=body, headings=tuple(title for _, title in path)))
        lines.clear()

    def open_section(level: int, title: str) -> None:
        nonlocal first_h1
        flush()
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, title))
        if level == 1 and first_h1 is None:
            first_h1 = title

    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            lines.append(line)
            continue
        if in_fence:
            lines.append(line)
            continue
        atx = _ATX.match(line)
        if atx:
            open_section(len(atx.group(1)), atx.group(2).strip())
            lines.append(atx.group(2).strip())
            continue
        setext = _SETEXT.match(line)
        if setext and lines and lines[-1].strip() and (len(lines) == 1 or not lines[-2].strip()):
            title = lines.pop().strip()
            open_section(1 if setext.group(1)[0] == "=" else 2, title)
            lines.append(title)
            continue
        lines.append(line)
    flush()
    return blocks, first_h1


def read(
    path: Path, *, source: str, kind: str, content_hash: str, password: str | None
) -> Document:
    text = read_text(path, source)
    if not text.strip():
        raise NoTextError(source, Reason("file_empty"))
    if kind == "markdown":
        blocks, h1 = markdown_blocks(text)
        title = h1 or path.stem
    else:
        blocks, title = [Block(text=text.strip())], path.stem
    return Document(
        source=source, title=title, kind=kind, content_hash=content_hash, blocks=tuple(blocks)
    )
