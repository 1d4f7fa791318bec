"""Build `Chunk`s and `ScoredChunk`s for tests in one line."""

from __future__ import annotations

from core.records import Chunk, ScoredChunk, chunk_id


def chunk(
    text: str,
    *,
    source: str = "handbook.pdf",
    page: int | None = 1,
    position: int = 0,
    headings: tuple[str, ...] = (),
    kind: str | None = None,
) -> Chunk:
    return Chunk(
        id=chunk_id(source, position, text),
        source=source,
        title=source.rsplit(".", 1)[0],
        kind=kind or ("pdf" if source.endswith(".pdf") else "markdown"),
        text=text,
        position=position,
        page_start=page,
        page_end=page,
        headings=headings,
    )


def scored(text: str, score: float = 0.8, **fields: object) -> ScoredChunk:
    return ScoredChunk(chunk(text, **fields), score)  # type: ignore[arg-type]
