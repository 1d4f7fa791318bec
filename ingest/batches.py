"""The one batching rule for embedding requests, cut once, where the chunks are queued.

A batch closes when it holds `max_count` inputs, or when the next input's tokens would take it
past `max_tokens`; the tokens are those of exactly the text sent (`Chunk.indexed_text`). So
every batch but the last is full: by count, or to within one input of the token budget. The
embedder then sends each batch as given; nothing downstream cuts it again. An input over the
budget on its own travels alone (the server decides about it).
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Batcher(Generic[T]):
    """Collects items with their token costs and hands out closed batches."""

    def __init__(self, *, max_count: int, max_tokens: int) -> None:
        self.max_count = max(1, max_count)
        self.max_tokens = max(1, max_tokens)
        self._items: list[T] = []
        self._tokens = 0

    def add(self, item: T, tokens: int) -> list[list[T]]:
        """Queue `item`; return the batches its arrival closed (none, one or two)."""
        closed: list[list[T]] = []
        if self._items and self._tokens + tokens > self.max_tokens:
            closed.append(self._close())
        self._items.append(item)
        self._tokens += tokens
        if len(self._items) >= self.max_count:
            closed.append(self._close())
        return closed

    def flush(self) -> list[T]:
        """The last batch, however full (empty when nothing is queued)."""
        return self._close()

    def _close(self) -> list[T]:
        batch, self._items, self._tokens = self._items, [], 0
        return batch


def fill(count: int, tokens: int, *, max_count: int, max_tokens: int) -> float:
    """How full a request is: by count or by tokens, whichever binds (1.0 = full)."""
    return min(1.0, max(count / max_count, tokens / max_tokens))
