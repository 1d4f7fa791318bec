"""Loaders: one module per file format, each turning a file into a `Document`.

`load(path, root=...)` picks the loader by suffix. The source name is the path relative to
`root` (the folder the person pointed at), so citations say `handbook.pdf`, not an absolute
path. Every loader raises `core.errors.IngestError` (or a subclass) with a one-line reason when a
file cannot be read; nothing else escapes for a bad file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import IngestError, UnsupportedFileError
from core.reasons import Reason
from core.records import Document

if TYPE_CHECKING:
    from ingest.loaders.pdf import PdfPages
    from ingest.ocr import OcrConfig

# suffix -> (kind, module name inside this package)
_LOADERS: dict[str, tuple[str, str]] = {
    ".pdf": ("pdf", "pdf"),
    ".md": ("markdown", "text"),
    ".markdown": ("markdown", "text"),
    ".txt": ("text", "text"),
    ".text": ("text", "text"),
    ".rst": ("text", "text"),
    ".html": ("html", "html"),
    ".htm": ("html", "html"),
    ".docx": ("docx", "docx"),
}

SUPPORTED_SUFFIXES = frozenset(_LOADERS)


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in _LOADERS


def source_name(path: Path, root: Path) -> str:
    """The path relative to the ingest root, with forward slashes; the file name if outside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def file_hash(path: Path) -> str:
    """sha256 of the file's bytes, read in blocks (memory stays flat for large files)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load(
    path: Path,
    *,
    root: Path,
    password: str | None = None,
    content_hash: str | None = None,
    ocr: OcrConfig | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> Document:
    """Read one file into a `Document`; raises `IngestError` with a one-line reason.

    `content_hash` is the file's sha256 when the caller has it already (the pipeline hashes
    every file to find the unchanged ones); without it the file is hashed here. `ocr`: how to
    read PDF pages without a usable text layer; None leaves them out. `on_page(done, total)`
    follows a PDF's pages as they are read.
    """
    source = source_name(path, root)
    entry = _LOADERS.get(path.suffix.lower())
    if entry is None:
        raise UnsupportedFileError(source, _unsupported(path.suffix))
    kind, module = entry
    reader = _reader(module)
    if content_hash is None:
        content_hash = _hash(path, source)
    if module == "pdf":
        from ingest.loaders import pdf

        return pdf.read(
            path, source=source, kind=kind, content_hash=content_hash, password=password, ocr=ocr,
            on_page=on_page,
        )  # fmt: skip
    return reader(path, source=source, kind=kind, content_hash=content_hash, password=password)


def is_pdf(path: Path) -> bool:
    return _LOADERS.get(path.suffix.lower(), ("", ""))[1] == "pdf"


def pdf_pages(
    path: Path,
    *,
    root: Path,
    password: str | None = None,
    content_hash: str | None = None,
    ocr: OcrConfig | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> PdfPages:
    """`load` for a PDF, to be read page by page (`ingest.loaders.pdf.PdfPages`)."""
    from ingest.loaders.pdf import PdfPages

    source = source_name(path, root)
    return PdfPages(
        path, source=source, kind="pdf",
        content_hash=_hash(path, source) if content_hash is None else content_hash,
        password=password, ocr=ocr, on_page=on_page,
    )  # fmt: skip


def _hash(path: Path, source: str) -> str:
    try:
        return file_hash(path)
    except OSError as exc:
        raise IngestError(
            source, Reason("cannot_read_file", detail=exc.strerror or str(exc))
        ) from exc


def _unsupported(suffix: str) -> Reason:
    return Reason("unsupported_type", suffix=suffix) if suffix else Reason("unsupported_no_suffix")


def _reader(module: str) -> Callable[..., Document]:
    # Imported when used: the PDF loader pulls in pypdf, the DOCX loader python-docx.
    if module == "pdf":
        from ingest.loaders import pdf

        return pdf.read
    if module == "html":
        from ingest.loaders import html

        return html.read
    if module == "docx":
        from ingest.loaders import docx

        return docx.read
    from ingest.loaders import text

    return text.read
