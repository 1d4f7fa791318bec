"""The seams between the pure core and the adapters at the edges.

The core (chunking, retrieval logic, prompt building, citations) talks to embedders and chat
models only through these protocols, so tests pass in-memory fakes and the composition root
(`app.container`) picks the real adapters from the settings.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol, runtime_checkable


class Priority(IntEnum):
    """Who waits for a request: a person asking goes ahead of a bulk ingest."""

    INTERACTIVE = 0
    BULK = 1


@runtime_checkable
class Embedder(Protocol):
    @property
    def model(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def max_input_tokens(self) -> int:
        """The model's own input limit, in its own tokens (chunkers leave a margin below it)."""
        ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


# --- What a streamed chat completion yields -------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChatDelta:
    """A piece of the answer. `reasoning` is what reasoning models send beside the answer."""

    content: str = ""
    reasoning: str = ""
    finish_reason: str | None = None


@dataclass(frozen=True, slots=True)
class RateLimitWait:
    """The client is waiting before it may send (or resend) the request."""

    seconds: float


ChatStreamItem = ChatDelta | RateLimitWait


class ChatModel(Protocol):
    @property
    def model(self) -> str: ...

    def stream_chat(self, messages: Sequence[dict[str, object]]) -> Iterator[ChatStreamItem]:
        """Stream one answer; raises `core.errors.APIError` subclasses on failure."""
        ...

    def complete_chat(self, messages: Sequence[dict[str, object]], *, max_tokens: int) -> str:
        """One short non-streamed answer (used e.g. to rewrite follow-up questions)."""
        ...
