"""Retrieval: the one function every caller uses to find the chunks that answer a question.

    retrieve(query, store=..., embedder=..., collection=..., mode=..., top_k=...)

returns at most `top_k` chunks, best first, after near-duplicate suppression (a chunk whose
words mostly repeat a better one's is dropped, so the answer's sources are not the same passage
twice). `ScoredChunk.score` is a relevance in [0, 1] whose meaning is fixed per mode (see
`rag.fusion`: cosine; BM25 squashed; their even mix), so one threshold (`settings.min_score`)
tells "found" from "not in your documents". With a reranker it is the reranker's relevance.

Measured with the local model (SciFact and XQuAD questions against their own corpus, where the
gold passage is in the top 5, versus against the other corpus), hybrid top-1 score:
    threshold       0.30   0.35   0.40   0.45   0.50
    answerable kept 0.997  0.994  0.982  0.962  0.919
    off-topic refused 0.201 0.407 0.652 0.842  0.937
0.4 is the sound floor for collections of real size. In a collection of a handful of chunks BM25's
IDF is small (ln 2.7 with 3 chunks), so the sparse half scores low and 0.4 would refuse answerable
questions there; the default therefore stays 0.0 until the floor adapts to collection size.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from core.ports import Embedder
from core.records import ScoredChunk, SearchFilter
from core.settings import RetrievalMode
from store.vector_store import VectorStore

DUPLICATE_JACCARD = 0.8  # word-shingle overlap above which a chunk repeats a better one
_SHINGLE = 3
_WORD = re.compile(r"\w+")
RERANK_CANDIDATES = 20  # chunks sent to the reranker, at least


class Reranker(Protocol):
    def rerank(
        self, query: str, chunks: Sequence[ScoredChunk], *, top_n: int
    ) -> list[ScoredChunk]: ...


def shingles(text: str, size: int = _SHINGLE) -> frozenset[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return frozenset({tuple(words)}) if words else frozenset()
    return frozenset(zip(*(words[i:] for i in range(size)), strict=False))


def suppress_near_duplicates(
    hits: Sequence[ScoredChunk], *, limit: int, threshold: float = DUPLICATE_JACCARD
) -> list[ScoredChunk]:
    """Keep hits in order, dropping any whose shingles overlap a kept one's above `threshold`.

    Overlaps are counted through an inverted index of the kept hits' shingles, so a candidate is
    compared only with the kept hits it shares a shingle with: near-linear, not quadratic.
    """
    kept: list[ScoredChunk] = []
    sizes: list[int] = []
    postings: dict[tuple[str, ...], list[int]] = {}
    for hit in hits:
        if len(kept) == limit:
            break
        mine = shingles(hit.chunk.text)
        shared = Counter(j for shingle in mine for j in postings.get(shingle, ()))
        if any(n / (len(mine) + sizes[j] - n) >= threshold for j, n in shared.items()):
            continue
        for shingle in mine:
            postings.setdefault(shingle, []).append(len(kept))
        kept.append(hit)
        sizes.append(len(mine))
    return kept


def retrieve(
    query: str,
    *,
    store: VectorStore,
    embedder: Embedder,
    collection: str,
    mode: RetrievalMode,
    top_k: int,
    filters: SearchFilter | None = None,
    reranker: Reranker | None = None,
) -> list[ScoredChunk]:
    """The `top_k` most relevant chunks of `collection` for `query`, best first."""
    query = query.strip()
    if not query or top_k <= 0:
        return []
    wanted = max(top_k, RERANK_CANDIDATES) if reranker is not None else top_k
    dense = embedder.embed_query(query) if mode is not RetrievalMode.SPARSE else None
    hits = store.search(
        collection,
        dense=dense,
        text=query,
        mode=mode,
        limit=wanted + max(4, wanted // 2),  # room for the duplicates we drop
        filters=filters,
    )
    hits = suppress_near_duplicates(hits, limit=wanted)
    if reranker is not None and hits:
        hits = reranker.rerank(query, hits, top_n=top_k)
    return hits[:top_k]
