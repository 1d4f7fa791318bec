"""Passwords of the encrypted samples in ../shared/pdfs (from ../shared/README.md).

Shared by the robustness test and the ingest benchmark, which both ingest that folder.
"""

from __future__ import annotations

from pathlib import Path

PASSWORDS = {
    "libreoffice-writer-password.pdf": "openpassword",
    "r2-user-password.pdf": "asdfzxcv",
    "r3-user-password.pdf": "asdfzxcv",
    "r4-user-password.pdf": "asdfzxcv",
    "r4-aes-user-password.pdf": "asdfzxcv",
    "r5-user-password.pdf": "asdfzxcv",
    "r6-user-password.pdf": "asdfzxcv",
    "r6-both-passwords.pdf": "foo",
    "crazyones-encrypted-256.pdf": "password",
    "encrypted-file.pdf": "test",
}


def shared_pdf_passwords(root: Path) -> dict[str, str]:
    """Per-file passwords, keyed by source name relative to `root`."""
    found = {}
    for path in root.rglob("*.pdf"):
        source = path.relative_to(root).as_posix()
        if path.name in PASSWORDS:
            found[source] = PASSWORDS[path.name]
        elif source.startswith("pdfminer-samples/encryption/"):
            found[source] = "foo"
    return found
