"""Prefer the documents a question names, without confining it to them.

`rag.entities` / `rag.periods` guess which documents a question is about from their file names
("What was Pfizer's revenue in FY2021?" -> PFIZER_2021_10K.pdf). A guess can be wrong: in a
collection of notes, "Who created Python?" names `python.md` (about snakes) while the answer is
in `languages.md`. So `PreferringRetriever` searches the named documents and the whole scope,
and answers from the named documents' chunks unless a chunk elsewhere is clearly more relevant
(its relevance, the same [0, 1] scale in both searches: `rag.fusion`, is `BETTER` times their
best or more); those come first. Two searches per question, only when a rule named documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.records import ScoredChunk, SearchFilter
from core.settings import RetrievalMode
from rag.retriever import Retriever

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


@dataclass(frozen=True, slots=True)
class PreferringRetriever:
    inner: Retriever
    preferred: tuple[str, ...]
    better: float = BETTER

    def check(self, collection: str, mode: RetrievalMode) -> None:
        self.inner.check(collection, mode)

    def search(
        self,
        query: str,
        *,
        collection: str,
        mode: RetrievalMode,
        top_k: int,
        filters: SearchFilter | None = None,
    ) -> list[ScoredChunk]:
        named = self.inner.search(
            query, collection=collection, mode=mode, top_k=top_k,
            filters=SearchFilter(sources=self.preferred, kinds=filters.kinds if filters else ()),
        )  # fmt: skip
        everywhere = self.inner.search(
            query, collection=collection, mode=mode, top_k=top_k, filters=filters
        )
        return merge_preferred(
            named, everywhere, preferred=frozenset(self.preferred), top_k=top_k,
            better=self.better,
        )  # fmt: skip
