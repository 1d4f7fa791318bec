from __future__ import annotations

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
