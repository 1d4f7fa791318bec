from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.eval import format_report
from core.errors import ConfigError
from core.ports import VectorStore
from core.settings import RetrievalMode, Settings
from rag.eval.datasets import read_beir, read_dataset, read_squad
from rag.eval.runner import run_eval
from store.qdrant import QdrantStore
from tests.fakes.embedder import HashEmbedder

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = [
    {"_id": "d1", "title": "Cats", "text": "Cats purr when they are content and sleep a lot."},
    {"_id": "d2", "title": "Volcanoes", "text": "Magma erupts from volcanoes as glowing lava."},
    {"_id": "d3", "title": "Banking", "text": "Interest rates rise when central banks tighten."},
]
QUERIES = [
    {"_id": "q1", "text": "why do cats purr"},
    {"_id": "q2", "text": "lava from volcanoes"},
    {"_id": "q3", "text": "not judged in the test split"},
]


def _beir(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in CORPUS) + "\n")
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in QUERIES) + "\n")
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n")
    return folder


def _squad(tmp_path: Path) -> Path:
    data = {
        "data": [
            {
                "title": "Big_Cats",
                "paragraphs": [
                    {"context": "Lions live in prides on the savanna.",
                     "qas": [{"id": "a", "question": "Where do lions live?", "answers": []}]},
                    {"context": "Tigers hunt alone in dense forests.",
                     "qas": [{"id": "b", "question": "How do tigers hunt?", "answers": []}]},
                ],
            }
        ]
    }  # fmt: skip
    path = tmp_path / "qa.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def store() -> Iterator[VectorStore]:
    store = QdrantStore.local()
    yield store
    store.close()


def test_read_beir_keeps_only_judged_queries(tmp_path: Path) -> None:
    evalset = read_beir(_beir(tmp_path))
    assert evalset.kind == "beir" and len(evalset.docs) == 3
    assert evalset.queries == {"q1": "why do cats purr", "q2": "lava from volcanoes"}
    assert evalset.qrels == {"q1": {"d1": 1}, "q2": {"d2": 1}}


def test_read_squad_each_question_judges_its_paragraph(tmp_path: Path) -> None:
    evalset = read_squad(_squad(tmp_path))
    assert [(d.id, d.title) for d in evalset.docs] == [("0-0", "Big Cats"), ("0-1", "Big Cats")]
    assert evalset.qrels == {"a": {"0-0": 1}, "b": {"0-1": 1}}


def test_read_dataset_unknown_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        read_dataset(tmp_path)


def test_run_eval_beir_scores_perfect_ranking(tmp_path: Path, store: VectorStore) -> None:
    report = run_eval(
        read_beir(_beir(tmp_path)), store=store, embedder=HashEmbedder(),
        settings=Settings(_env_file=None), modes=list(RetrievalMode),
    )  # type: ignore[call-arg]  # fmt: skip
    assert [r.mode for r in report.results] == ["dense", "sparse", "hybrid"]
    for result in report.results:
        assert result.metrics == pytest.approx({"nDCG@10": 1.0, "Recall@100": 1.0, "MRR@10": 1.0})
        assert result.queries == 2 and result.p95_ms >= result.p50_ms >= 0
    assert "nDCG@10" in format_report(report)


def test_run_eval_reuses_cached_collection_and_embeddings(
    tmp_path: Path, store: VectorStore
) -> None:
    evalset = read_beir(_beir(tmp_path))
    embedder = HashEmbedder()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    cache = tmp_path / "cache.sqlite"
    first = run_eval(evalset, store=store, embedder=embedder, settings=settings,
                     modes=[RetrievalMode.SPARSE], cache_path=cache)  # fmt: skip
    calls = len(embedder.calls)
    second = run_eval(evalset, store=store, embedder=embedder, settings=settings,
                      modes=[RetrievalMode.SPARSE], cache_path=cache)  # fmt: skip
    assert first.embedded_now == 3 and second.embedded_now == 0
    assert second.collection == first.collection and len(embedder.calls) == calls
    store.delete_collection(first.collection)  # rebuilt from the embedding cache alone
    third = run_eval(evalset, store=store, embedder=embedder, settings=settings,
                     modes=[RetrievalMode.SPARSE], cache_path=cache)  # fmt: skip
    assert third.embedded_now == 0 and store.count(third.collection) == 3


def test_run_eval_squad_reports_hits(tmp_path: Path, store: VectorStore) -> None:
    report = run_eval(
        read_squad(_squad(tmp_path)), store=store, embedder=HashEmbedder(),
        settings=Settings(_env_file=None), modes=[RetrievalMode.HYBRID],
    )  # type: ignore[call-arg]  # fmt: skip
    assert report.results[0].metrics == pytest.approx({"hit@1": 1.0, "hit@5": 1.0, "MRR@10": 1.0})


@pytest.mark.shared
def test_read_beir_scifact_counts_match_the_reference() -> None:
    folder = SHARED / "eval" / "scifact"
    if not folder.is_dir():
        pytest.skip("../shared/eval/scifact is absent (a fresh clone has no ../shared)")
    evalset = read_beir(folder)
    assert len(evalset.docs) == 5183 and len(evalset.queries) == 300
    assert sum(len(j) for j in evalset.qrels.values()) == 339


def test_caching_embedder_keeps_query_vectors_apart_from_documents(tmp_path: Path) -> None:
    from rag.eval.cache import CachingEmbedder

    class Counting(HashEmbedder):
        queries = 0

        def embed_query(self, text: str) -> list[float]:
            Counting.queries += 1
            return [-v for v in super().embed_query(text)]  # unlike the passage vector

    cache = tmp_path / "cache.sqlite"
    first = CachingEmbedder(Counting(), cache)
    query = first.embed_query("why do cats purr")
    passage = first.embed_documents(["why do cats purr"])[0]
    first.close()
    again = CachingEmbedder(Counting(), cache)
    assert again.embed_query("why do cats purr") == pytest.approx(query)
    assert query != pytest.approx(passage)
    assert Counting.queries == 1 and again.embedded == 0
    again.close()
