"""The typed events an answer streams, in order.

    Query?  ->  Sources  ->  (TextDelta | ReasoningDelta | Notice)*  ->  Citations  ->  Done
                                          ...or at any point after Sources:  Failed -> Done

The Streamlit app and `rag ask` render the same stream; `--json` prints one event per line.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from core.records import Citation, ScoredChunk


@dataclass(frozen=True, slots=True)
class Query:
    """The standalone search query actually used (a follow-up rewritten from the history)."""

    text: str
    rewritten: bool = False


@dataclass(frozen=True, slots=True)
class Sources:
    chunks: tuple[ScoredChunk, ...]
    found: bool = True  # False: nothing cleared the relevance threshold


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True, slots=True)
class Notice:
    """Something a person should see but that is not the answer (e.g. a rate-limit wait)."""

    message: str


@dataclass(frozen=True, slots=True)
class Citations:
    citations: tuple[Citation, ...]  # only the cited sources, in order of first citation
    dropped: tuple[int, ...] = ()  # [n] markers that pointed at no source
    uncited: bool = False  # the answer has text but no valid citation


@dataclass(frozen=True, slots=True)
class Failed:
    """The answer stopped early; the text streamed so far stays."""

    message: str


@dataclass(frozen=True, slots=True)
class Done:
    usage: dict[str, int] = field(default_factory=dict)


AnswerEvent = Query | Sources | TextDelta | ReasoningDelta | Notice | Citations | Failed | Done


def event_to_json(event: AnswerEvent) -> dict[str, Any]:
    """A JSON-ready dict with a `type` field, for `rag ask --json`."""
    return {"type": type(event).__name__.lower(), **asdict(event)}
