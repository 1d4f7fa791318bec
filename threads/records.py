"""What a kept conversation is made of: small frozen records, and their JSON form in the database.

A message keeps everything needed to draw it again after a restart: the question, the answer
text, the query actually searched, the retrieved sources and the resolved citations (file, page,
snippet, quote), notices, whether it failed or was stopped, and a person's feedback on it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.records import Chunk, Citation, ScoredChunk


class Feedback(StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Thread:
    id: str
    user: str | None  # None: logins are off, the thread belongs to everyone on the instance
    title: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NewMessage:
    """One finished (or failed, or stopped) exchange, as the app hands it to the store."""

    question: str
    answer: str
    collection: str
    query: str = ""
    rewritten: bool = False
    reasoning: str = ""
    notices: tuple[str, ...] = ()
    sources: tuple[ScoredChunk, ...] = ()
    found: bool = True
    citations: tuple[Citation, ...] = ()
    dropped: tuple[int, ...] = ()
    uncited: bool = False
    failed: str | None = None
    stopped: bool = False


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    thread_id: str
    position: int  # 0-based order within the thread
    created_at: datetime
    content: NewMessage
    feedback: Feedback | None = None
    feedback_comment: str = ""


@dataclass(frozen=True, slots=True)
class Conversation:
    thread: Thread
    messages: tuple[Message, ...]


def chunk_to_json(chunk: Chunk) -> dict[str, Any]:
    data = asdict(chunk)
    data["headings"] = list(chunk.headings)
    return data


def chunk_from_json(data: dict[str, Any]) -> Chunk:
    return Chunk(
        id=str(data["id"]),
        source=str(data["source"]),
        title=str(data.get("title", "")),
        kind=str(data.get("kind", "")),
        text=str(data.get("text", "")),
        position=int(data.get("position", 0)),
        page_start=data.get("page_start"),
        page_end=data.get("page_end"),
        headings=tuple(data.get("headings", ())),
        doc_hash=str(data.get("doc_hash", "")),
        token_count=int(data.get("token_count", 0)),
    )


def sources_to_json(sources: tuple[ScoredChunk, ...]) -> list[dict[str, Any]]:
    return [{"score": s.score, "chunk": chunk_to_json(s.chunk)} for s in sources]


def sources_from_json(data: list[dict[str, Any]] | None) -> tuple[ScoredChunk, ...]:
    return tuple(
        ScoredChunk(chunk=chunk_from_json(item["chunk"]), score=float(item["score"]))
        for item in data or ()
    )


def citations_to_json(citations: tuple[Citation, ...]) -> list[dict[str, Any]]:
    return [
        {"number": c.number, "score": c.score, "quote": c.quote, "chunk": chunk_to_json(c.chunk)}
        for c in citations
    ]


def citations_from_json(data: list[dict[str, Any]] | None) -> tuple[Citation, ...]:
    return tuple(
        Citation(
            number=int(item["number"]),
            chunk=chunk_from_json(item["chunk"]),
            score=float(item["score"]),
            quote=str(item.get("quote", "")),
        )
        for item in data or ()
    )
