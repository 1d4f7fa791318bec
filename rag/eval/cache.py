"""An on-disk embedding cache, so re-running an eval never embeds the same text twice.

`CachingEmbedder` wraps any `Embedder` and keeps each document vector in a small SQLite file
keyed by (model, sha256 of the text), and each query vector keyed by (model, "query:" + sha256).
Embedding SciFact's abstracts with the local model takes minutes on a laptop (hours on a loaded
2-core box); with the cache a rebuilt eval collection, and a rerun's questions, cost seconds.
"""

from __future__ import annotations

import sqlite3
import threading
from array import array
from collections.abc import Sequence
from pathlib import Path

from core.ports import Embedder
from core.records import sha256_text


class CachingEmbedder:
    def __init__(self, inner: Embedder, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._inner = inner
        # The ingest pipeline embeds from its own thread: one connection, used under a lock.
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, digest TEXT, vector BLOB, "
            "PRIMARY KEY (model, digest))"
        )
        self.embedded = 0  # texts that missed the cache, for reports and tests

    @property
    def model(self) -> str:
        return self._inner.model

    @property
    def dim(self) -> int:
        return self._inner.dim

    @property
    def max_input_tokens(self) -> int:
        return self._inner.max_input_tokens

    def _lookup(self, digests: Sequence[str]) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        for start in range(0, len(digests), 500):
            part = list(digests[start : start + 500])
            rows = self._db.execute(
                f"SELECT digest, vector FROM vectors WHERE model = ? AND digest IN "
                f"({','.join('?' * len(part))})",
                [self.model, *part],
            )
            for digest, blob in rows:
                found[digest] = array("f", blob).tolist()
        return found

    def embed_documents(self, texts: Sequence[str], *, batch: int = 256) -> list[list[float]]:
        with self._lock:
            return self._embed_documents(texts, batch)

    def _embed_documents(self, texts: Sequence[str], batch: int) -> list[list[float]]:
        digests = [sha256_text(t) for t in texts]
        found = self._lookup(digests)
        missing = list(dict.fromkeys(d for d in digests if d not in found))
        by_digest = {d: t for d, t in zip(digests, texts, strict=True)}
        for start in range(0, len(missing), batch):
            part = missing[start : start + batch]
            vectors = self._inner.embed_documents([by_digest[d] for d in part])
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                [
                    (self.model, d, array("f", v).tobytes())
                    for d, v in zip(part, vectors, strict=True)
                ],
            )
            self._db.commit()  # a long run that is stopped keeps what it already paid for
            found.update(zip(part, vectors, strict=True))
            self.embedded += len(part)
        return [found[d] for d in digests]

    def embed_query(self, text: str) -> list[float]:
        """Queries are cached too, under their own key (e5 embeds "query: " and "passage: "
        differently): a rerun of a set's 1,190 questions costs nothing either."""
        digest = "query:" + sha256_text(text)
        with self._lock:
            found = self._lookup([digest])
            if digest in found:
                return found[digest]
            vector = self._inner.embed_query(text)
            self._db.execute(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                (self.model, digest, array("f", vector).tobytes()),
            )
            self._db.commit()
            self.embedded += 1
            return vector

    def close(self) -> None:
        self._db.close()
