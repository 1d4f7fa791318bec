"""Prefer the documents a question names, without confining it to them.

`rag.entities` / `rag.periods` guess which documents a question is about from their file names
("What was Pfizer's revenue in FY2021?" -> PFIZER_2021_10K.pdf). A guess can be wrong: in a
collection of notes, "Who created Python?" names `python.md` (about snakes) while the answer is
in `languages.md`. So `rag.retrieve.retrieve(prefer=...)` searches the named documents and the
whole scope with the one query vector, and answers from the named documents' chunks unless a
chunk elsewhere is clearly more relevant (its relevance, the same [0, 1] scale in both searches:
`rag.fusion`, is `BETTER` times their best or more); those come first. Two store searches per
question, only when a rule named documents; one embedding, one rerank.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.records import ScoredChunk

BETTER = 1.25  # how many times the named documents' best relevance a chunk elsewhere needs


def merge_preferred(
    named: Sequence[ScoredChunk],
    everywhere: Sequence[ScoredChunk],
    *,
    preferred: frozenset[str],
    top_k: int,
    better: float = BETTER,
) -> list[ScoredChunk]:
    """The named documents' hits, after any hit elsewhere `better` times their best or more."""
    best = max((hit.score for hit in named), default=0.0)
    stronger = [
        hit
        for hit in everywhere
        if hit.chunk.source not in preferred and hit.score > 0 and hit.score >= best * better
    ]
    return [*stronger, *named][:top_k]
