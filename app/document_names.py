"""The document names of a collection, read once per change of the collection, not per question.

Every question that may name a document (`rag.entities`, `rag.periods`) or is scoped to some
(`rag.scope`) needs the collection's source names. The store can only list them by scrolling
every point's payload (`VectorStore.source_states`): on a collection of 10 annual reports that is
~6,000 points read per question. The names change only when points come or go, so they are kept
per collection with the point count they were read at, and read again when the count differs.
The count is one cheap call; another process's ingest (the CLI beside the UI) changes it and so
is seen at the next question. Replacing one document by another with exactly as many chunks in
between two questions would go unseen until the next change; `forget` (after this process's
ingest or delete) closes that gap for the changes made here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from core.ports import VectorStore


@dataclass
class DocumentNames:
    store: VectorStore
    _known: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, collection: str) -> list[str]:
        """The source names in `collection`, sorted; none when it does not exist."""
        if not self.store.exists(collection):
            return []
        count = self.store.count(collection)
        with self._lock:
            known = self._known.get(collection)
        if known is not None and known[0] == count:
            return list(known[1])
        names = tuple(sorted(self.store.source_states(collection)))
        with self._lock:
            self._known[collection] = (count, names)
        return list(names)

    def forget(self, collection: str) -> None:
        with self._lock:
            self._known.pop(collection, None)
