"""Retrieval: the one function every caller uses to find the chunks that answer a question.

The decisions are made here, not in the store (`core.ports.VectorStore` only answers dense and
sparse queries with ids and raw scores, and fetches chunks): which queries a mode sends, the
query's BM25 terms, how many candidates per side, how they fuse (`rag.fusion`), and that only
the winners' chunks are fetched (`search_chunks`).

    retrieve(query, store=..., embedder=..., collection=..., mode=..., top_k=...)

returns at most `top_k` chunks, best first, after near-duplicate suppression (a chunk whose
words mostly repeat a better one's is dropped, so the answer's sources are not the same passage
twice). `ScoredChunk.score` is a relevance in [0, 1] whose meaning is fixed per mode (see
`rag.fusion`: cosine rescaled per model; BM25 squashed; their even mix), so one threshold (the
floor) tells "found" from "not in your documents". With a reranker it is the reranker's relevance.

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
from collections.abc import Callable, Sequence
from typing import Protocol

from core.errors import StoreError
from core.ports import Embedder, VectorStore
from core.records import Candidate, Chunk, DenseQuery, ScoredChunk, SearchFilter, SparseQuery
from core.settings import RetrievalMode
from rag import fusion
from rag.prefer import merge_preferred
from text import sparse

DUPLICATE_JACCARD = 0.8  # word-shingle overlap above which a chunk repeats a better one
_SHINGLE = 3
_WORD = re.compile(r"\w+")
RERANK_CANDIDATES = 20  # chunks sent to the reranker, at least
HYBRID_CANDIDATES = 100  # per side, before fusion
FAVOURED = 1.25  # a favoured chunk's relevance counts this many times in the order
FAVOUR_DEPTH = 50  # how deep in the list a favoured chunk is looked for


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
    sparse_text: str | None = None,
    prefer: Sequence[str] = (),
    favour: Callable[[Chunk], bool] | None = None,
) -> list[ScoredChunk]:
    """The `top_k` most relevant chunks of `collection` for `query`, best first.

    `sparse_text`, when given, is what the BM25 side searches for instead of `query` (e.g. the
    query with financial line items added: `rag.expand`); the dense side embeds `query`.
    `prefer` names documents to answer from unless a chunk elsewhere is clearly more relevant
    (`rag.prefer`): the named documents and the whole scope are searched with the one query
    vector, and the merged list is deduplicated and reranked once. `favour` marks chunks to
    lift (`search_chunks`), e.g. the statement a ratio is computed from (`rag.expand`).
    """
    query = query.strip()
    if not query or top_k <= 0:
        return []
    wanted = max(top_k, RERANK_CANDIDATES) if reranker is not None else top_k
    dense = embedder.embed_query(query) if mode is not RetrievalMode.SPARSE else None
    limit = wanted + max(4, wanted // 2)  # room for the duplicates we drop

    def search(scope: SearchFilter | None) -> list[ScoredChunk]:
        return search_chunks(
            store, collection, dense=dense, text=sparse_text or query, mode=mode, limit=limit,
            filters=scope, model=embedder.model, favour=favour,
        )  # fmt: skip

    hits = search(filters)
    if prefer:
        named = SearchFilter(sources=tuple(prefer), kinds=filters.kinds if filters else ())
        hits = merge_preferred(search(named), hits, preferred=frozenset(prefer), top_k=limit)
    hits = suppress_near_duplicates(hits, limit=wanted)
    if reranker is not None and hits:
        hits = reranker.rerank(query, hits, top_n=top_k)
    return hits[:top_k]


def search_chunks(
    store: VectorStore,
    collection: str,
    *,
    dense: Sequence[float] | None,
    text: str,
    mode: RetrievalMode,
    limit: int,
    filters: SearchFilter | None = None,
    candidates: int | None = None,
    model: str | None = None,
    favour: Callable[[Chunk], bool] | None = None,
) -> list[ScoredChunk]:
    """Best first, scored as relevance in [0, 1] (see `rag.fusion` for what it means).

    dense: cosine rescaled for `model` (the embedder's name); sparse: squashed BM25; hybrid:
    `fusion.fuse` over the union of each side's top `candidates` (default: 4 x limit, at least
    `HYBRID_CANDIDATES`; each side standardised over its best `fusion.ZSCORE_DEPTH`, so a
    deeper search only adds to the tail; full SciFact with e5, nDCG@10: 0.721 with 100 per side,
    0.722 with 1,800).
    Hybrid without a query vector falls back to sparse.

    `favour`: the best `FAVOUR_DEPTH` are ordered by relevance, the chunks it marks counting
    `FAVOURED` times theirs (hybrid's order is otherwise z-score fusion's: the two orders
    score alike on SciFact, `rag.fusion`); the scores returned are the plain relevances.
    """
    deep = max(limit, FAVOUR_DEPTH) if favour else limit
    if mode is RetrievalMode.DENSE:
        if dense is None:
            raise StoreError("dense retrieval needs a query vector")
        (found,) = store.search(collection, [DenseQuery(dense)], limit=deep, filters=filters)
        hits = fusion.as_dense_relevance(_with_chunks(store, collection, _pairs(found)), model)
    elif mode is RetrievalMode.HYBRID and dense is not None:
        wide = candidates or max(deep * 4, HYBRID_CANDIDATES)
        dense_found, sparse_found = store.search(
            collection, [DenseQuery(dense), _terms(text)], limit=wide, filters=filters
        )
        fused = fusion.fuse(_pairs(dense_found), _pairs(sparse_found), limit=deep, model=model)
        hits = _with_chunks(store, collection, fused)  # only the winners' payloads are fetched
    else:
        (found,) = store.search(collection, [_terms(text)], limit=deep, filters=filters)
        hits = fusion.as_sparse_relevance(_with_chunks(store, collection, _pairs(found)))
    return _lifted(hits, favour, limit)


def _terms(text: str) -> SparseQuery:
    return SparseQuery(*sparse.query_vector(text))


def _lifted(
    hits: list[ScoredChunk], favour: Callable[[Chunk], bool] | None, limit: int
) -> list[ScoredChunk]:
    """The first `limit` of `hits` ordered by relevance, a favoured chunk's times `FAVOURED`;
    the scores stay as they are, so the floor keeps its meaning. Without `favour`, `hits`."""
    if favour is None:
        return hits
    lift = {h.chunk.id: FAVOURED for h in hits if favour(h.chunk)}
    if not lift:
        return hits[:limit]
    return sorted(hits, key=lambda h: -h.score * lift.get(h.chunk.id, 1.0))[:limit]


def _pairs(candidates: Sequence[Candidate]) -> list[tuple[str, float]]:
    return [(c.id, c.score) for c in candidates]


def _with_chunks(
    store: VectorStore, collection: str, pairs: Sequence[tuple[str, float]]
) -> list[ScoredChunk]:
    """The scored ids as chunks, in order (an id deleted meanwhile is skipped)."""
    if not pairs:
        return []
    chunks = store.fetch(collection, [cid for cid, _ in pairs])
    return [ScoredChunk(chunks[cid], score) for cid, score in pairs if cid in chunks]
