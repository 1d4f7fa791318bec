"""PDF with pypdf (the only module that imports it): one block per page, page numbers kept.

Encrypted files are opened with the password given for them, else with the empty user password
(`decrypt("")`, which many "protected" PDFs use; AES needs the `cryptography` package). Pages
without a text layer are counted and reported ("3 of 10 pages have no text; OCR needed"); a file
with no text at all is refused with `NoTextError`. The outline (bookmarks), when there is one,
gives each page its heading path. Time and memory bounds for hostile files are the caller's job:
the pipeline runs this loader in a worker process (see `ingest/worker.py`).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from core.errors import EncryptedError, IngestError, NoTextError
from core.records import Block, Document

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_OUTLINE = 5000


def clean_text(text: str) -> str:
    """Text as chunks store it: valid UTF-8, no control characters, `\\n` line ends."""
    text = text.encode("utf-8", errors="replace").decode("utf-8")  # lone surrogates -> '?'
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text)


def _one_line(exc: BaseException) -> str:
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message if len(message) <= 160 else message[:157] + "..."


def _open(path: Path, source: str, password: str | None) -> PdfReader:
    try:
        reader = PdfReader(str(path), strict=False)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IngestError(source, f"unreadable PDF ({_one_line(exc)})") from exc
    if not reader.is_encrypted:
        return reader
    tries = [password, ""] if password else [""]
    try:
        for candidate in tries:
            if candidate is not None and reader.decrypt(candidate) != PasswordType.NOT_DECRYPTED:
                return reader
    except DependencyError as exc:
        raise IngestError(
            source, f"encrypted with AES, which needs `cryptography` ({exc})"
        ) from exc
    except (NotImplementedError, PdfReadError, ValueError) as exc:
        raise EncryptedError(source, f"unsupported encryption ({_one_line(exc)})") from exc
    if password:
        raise EncryptedError(source, "encrypted, and the password given for it does not open it")
    raise EncryptedError(
        source, "encrypted with a password; supply it with --password 'FILE=PASSWORD'"
    )


def _outline_headings(reader: PdfReader, page_count: int) -> list[tuple[str, ...]]:
    """For each page, the outline path in force there (the last bookmark at or before it)."""
    marks: list[tuple[int, tuple[str, ...]]] = []

    def walk(items: list[Any], trail: tuple[str, ...]) -> None:
        previous: tuple[str, ...] | None = None
        for item in items:
            if len(marks) >= _MAX_OUTLINE:
                return
            if isinstance(item, list):
                if previous is not None:
                    walk(item, previous)
                continue
            title = " ".join(str(getattr(item, "title", "") or "").split())
            previous = (*trail, title) if title else trail
            page = reader.get_destination_page_number(item)
            if title and page is not None and 0 <= page < page_count:
                marks.append((page, previous))

    try:
        walk(reader.outline, ())
    except Exception:  # a broken outline costs the headings, never the text
        return [() for _ in range(page_count)]
    marks.sort(key=lambda mark: mark[0])  # stable: document order within a page
    per_page: list[tuple[str, ...]] = []
    current: tuple[str, ...] = ()
    index = 0
    for page in range(page_count):
        while index < len(marks) and marks[index][0] <= page:
            current = marks[index][1]
            index += 1
        per_page.append(current)
    return per_page


def _title(reader: PdfReader, path: Path) -> str:
    try:
        meta = reader.metadata
        title = " ".join(str(meta.title).split()) if meta is not None and meta.title else ""
    except Exception:
        title = ""
    return clean_text(title) or path.stem


def read(
    path: Path, *, source: str, kind: str, content_hash: str, password: str | None
) -> Document:
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are ours to report
    reader = _open(path, source, password)
    try:
        page_count = len(reader.pages)
    except FileNotDecryptedError as exc:
        raise EncryptedError(source, "encrypted; the document could not be decrypted") from exc
    except (PdfReadError, RecursionError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IngestError(source, f"broken page tree ({_one_line(exc)})") from exc
    if page_count == 0:
        raise NoTextError(source, "the PDF has no pages")
    headings = _outline_headings(reader, page_count)
    blocks: list[Block] = []
    empty: list[int] = []
    failed: list[str] = []
    for number in range(1, page_count + 1):
        try:
            text = clean_text(reader.pages[number - 1].extract_text() or "")
        except Exception as exc:  # one bad page (bad font, broken stream) costs that page only
            failed.append(f"page {number}: {_one_line(exc)}")
            continue
        if text.strip():
            blocks.append(Block(text=text, page=number, headings=headings[number - 1]))
        else:
            empty.append(number)
    warnings = []
    if empty:
        warnings.append(f"{len(empty)} of {page_count} pages have no text; OCR needed")
    if failed:
        warnings.append(f"{len(failed)} of {page_count} pages could not be read ({failed[0]})")
    if not blocks:
        if failed and not empty:
            raise IngestError(source, f"no page could be read ({failed[0]})")
        raise NoTextError(source, f"none of its {page_count} pages has text; OCR needed")
    return Document(
        source=source,
        title=_title(reader, path),
        kind=kind,
        content_hash=content_hash,
        blocks=tuple(blocks),
        page_count=page_count,
        warnings=tuple(warnings),
    )
