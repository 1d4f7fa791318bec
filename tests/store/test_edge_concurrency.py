"""The embedded store shared by many sessions of one process: one writer at a time, creation
whole or not at all, and what a crash left half made removed when the store opens."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from core.reasons import Reason
from core.records import Chunk, DenseQuery, FileOutcome, FileStatus, chunk_id
from ingest import run
from ingest.loaders import file_hash
from ingest.pipeline import IngestOptions, ingest_paths
from store.edge import EdgeStore
from tests.conftest import bm25
from tests.fakes.embedder import HashEmbedder


def _together(*jobs: Callable[[], object]) -> list[BaseException]:
    """Run the jobs in threads released at the same moment; the exceptions they raised."""
    start, errors = threading.Barrier(len(jobs)), []

    def run(job: Callable[[], object]) -> None:
        start.wait()
        try:
            job()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _files(tmp_path: Path, count: int) -> list[Path]:
    folder = tmp_path / "docs"
    folder.mkdir()
    paths = []
    for i in range(count):
        path = folder / f"file{i}.md"
        body = "\n\n".join(
            f"Abschnitt {j} von Datei {i}: Umsatz, Vertrag, Handbuch." for j in range(40)
        )
        path.write_text(f"# Datei {i}\n\n{body}\n", encoding="utf-8")
        paths.append(path)
    return paths


def _ingest(store: EdgeStore, path: Path) -> Callable[[], object]:
    options = IngestOptions(
        chunk_tokens=64, chunk_overlap=0, workers=1, file_timeout=60.0, file_memory_mb=0,
        batch_size=8, batch_tokens=4096,
    )  # fmt: skip
    embedder = HashEmbedder()
    return lambda: ingest_paths(
        [path], store=store, embedder=embedder, collection="new", options=options
    )


@pytest.mark.parametrize("existing", [False, True], ids=["new-collection", "existing-collection"])
def test_edge_two_threads_ingest_into_one_collection_both_land(
    tmp_path: Path, existing: bool
) -> None:
    first, second = _files(tmp_path, 2)
    if existing:  # made by an earlier process: this store loads its shard lazily, twice at once
        embedder = HashEmbedder()
        made = EdgeStore(tmp_path / "edge")
        made.ensure_collection("new", dim=embedder.dim, model=embedder.model)
        made.close()
    store = EdgeStore(tmp_path / "edge")
    errors = _together(_ingest(store, first), _ingest(store, second))
    assert errors == []
    states = store.source_states("new")
    assert sorted(Path(s).name for s in states) == ["file0.md", "file1.md"]
    assert all(states.values())  # both committed, neither partial
    assert all(len(store.chunks_of("new", source)) > 1 for source in states)
    store.close()
    reopened = EdgeStore(tmp_path / "edge")  # and the collection still loads afterwards
    assert reopened.source_states("new") == states
    reopened.close()


def test_edge_reads_answer_while_another_thread_writes(tmp_path: Path) -> None:
    embedder = HashEmbedder()
    store = EdgeStore(tmp_path / "edge")
    store.ensure_collection("c", dim=embedder.dim, model=embedder.model)
    chunks = [Chunk(chunk_id("a", i, f"t{i}"), "a", "a", "md", f"text {i}", i) for i in range(600)]
    vectors = embedder.embed_documents([c.text for c in chunks])
    query = DenseQuery(embedder.embed_query("text 3"))
    found: list[int] = []

    def read() -> None:
        for _ in range(50):
            found.append(len(store.search("c", [query], limit=3)[0]))

    errors = _together(lambda: store.upsert_chunks("c", chunks, vectors, bm25(chunks)), read)
    assert errors == [] and len(found) == 50
    assert store.count("c") == 600
    store.close()


def test_edge_open_removes_what_a_crashed_creation_left(tmp_path: Path) -> None:
    embedder = HashEmbedder()
    root = tmp_path / "edge"
    store = EdgeStore(root)
    store.ensure_collection("kept", dim=embedder.dim, model=embedder.model)
    store.close()
    (root / ".creating-new-1234abcd" / "shard").mkdir(parents=True)  # killed while building
    (root / "noshard").mkdir()  # an older version's crash: metadata without a shard
    (root / "noshard" / "collection.json").write_text(json.dumps({"metadata": {}}))
    (root / "nometa" / "shard").mkdir(parents=True)  # a shard without metadata
    store = EdgeStore(root)
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == ["kept"]
    assert store.collections() == ["kept"]
    store.ensure_collection("noshard", dim=embedder.dim, model=embedder.model)  # usable again
    assert store.count("noshard") == 0 and store.collections() == ["kept", "noshard"]
    store.close()


class _SlowEmbedder(HashEmbedder):
    """Answers after a pause, so two runs' writes interleave."""

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        time.sleep(0.02)
        return super().embed_documents(texts)


def _version(folder: Path, sections: int, word: str) -> Path:
    folder.mkdir(parents=True)
    body = "\n\n".join(f"Abschnitt {j}: {word} Vertrag Handbuch." for j in range(sections))
    path = folder / "handbuch.md"
    path.write_text(f"# Handbuch\n\n{body}\n", encoding="utf-8")
    return path


def test_edge_two_runs_writing_one_new_name_leave_one_version_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two users upload different files of one name at once: the store ends with one of them
    whole and complete, never a mixture or a file marked complete with chunks missing; the
    run that found the name taken says so. Before the claims, one run stopped on a point
    the other had deleted."""
    monkeypatch.setattr(run, "BUFFERED_CHUNKS", 4)  # both written batch by batch
    versions = {
        "alt": _version(tmp_path / "a", 30, "alt"),
        "neu": _version(tmp_path / "b", 90, "neu"),
    }
    store = EdgeStore(tmp_path / "edge")
    options = IngestOptions(
        chunk_tokens=16, chunk_overlap=0, workers=1, file_timeout=60.0, file_memory_mb=0,
        batch_size=4, batch_tokens=4096,
    )  # fmt: skip
    outcomes: dict[str, FileOutcome] = {}

    def ingest(word: str) -> Callable[[], object]:
        def job() -> None:
            report = ingest_paths(
                [versions[word]], store=store, embedder=_SlowEmbedder(), collection="c",
                options=options,
            )  # fmt: skip
            assert not report.stopped
            (outcomes[word],) = report.files

        return job

    assert _together(ingest("alt"), ingest("neu")) == []
    texts = [chunk.text for chunk in store.chunks_of("c", "handbuch.md")]
    kept = {word for word in versions if any(word in text for text in texts)}
    assert len(kept) == 1, f"chunks of both versions: {kept}"
    (word,) = kept
    (other,) = set(versions) - kept
    assert outcomes[word].status is FileStatus.INGESTED
    assert outcomes[word].chunks == len(texts)
    assert store.source_states("c")["handbuch.md"] == file_hash(versions[word])
    assert outcomes[other].status in (FileStatus.BUSY, FileStatus.INGESTED)  # or it came first
    if outcomes[other].status is FileStatus.BUSY:
        assert outcomes[other].reason == Reason("busy")
    store.close()
