"""Keep a model's reasoning out of its answer.

Reasoning models on the AI Model Hub (e.g. gpt-oss) send reasoning in a separate field, which the
client already yields as `ChatDelta.reasoning`. Others write it inline, as `<think>...</think>` at
the start of the content. `ThinkSplitter` routes the inline kind to the reasoning side, even when
a tag arrives split across stream deltas. Pure and incremental.
"""

from __future__ import annotations

OPEN, CLOSE = "<think>", "</think>"


def _partial_tag_suffix(text: str, tag: str) -> int:
    """Length of the longest end of `text` that could be the start of `tag`."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


class ThinkSplitter:
    def __init__(self) -> None:
        self._buffer = ""
        self._inside = False

    def feed(self, text: str) -> list[tuple[str, str]]:
        """Split a content delta into ("answer" | "reasoning", text) pieces."""
        self._buffer += text
        pieces: list[tuple[str, str]] = []
        while True:
            tag = CLOSE if self._inside else OPEN
            kind = "reasoning" if self._inside else "answer"
            index = self._buffer.find(tag)
            if index >= 0:
                if index:
                    pieces.append((kind, self._buffer[:index]))
                self._buffer = self._buffer[index + len(tag) :]
                self._inside = not self._inside
                continue
            keep = _partial_tag_suffix(self._buffer, tag)
            ready = self._buffer[: len(self._buffer) - keep]
            self._buffer = self._buffer[len(self._buffer) - keep :]
            if ready:
                pieces.append((kind, ready))
            return pieces

    def flush(self) -> list[tuple[str, str]]:
        """Whatever is held back at the end of the stream."""
        rest, self._buffer = self._buffer, ""
        return [("reasoning" if self._inside else "answer", rest)] if rest else []
