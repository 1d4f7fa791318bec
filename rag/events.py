"""The typed events an answer streams, in order.

    Query?  ->  Sources  ->  (TextDelta | ReasoningDelta | Notice)*  ->  Citations  ->  Done
                                          ...or at any point after Sources:  Failed -> Done

The Streamlit app and `rag ask` render the same stream; `--json` prints one event per line.
`AnswerState` is the one fold of that stream: each renderer applies the events to it as they
arrive and draws from it; `fold` does the whole stream at once (tests, batch callers).
"""

from __future__ import annotations

from collections.abc import Iterable
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
    wait: float = 0.0  # seconds the client now waits (a rate limit, a retry): a countdown


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


@dataclass(slots=True)
class AnswerState:
    """Everything an answer stream has said so far; mutable while it streams."""

    query: str = ""  # the search query used (empty until the Query event)
    rewritten: bool = False
    sources: tuple[ScoredChunk, ...] = ()
    found: bool = True
    text: str = ""
    reasoning: str = ""
    notices: list[str] = field(default_factory=list)
    citations: Citations | None = None
    failed: str | None = None
    done: bool = False
    usage: dict[str, int] = field(default_factory=dict)

    def apply(self, event: AnswerEvent) -> None:
        """Fold one more event in."""
        if isinstance(event, TextDelta):
            self.text += event.text
        elif isinstance(event, ReasoningDelta):
            self.reasoning += event.text
        elif isinstance(event, Query):
            self.query, self.rewritten = event.text, event.rewritten
        elif isinstance(event, Sources):
            self.sources, self.found = event.chunks, event.found
        elif isinstance(event, Notice):
            self.notices.append(event.message)
        elif isinstance(event, Citations):
            self.citations = event
        elif isinstance(event, Failed):
            self.failed = event.message
        else:
            self.done, self.usage = True, dict(event.usage)


def fold(events: Iterable[AnswerEvent]) -> AnswerState:
    """A whole stream folded into its state."""
    state = AnswerState()
    for event in events:
        state.apply(event)
    return state
