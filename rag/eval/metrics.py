"""Retrieval metrics with trec_eval's definitions: pure functions over ranked ids and qrels.

- nDCG@k (trec_eval `ndcg_cut.k`): DCG = sum of rel_i / log2(i + 1) over ranks i = 1..k with
  linear gains (the judged relevance), divided by the DCG of the ideal ordering of every judged
  relevant document, cut at k.
- Recall@k (`recall.k`): relevant documents in the top k / all relevant documents.
- MRR@k: 1 / rank of the first relevant document within the top k, else 0.
- hit@k: 1 if any relevant document is within the top k.

Relevant means a judgement above 0. Queries without any relevant document are not evaluated
(trec_eval skips queries absent from the qrels); the mean is over the evaluated ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

Qrels = Mapping[str, Mapping[str, int]]  # query id -> doc id -> judged relevance
Run = Mapping[str, Sequence[str]]  # query id -> doc ids, best first


def _relevant(judged: Mapping[str, int]) -> dict[str, int]:
    return {doc: rel for doc, rel in judged.items() if rel > 0}


def ndcg_at_k(ranking: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    relevant = _relevant(judged)
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(rel / math.log2(i + 2) for i, rel in enumerate(ideal))
    if idcg == 0:
        return 0.0
    dcg = sum(relevant.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranking[:k]))
    return dcg / idcg


def recall_at_k(ranking: Sequence[str], judged: Mapping[str, int], k: int = 100) -> float:
    relevant = _relevant(judged)
    if not relevant:
        return 0.0
    return len(relevant.keys() & set(ranking[:k])) / len(relevant)


def mrr_at_k(ranking: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    relevant = _relevant(judged)
    for rank, doc in enumerate(ranking[:k], start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def hit_at_k(ranking: Sequence[str], judged: Mapping[str, int], k: int) -> float:
    return 1.0 if _relevant(judged).keys() & set(ranking[:k]) else 0.0


Metric = Callable[[Sequence[str], Mapping[str, int]], float]

BEIR_METRICS: dict[str, Metric] = {
    "nDCG@10": lambda r, j: ndcg_at_k(r, j, 10),
    "Recall@100": lambda r, j: recall_at_k(r, j, 100),
    "MRR@10": lambda r, j: mrr_at_k(r, j, 10),
}
QA_METRICS: dict[str, Metric] = {
    "hit@1": lambda r, j: hit_at_k(r, j, 1),
    "hit@5": lambda r, j: hit_at_k(r, j, 5),
    "MRR@10": lambda r, j: mrr_at_k(r, j, 10),
}


def evaluate(run: Run, qrels: Qrels, metrics: Mapping[str, Metric]) -> dict[str, float]:
    """Each metric's mean over the queries that have a relevant document (missing runs score 0)."""
    queries = [q for q, judged in qrels.items() if _relevant(judged)]
    if not queries:
        return {name: 0.0 for name in metrics}
    return {
        name: sum(metric(run.get(q, ()), qrels[q]) for q in queries) / len(queries)
        for name, metric in metrics.items()
    }


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (numpy's default), e.g. pct=50 for the median."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
