"""The embedded store optimized as it is written (an ingest's `optimize_every`) ends up in
several indexed segments; what a search finds does not depend on that."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.records import Candidate, Chunk, DenseQuery, SparseQuery, StoreQuery, chunk_id
from store import edge_disk
from store.edge import EdgeStore
from tests.conftest import bm25
from tests.fakes.embedder import HashEmbedder
from text import sparse

STEMS = [
    "umsatz",
    "vertrag",
    "handbuch",
    "rechnung",
    "kunde",
    "lager",
    "preis",
    "frist",
    "miete",
    "bilanz",
]
WORDS = [f"{stem}{n}" for stem in STEMS for n in range(20)]  # 200 words


def _chunks(count: int) -> list[Chunk]:
    """Seeded texts of 6-15 words: scores rarely tie, so the order of hits is well defined."""
    rng = random.Random(7)
    chunks = []
    for i in range(count):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 15)))
        source = f"doc{i // 25}.md"
        chunks.append(Chunk(chunk_id(source, i, text), source, source, "md", text, i))
    return chunks


def _fill(store: EdgeStore, chunks: list[Chunk], *, batch: int = 40, every: int = 0) -> None:
    """Write `chunks` in batches, optimizing after every `every` of them (0: never)."""
    embedder = HashEmbedder()
    store.ensure_collection("c", dim=embedder.dim, model=embedder.model)
    unindexed = 0
    for start in range(0, len(chunks), batch):
        part = chunks[start : start + batch]
        dense = embedder.embed_documents([c.text for c in part])
        store.upsert_chunks("c", part, dense, bm25(part))
        unindexed += len(part)
        if every and unindexed >= every:
            store.optimize("c")
            unindexed = 0


def _segments(root: Path) -> int:
    return sum(1 for _ in (root / "c" / "shard" / "segments").iterdir())


@pytest.fixture
def small_segments(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Index segments past 8 KB of vectors, merge up to 40 KB (160 points of the fake
    embedder's 64 dimensions): a few hundred chunks optimized every 80 make several segments."""
    monkeypatch.setattr(edge_disk, "INDEXING_KB", 8)
    monkeypatch.setattr(edge_disk, "SEGMENT_KB", 40)
    yield


def _by_score(hits: list[Candidate]) -> list[set[str]]:
    """The hits' ids grouped by score, best first; without the last group, which the limit may
    have cut anywhere among hits that tie."""
    groups: dict[float, set[str]] = {}
    for hit in hits:
        groups.setdefault(round(hit.score, 4), set()).add(hit.id)
    return [groups[score] for score in sorted(groups, reverse=True)][:-1]


def _queries(embedder: HashEmbedder) -> list[StoreQuery]:
    queries: list[StoreQuery] = []
    for text in ("umsatz3 vertrag7", "miete1 frist4 bilanz19", "kunde12 lager0 preis5"):
        queries.append(DenseQuery(embedder.embed_query(text)))
        queries.append(SparseQuery(*sparse.query_vector(text)))
    return queries


def test_edge_long_write_optimized_into_segments_finds_the_same(
    tmp_path: Path, small_segments: None
) -> None:
    chunks = _chunks(600)
    segmented = EdgeStore(tmp_path / "segmented")
    _fill(segmented, chunks, every=80)
    assert _segments(tmp_path / "segmented") >= 3  # indexed as it went, merges capped
    whole = EdgeStore(tmp_path / "whole")
    _fill(whole, chunks)
    assert _segments(tmp_path / "whole") == 1  # everything in the one appendable segment
    queries = _queries(HashEmbedder())
    found = segmented.search("c", queries, limit=10)
    expected = whole.search("c", queries, limit=10)
    for got, want in zip(found, expected, strict=True):
        assert len(got) == 10
        assert [c.score for c in got] == pytest.approx([c.score for c in want], rel=1e-5)
        assert _by_score(got) == _by_score(want)  # the same hits (equal scores in any order)
    assert segmented.count("c") == whole.count("c") == 600
    assert segmented.source_states("c") == whole.source_states("c")
    segmented.close()
    whole.close()


def test_edge_rewriting_the_same_chunks_keeps_one_copy_across_segments(
    tmp_path: Path, small_segments: None
) -> None:
    chunks = _chunks(300)
    store = EdgeStore(tmp_path / "edge")
    _fill(store, chunks, every=80)
    _fill(store, chunks, every=80)  # a re-ingest: the same ids again, over several segments
    store.optimize("c")
    assert store.count("c") == 300
    ids = [c.id for c in chunks[:50]]
    assert sorted(store.fetch("c", ids)) == sorted(ids)
    store.close()


def test_edge_searches_answer_while_writes_optimize(tmp_path: Path, small_segments: None) -> None:
    """Another thread's searches keep finding while segments are rebuilt and flushed."""
    embedder = HashEmbedder()
    store = EdgeStore(tmp_path / "edge")
    _fill(store, _chunks(40))
    query = DenseQuery(embedder.embed_query("umsatz3 vertrag7"))
    stop, found, errors = threading.Event(), [], []

    def read() -> None:
        try:
            while not stop.is_set():
                found.append(len(store.search("c", [query], limit=5)[0]))
        except BaseException as error:
            errors.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        _fill(store, _chunks(800)[40:], batch=20, every=50)  # 38 batches, 12 optimize + flush
    finally:
        stop.set()
        reader.join(timeout=60)
    assert errors == [] and found and set(found) == {5}
    assert store.count("c") == 800
    store.close()


def test_edge_scroll_over_a_collection_gives_its_pages_back_as_it_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store import edge

    store = EdgeStore(tmp_path / "store")
    chunks = _chunks(1500)
    _fill(store, chunks)
    given_back: list[Path] = []
    monkeypatch.setattr(edge, "page_out", given_back.append)
    monkeypatch.setattr(edge, "PAGE_OUT_POINTS", 1000)

    states = store.source_states("c")

    # 1,500 points in scroll pages of 512: given back once 1,024 are read, and at the end;
    # every source read whole all the same.
    assert given_back == [store._folder("c")] * 2
    assert len(states) == 60 and store.source_stats("c")["doc0.md"].chunks == 25
    store.close()


def test_edge_optimize_gives_the_written_pages_back_before_and_after_it_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store import edge

    store = EdgeStore(tmp_path / "store")
    _fill(store, _chunks(200))
    calls: list[str] = []
    shard = store._shard("c")

    class Watched:  # the shard, telling when it optimizes (Edge's own type takes no patch)
        def __getattr__(self, attribute: str) -> object:
            if attribute == "optimize":
                calls.append("optimize")
            return getattr(shard, attribute)

    store._shards["c"] = Watched()  # type: ignore[assignment]
    monkeypatch.setattr(edge, "page_out", lambda folder: calls.append(f"page_out {folder.name}"))

    store.optimize("c")

    assert calls == ["page_out c", "optimize", "page_out c"]
    store._shards["c"] = shard
    assert store.count("c") == 200
    store.close()
