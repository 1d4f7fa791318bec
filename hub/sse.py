"""Server-sent events, decoded per the WHATWG spec: pure functions over byte chunks.

    bytes chunks --iter_lines--> lines --SSEDecoder--> ServerSentEvent

Handles lines split across chunks, CRLF / CR / LF line ends, multi-line `data:` (joined with
"\\n"), comments (`:` lines), `event:` / `id:` / `retry:` fields, and a final event that the
server did not terminate with a blank line. The OpenAI-style `[DONE]` sentinel is the caller's
business (`DONE`).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

DONE = "[DONE]"


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None


def iter_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Split a byte stream into lines; CRLF, CR and LF all end a line, even across chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    for chunk in chunks:
        lines, pending = split_lines(pending + decoder.decode(chunk))
        yield from lines
    lines, pending = split_lines(pending + decoder.decode(b"", final=True), final=True)
    yield from lines
    if pending:
        yield pending


def split_lines(text: str, *, final: bool = False) -> tuple[list[str], str]:
    """The complete lines of `text` and its unfinished tail.

    A trailing CR stays in the tail unless `final`: the next chunk may start with the LF of a CRLF.
    """
    lines: list[str] = []
    start = i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            lines.append(text[start:i])
            start = i + 1
        elif ch == "\r":
            if i + 1 == n and not final:
                break
            lines.append(text[start:i])
            if i + 1 < n and text[i + 1] == "\n":
                i += 1
            start = i + 1
        i += 1
    return lines, text[start:]


class SSEDecoder:
    """Feed lines, get events: one event per blank line that ends a non-empty event."""

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None
        self._last_id: str | None = None

    def decode(self, line: str) -> ServerSentEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment (servers send them as keep-alives)
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None  # unknown fields are ignored, as the spec says

    def flush(self) -> ServerSentEvent | None:
        """The last event, when the stream ended without its blank line."""
        return self._dispatch()

    def _dispatch(self) -> ServerSentEvent | None:
        if self._id is not None:
            self._last_id = self._id
        if not self._data and not self._event:
            self._retry = None
            return None
        event = ServerSentEvent(
            event=self._event or "message",
            data="\n".join(self._data),
            id=self._last_id,
            retry=self._retry,
        )
        self._event, self._data, self._id, self._retry = "", [], None, None
        return event


def iter_events(chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
    decoder = SSEDecoder()
    for line in iter_lines(chunks):
        event = decoder.decode(line)
        if event is not None:
            yield event
    last = decoder.flush()
    if last is not None:
        yield last
