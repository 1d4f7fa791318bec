from __future__ import annotations

from collections.abc import Sequence

import pytest

from app.build import build_reranker
from core.records import Chunk, ScoredChunk
from core.settings import Settings
from hub.rerank import ModelHubReranker


class FakeRerankClient:
    def __init__(self, answer: list[tuple[int, float]]) -> None:
        self.answer = answer
        self.calls: list[tuple[str, list[str], str, int]] = []

    def rerank(
        self, query: str, documents: Sequence[str], *, model: str, top_n: int
    ) -> list[tuple[int, float]]:
        self.calls.append((query, list(documents), model, top_n))
        return self.answer


def _hits(n: int) -> list[ScoredChunk]:
    return [
        ScoredChunk(
            Chunk(f"id{i}", "a.md", "Guide", "markdown", f"text {i}", i, headings=("H",)), 0.5
        )
        for i in range(n)
    ]


def test_reranker_orders_by_relevance_and_keeps_top_n() -> None:
    client = FakeRerankClient([(0, 0.1), (2, 0.9), (1, 0.5)])
    out = ModelHubReranker(client, "m").rerank("q", _hits(3), top_n=2)
    assert [(h.chunk.id, h.score) for h in out] == [("id2", 0.9), ("id1", 0.5)]
    assert client.calls[0][0] == "q" and client.calls[0][2:] == ("m", 2)


def test_reranker_sends_title_and_heading_with_text() -> None:
    client = FakeRerankClient([(0, 1.0)])
    ModelHubReranker(client, "m").rerank("q", _hits(1), top_n=1)
    assert client.calls[0][1] == ["Guide — H\ntext 0"]


def test_reranker_ignores_unknown_and_repeated_indices() -> None:
    client = FakeRerankClient([(7, 0.99), (0, 0.8), (0, 0.7)])
    out = ModelHubReranker(client, "m").rerank("q", _hits(2), top_n=5)
    assert [h.chunk.id for h in out] == ["id0"]


def test_reranker_empty_candidates_make_no_call() -> None:
    client = FakeRerankClient([])
    assert ModelHubReranker(client, "m").rerank("q", [], top_n=3) == []
    assert client.calls == []


@pytest.mark.parametrize(
    ("backend", "model", "has_client", "expected"),
    [
        ("remote", "Qwen/Qwen3-VL-Reranker-8B", True, True),
        ("remote", None, True, False),
        ("local", "Qwen/Qwen3-VL-Reranker-8B", True, False),
        ("remote", "Qwen/Qwen3-VL-Reranker-8B", False, False),
    ],
)
def test_build_reranker_only_when_configured_and_remote(
    backend: str, model: str | None, has_client: bool, expected: bool
) -> None:
    settings = Settings(backend=backend, rerank_model=model, _env_file=None)  # type: ignore[arg-type,call-arg]
    client = FakeRerankClient([]) if has_client else None
    assert (build_reranker(settings, client) is not None) is expected  # type: ignore[arg-type]
