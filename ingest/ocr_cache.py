"""The OCR cache: a page read once is not read again.

One sqlite file (WAL mode, so several parser processes and ingest runs can share it) holds
- `pages`: the OCR result of a page, keyed by the sha256 of its rendered bitmap plus the engine,
  languages and dpi (`ingest.ocr.page_key`): the same scan in another file, or the same file
  re-ingested after an edit elsewhere, costs no second read;
- `documents`: which page key is page N of the file with content hash H, so the UI can find the
  word boxes of a cited page of an ingested file.
A damaged or unwritable cache costs the reuse, never the ingest: errors read as a miss.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from ingest.ocr_text import OcrPage, OcrWord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    key TEXT PRIMARY KEY, text TEXT NOT NULL, confidence REAL NOT NULL, words TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    content_hash TEXT NOT NULL, page INTEGER NOT NULL, key TEXT NOT NULL,
    PRIMARY KEY (content_hash, page)
);
"""


class OcrCache:
    def __init__(self, path: Path) -> None:
        self._db: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            self._db = db
        except (OSError, sqlite3.Error):
            self._db = None  # no cache: every page is read afresh

    def get(self, key: str) -> OcrPage | None:
        row = self._one("SELECT text, confidence, words FROM pages WHERE key = ?", (key,))
        if row is None:
            return None
        try:
            words = tuple(
                OcrWord(str(t), float(c), (float(x0), float(y0), float(x1), float(y1)))
                for t, c, x0, y0, x1, y1 in json.loads(row[2])
            )  # fmt: skip
        except (ValueError, TypeError):
            return None
        return OcrPage(str(row[0]), float(row[1]), words)

    def put(self, key: str, page: OcrPage) -> None:
        words = json.dumps([[w.text, w.conf, *w.box] for w in page.words], ensure_ascii=False)
        self._run(
            "INSERT OR REPLACE INTO pages (key, text, confidence, words) VALUES (?, ?, ?, ?)",
            (key, page.text, page.confidence, words),
        )

    def link(self, content_hash: str, page: int, key: str) -> None:
        self._run(
            "INSERT OR REPLACE INTO documents (content_hash, page, key) VALUES (?, ?, ?)",
            (content_hash, page, key),
        )

    def page_of(self, content_hash: str, page: int) -> OcrPage | None:
        """The OCR result of page `page` (1-based) of the file with that content hash."""
        row = self._one(
            "SELECT key FROM documents WHERE content_hash = ? AND page = ?", (content_hash, page)
        )
        return self.get(str(row[0])) if row else None

    def _one(self, sql: str, args: tuple[object, ...]) -> tuple[Any, ...] | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute(sql, args).fetchone()
        except sqlite3.Error:
            return None
        return tuple(row) if row is not None else None

    def _run(self, sql: str, args: tuple[object, ...]) -> None:
        if self._db is None:
            return
        try:
            self._db.execute(sql, args)
        except sqlite3.Error:
            return

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
