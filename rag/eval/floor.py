"""Calibrate the relevance floor for an embedding model from data (`rag eval --calibrate-floor`).

Every data set's questions are asked against its own collection (answerable) and against each
collection of a data set of the other kind (off-topic: SciFact's questions have no answer in
XQuAD's Wikipedia paragraphs, and the other way round; XQuAD-de and XQuAD-en are translations
of each other, so they are not paired). The floor is the largest value that keeps at least
`KEEP` of the answerable questions *in every set* (the minimum over sets of their 2nd
percentile of top-1 relevance); the report shows what share of each off-topic pairing it
refuses. Put the floor into `rag.fusion.FLOORS` under the model's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from core.ports import Embedder, VectorStore
from core.settings import RetrievalMode
from rag.eval.datasets import EvalSet
from rag.eval.metrics import percentile
from rag.retrieve import retrieve

KEEP = 0.98


@dataclass(frozen=True, slots=True)
class FloorReport:
    model: str
    floor: float
    kept: dict[str, float]  # data set -> share of its answerable questions at or above the floor
    refused: dict[str, float]  # "questions -> collection" -> share of off-topic ones below it
    answerable: dict[str, list[float]] = field(repr=False)  # top-1 relevance per question


def _top1(
    queries: Sequence[str], vectors: dict[str, list[float]], *, store: VectorStore,
    embedder: Embedder, collection: str,
) -> list[float]:  # fmt: skip
    class _Known:  # the questions are embedded once, for every collection they are asked of
        model, dim, max_input_tokens = embedder.model, embedder.dim, embedder.max_input_tokens

        def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
            return embedder.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return vectors.get(text) or embedder.embed_query(text)

    scores = []
    for text in queries:
        hits = retrieve(
            text, store=store, embedder=_Known(), collection=collection,
            mode=RetrievalMode.HYBRID, top_k=1,
        )  # fmt: skip
        scores.append(hits[0].score if hits else 0.0)
    return scores


def calibrate_floor(
    sets: Sequence[tuple[EvalSet, str]], *, store: VectorStore, embedder: Embedder
) -> FloorReport:
    """`sets`: each data set with the name of the collection it was indexed into."""
    texts = {s.name: [t.strip() for t in s.queries.values()] for s, _ in sets}
    vectors = {t: embedder.embed_query(t) for qs in texts.values() for t in qs}
    answerable = {
        s.name: _top1(texts[s.name], vectors, store=store, embedder=embedder, collection=name)
        for s, name in sets
    }
    floor = min(percentile(scores, (1 - KEEP) * 100) for scores in answerable.values())
    kept = {n: sum(v >= floor for v in scores) / len(scores) for n, scores in answerable.items()}
    refused: dict[str, float] = {}
    for asked, _ in sets:
        for other, name in sets:
            if other.kind == asked.kind:
                continue
            scores = _top1(
                texts[asked.name], vectors, store=store, embedder=embedder, collection=name
            )
            refused[f"{asked.name} -> {other.name}"] = sum(v < floor for v in scores) / len(scores)
    return FloorReport(embedder.model, floor, kept, refused, answerable)
