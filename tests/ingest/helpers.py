"""Fixtures the ingest tests write themselves: encrypted and broken PDFs, DOCX, HTML."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from tests.pdf_factory import make_pdf, serialize


def write_pdf(path: Path, pages: list[str], *, title: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(make_pdf(pages, title=title))
    return path


def write_encrypted_pdf(
    path: Path, pages: list[str], *, user_password: str, algorithm: str = "AES-256"
) -> Path:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(pages))))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def write_bomb_pdf(path: Path, *, megabytes: int = 400) -> Path:
    """A one-page PDF whose content stream inflates to `megabytes` of drawing operators."""
    stream = zlib.compress(b"0 0 m " * ((megabytes << 20) // 6), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    path.write_bytes(serialize(objects))
    return path


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = "Travel policy"
    document.add_heading("Travel policy", level=1)
    document.add_paragraph("Employees book trains for trips under four hours.")
    document.add_heading("Expenses", level=2)
    document.add_paragraph("Receipts are uploaded within thirty days.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Meal"
    table.cell(0, 1).text = "40 EUR per day"
    table.cell(1, 0).text = "Hotel"
    table.cell(1, 1).text = "150 EUR per night"
    document.save(str(path))
    return path
