"""Write small, valid PDFs with real text layers, for tests and the sample corpus.

A hand-rolled writer (Helvetica, one text object a page, wrapped lines) so the project needs no
PDF-generation dependency. `python -m tests.pdf_factory OUT.pdf FILE.md` turns a Markdown file
whose pages are separated by lines of `---page---` into a PDF.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _page_stream(text: str) -> bytes:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, 90) or [""])
    ops = ["BT", "/F1 11 Tf", "14 TL", "56 790 Td"]
    for line in lines[:54]:
        ops.append(f"({_escape(line)}) Tj T*")
    ops.append("ET")
    return "\n".join(ops).encode("latin-1", errors="replace")


def make_pdf(
    pages: Sequence[str], *, title: str | None = None, size: tuple[int, int] = (612, 842)
) -> bytes:
    """A PDF whose page i (1-based i+1) shows `pages[i]`; an empty string makes a textless page.

    `size` is every page's width and height in points (A4-ish by default)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below, once the page tree's number is known
    pages_obj = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for text in pages:
        stream = _page_stream(text) if text else b""
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] "
                b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (pages_obj, size[0], size[1], font, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    kid_refs = b" ".join(b"%d 0 R" % k for k in kids)
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kid_refs, len(kids))
    info = None
    if title:
        info = add(b"<< /Title (%s) >>" % _escape(title).encode("latin-1", errors="replace"))

    return serialize(objects, root=catalog, info=info)


def make_styled_pdf(pages: Sequence[Sequence[tuple[str, float, bool]]]) -> bytes:
    """A PDF whose pages show (text, font size, bold) lines top-down, in Helvetica and
    Helvetica-Bold: headings set apart by their font, for the loader's font headings."""
    objects: list[bytes] = [b"", b""]  # catalog, page tree
    regular = len(objects) + 1
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    bold = len(objects) + 1
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>")
    kids = []
    for lines in pages:
        ops, y = ["BT"], 790.0
        for text, size, heavy in lines:
            y -= size * 1.6
            font = "/F2" if heavy else "/F1"
            ops.append(f"{font} {size:g} Tf 1 0 0 1 56 {y:g} Tm ({_escape(text)}) Tj")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1", errors="replace")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] "
            b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> /Contents %d 0 R >>"
            % (regular, bold, content)
        )
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kid_refs = b" ".join(b"%d 0 R" % k for k in kids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kid_refs, len(kids))
    return serialize(objects, root=1)


def serialize(objects: Sequence[bytes], *, root: int = 1, info: int | None = None) -> bytes:
    """A PDF file of `objects` (object i+1 is `objects[i]`), with its xref table and trailer."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, root)
    if info:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _plain(page: str) -> str:
    """Markdown headings become plain lines: a PDF shows them as text, not markup."""
    return "\n".join(line.lstrip("#").strip() for line in page.strip().splitlines())


def main(argv: Sequence[str]) -> None:
    out, source = Path(argv[0]), Path(argv[1])
    text = source.read_text(encoding="utf-8")
    pages = [_plain(page) for page in text.split("---page---")]
    title = pages[0].splitlines()[0]
    out.write_bytes(make_pdf(pages, title=title))


if __name__ == "__main__":
    main(sys.argv[1:])
