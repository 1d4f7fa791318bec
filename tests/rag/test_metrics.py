from __future__ import annotations

import math

import pytest

from rag.eval.metrics import (
    BEIR_METRICS,
    evaluate,
    hit_at_k,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    recall_at_k,
)

L2 = math.log2


@pytest.mark.parametrize(
    ("ranking", "judged", "expected"),
    [
        (["a", "b"], {"a": 1}, 1.0),  # the one relevant doc first
        (["x", "a"], {"a": 1}, 1 / L2(3)),  # at rank 2
        (["x", "a", "y", "b"], {"a": 1, "b": 1}, (1 / L2(3) + 1 / L2(5)) / (1 + 1 / L2(3))),
        (["b", "a"], {"a": 2, "b": 1}, (1 + 2 / L2(3)) / (2 + 1 / L2(3))),  # graded, linear gain
        (["x", "y"], {"a": 1}, 0.0),
        (["a"], {"a": 0}, 0.0),  # judged non-relevant counts for nothing
        ([], {"a": 1}, 0.0),
    ],
)
def test_ndcg_at_k_hand_computed_cases(
    ranking: list[str], judged: dict[str, int], expected: float
) -> None:
    assert ndcg_at_k(ranking, judged, 10) == pytest.approx(expected)


def test_ndcg_at_k_ignores_documents_past_the_cut() -> None:
    ranking = [f"x{i}" for i in range(10)] + ["a"]
    assert ndcg_at_k(ranking, {"a": 1}, 10) == 0.0
    assert ndcg_at_k(ranking, {"a": 1}, 11) == pytest.approx(1 / L2(12))


def test_ndcg_at_k_ideal_counts_relevant_docs_beyond_k() -> None:
    # 3 relevant docs, cut at 2: the ideal DCG uses the 2 best, so a perfect top-2 scores 1
    assert ndcg_at_k(["a", "b"], {"a": 1, "b": 1, "c": 1}, 2) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("ranking", "judged", "k", "expected"),
    [
        (["a", "x", "b"], {"a": 1, "b": 1, "c": 1}, 100, 2 / 3),
        (["a", "x", "b"], {"a": 1, "b": 1}, 2, 1 / 2),
        (["x"], {"a": 1}, 100, 0.0),
    ],
)
def test_recall_at_k_hand_computed_cases(
    ranking: list[str], judged: dict[str, int], k: int, expected: float
) -> None:
    assert recall_at_k(ranking, judged, k) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [(["a"], 1.0), (["x", "y", "a"], 1 / 3), ([f"x{i}" for i in range(10)] + ["a"], 0.0)],
)
def test_mrr_at_k_first_relevant_rank(ranking: list[str], expected: float) -> None:
    assert mrr_at_k(ranking, {"a": 1, "b": 1}, 10) == pytest.approx(expected)


def test_hit_at_k_only_counts_the_top_k() -> None:
    assert hit_at_k(["x", "a"], {"a": 1}, 1) == 0.0
    assert hit_at_k(["x", "a"], {"a": 1}, 2) == 1.0


def test_evaluate_means_over_judged_queries_and_missing_run_scores_zero() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}}  # q3 has nothing relevant: skipped
    run = {"q1": ["a"], "q3": ["c"]}  # q2 never ran
    scores = evaluate(run, qrels, BEIR_METRICS)
    assert scores == pytest.approx({"nDCG@10": 0.5, "Recall@100": 0.5, "MRR@10": 0.5})


@pytest.mark.parametrize(
    ("values", "pct", "expected"),
    [
        ([3.0, 1.0, 2.0], 50, 2.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([1.0, 2.0], 95, 1.95),
        ([], 50, 0.0),
    ],
)
def test_percentile_matches_numpy_linear(values: list[float], pct: float, expected: float) -> None:
    assert percentile(values, pct) == pytest.approx(expected)
