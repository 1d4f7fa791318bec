from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from app.container import CLAIMS_FILE, Services
from app.ledger import read_ledger
from app.sources import recorded_sources
from core.errors import AuthenticationError, BadRequestError, ConfigError
from core.ports import SparseTerms, VectorStore
from core.reasons import Reason
from core.records import Chunk, FileStatus, IngestReport
from core.settings import Backend, RetrievalMode, Settings
from ingest import pipeline, run
from ingest.claims import SourceClaims
from ingest.parse import Parsed, ParsedPart, ParseStatus
from ingest.pipeline import IngestProgress
from rag.retrieve import search_chunks
from store.qdrant import QdrantStore
from tests.conftest import bm25, make_settings
from tests.fakes.embedder import HashEmbedder
from tests.ingest.helpers import write_encrypted_pdf, write_pdf
from text import sparse


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    settings = make_settings(tmp_path, embed_batch_size=4)
    store = QdrantStore.local()
    services = Services(settings=settings, store=store, embedder=HashEmbedder(), chat=None)
    yield services
    services.close()


def _corpus(root: Path) -> Path:
    write_pdf(root / "handbook.pdf", ["Holidays: 28 days a year.", "Remote work: two days."])
    (root / "faq").mkdir(parents=True, exist_ok=True)
    (root / "faq" / "billing.md").write_text(
        "# Billing\n\nInvoices go out monthly.\n\n## Refunds\n\nWithin 30 days.\n", "utf-8"
    )
    (root / "notes.txt").write_text("Plain notes about onboarding.\n", "utf-8")
    return root


def _texts(services: Services, source: str) -> str:
    return " ".join(c.text for c in services.store.chunks_of("test", source))


def test_ingest_paths_sources_are_relative_to_the_folder_given(
    services: Services, tmp_path: Path
) -> None:
    root = _corpus(tmp_path / "docs")

    report = services.ingest([root])

    assert report.ok and report.count("ingested") == 3
    assert sorted(services.store.source_states("test")) == [
        "faq/billing.md", "handbook.pdf", "notes.txt",
    ]  # fmt: skip
    assert services.store.count("test") == report.chunks
    pdf = services.store.chunks_of("test", "handbook.pdf")
    assert {(c.page_start, c.page_end) for c in pdf} <= {(1, 1), (1, 2), (2, 2)}


def test_ingest_paths_second_run_skips_unchanged_without_embedding(
    services: Services, tmp_path: Path
) -> None:
    root = _corpus(tmp_path / "docs")
    services.ingest([root])
    embedder = services.embedder
    assert isinstance(embedder, HashEmbedder)
    calls = len(embedder.calls)
    count = services.store.count("test")

    report = services.ingest([root])

    assert report.count("unchanged") == 3 and report.count("ingested") == 0
    assert len(embedder.calls) == calls
    assert services.store.count("test") == count


def test_ingest_paths_changed_file_is_replaced(services: Services, tmp_path: Path) -> None:
    root = _corpus(tmp_path / "docs")
    services.ingest([root])
    (root / "notes.txt").write_text("Completely new notes about parking.\n", "utf-8")

    report = services.ingest([root])

    assert report.count("ingested") == 1 and report.count("unchanged") == 2
    assert _texts(services, "notes.txt") == "Completely new notes about parking."
    states = services.store.source_states("test")
    assert all(states.values())  # every source complete


def test_ingest_paths_prune_removes_vanished_files(services: Services, tmp_path: Path) -> None:
    root = _corpus(tmp_path / "docs")
    services.ingest([root])
    (root / "notes.txt").unlink()

    kept = services.ingest([root])
    assert "notes.txt" in services.store.source_states("test")
    pruned = services.ingest([root], prune=True)

    assert kept.count("pruned") == 0
    assert [f.source for f in pruned.files if f.status == "pruned"] == ["notes.txt"]
    assert "notes.txt" not in services.store.source_states("test")


def test_ingest_paths_dry_run_writes_nothing(services: Services, tmp_path: Path) -> None:
    root = _corpus(tmp_path / "docs")

    report = services.ingest([root], dry_run=True)

    assert report.count("ingested") == 3 and report.chunks >= 3
    assert services.store.count("test") == 0


def test_ingest_paths_password_per_file(services: Services, tmp_path: Path) -> None:
    root = tmp_path / "docs"
    write_encrypted_pdf(root / "a" / "locked.pdf", ["Salary bands."], user_password="pw")
    write_encrypted_pdf(root / "other.pdf", ["Other secret."], user_password="pw2")

    report = services.ingest([root], passwords={"a/locked.pdf": "pw"})

    outcomes = {f.source: f for f in report.files}
    assert outcomes["a/locked.pdf"].status == "ingested"
    assert outcomes["other.pdf"].status == "skipped"
    assert "--password" in str(outcomes["other.pdf"].reason)
    assert report.ok  # a skipped file is not a failure


def test_ingest_paths_bad_files_fail_alone(services: Services, tmp_path: Path) -> None:
    root = _corpus(tmp_path / "docs")
    (root / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf")
    write_pdf(root / "scan.pdf", ["", ""])

    report = services.ingest([root])

    outcomes = {f.source: f for f in report.files}
    assert outcomes["broken.pdf"].status == "failed" and outcomes["broken.pdf"].reason
    assert outcomes["scan.pdf"].status == "skipped"
    assert "none of its 2 pages has text (blank" in str(outcomes["scan.pdf"].reason)
    assert report.count("ingested") == 3 and not report.ok


def test_ingest_paths_textless_pages_warn(services: Services, tmp_path: Path) -> None:
    write_pdf(tmp_path / "mixed.pdf", ["Some text.", "", "More text."])

    report = services.ingest([tmp_path / "mixed.pdf"])

    assert list(map(str, report.files[0].warnings)) == [
        "1 of 3 pages have no text (blank or drawings)"
    ]


def test_ingest_paths_missing_path_and_duplicate_names_are_reported(
    services: Services, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.md").write_text("# A\n\nfirst", "utf-8")
    (tmp_path / "b" / "x.md").write_text("# B\n\nsecond", "utf-8")

    report = services.ingest([tmp_path / "a", tmp_path / "b", tmp_path / "missing"])

    statuses = sorted((f.source, f.status) for f in report.files)
    assert statuses == [
        (str(tmp_path / "missing"), "failed"),
        ("x.md", "failed"),
        ("x.md", "ingested"),
    ]


def test_ingest_paths_glob_filters_folder_files(services: Services, tmp_path: Path) -> None:
    root = _corpus(tmp_path / "docs")

    report = services.ingest([root], glob="*.md")

    assert [f.source for f in report.files] == ["faq/billing.md"]


def test_ingest_paths_embeds_in_batches(services: Services, tmp_path: Path) -> None:
    text = " ".join(f"Sentence {i} about the travel policy." for i in range(400))
    (tmp_path / "long.txt").write_text(text, "utf-8")

    report = services.ingest([tmp_path])

    embedder = services.embedder
    assert isinstance(embedder, HashEmbedder)
    assert report.chunks > 8
    assert max(embedder.calls) <= 4 and sum(embedder.calls) == report.chunks


def test_ingest_paths_reports_progress_to_the_end(services: Services, tmp_path: Path) -> None:
    root = _corpus(tmp_path / "docs")
    seen: list[IngestProgress] = []

    services.ingest([root], on_progress=seen.append)

    done = [p.files_done for p in seen]
    assert done == sorted(done) and done[-1] == 3  # files finish as their batches are written
    assert seen[-1].files_total == 3 and seen[-1].pages == 2 and seen[-1].chunks >= 3
    assert seen[-1].written == seen[-1].chunks
    assert seen[-1].eta == 0


def test_ingest_paths_other_model_is_refused(services: Services, tmp_path: Path) -> None:
    root = _corpus(tmp_path / "docs")
    services.ingest([root])
    services.embedder = HashEmbedder(dim=32, model="other-model")

    with pytest.raises(ConfigError, match="other-model"):
        services.ingest([root])


def _children() -> set[str]:
    path = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    return set(path.read_text().split()) if path.exists() else set()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_refused_ingest_leaves_no_parser_running(services: Services, tmp_path: Path) -> None:
    # The parsers start (and load their libraries) while the collection is opened; a run that
    # stops there must stop them too.
    root = _corpus(tmp_path / "docs")
    services.ingest([root])
    services.embedder = HashEmbedder(dim=32, model="other-model")
    before = _children()

    with pytest.raises(ConfigError):
        services.ingest([root])

    assert _children() <= before


class _FailingEmbedder(HashEmbedder):
    """Answers `good_calls` batches, then raises `error` (by default as a 401 from the API)."""

    def __init__(self, good_calls: int, error: Exception | None = None) -> None:
        super().__init__()
        self.good_calls = good_calls
        self.error = error or AuthenticationError(
            "token invalid or expired", operation="embeddings", status=401
        )

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if len(self.calls) >= self.good_calls:
            raise self.error
        return super().embed_documents(texts)


def _six_docs(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for n in range(6):
        (root / f"{n}.txt").write_text(" ".join(f"Doc {n} line {i}." for i in range(60)), "utf-8")
    return root


def test_ingest_paths_expired_token_stops_cleanly_and_resumes(
    services: Services, tmp_path: Path
) -> None:
    root = _six_docs(tmp_path / "docs")
    services.embedder = _FailingEmbedder(good_calls=1)

    stopped = services.ingest([root])

    assert stopped.stopped and "token invalid or expired" in stopped.stopped
    assert "run the same command again" in stopped.stopped
    assert stopped.count("failed") == 0 and 0 < stopped.count("ingested") < 6
    services.embedder = HashEmbedder()
    resumed = services.ingest([root])
    assert resumed.ok and resumed.count("ingested") + resumed.count("unchanged") == 6
    assert resumed.count("unchanged") == stopped.count("ingested")
    clean = _clean_run(root)
    assert _snapshot(services.store) == _snapshot(clean)


def test_a_run_that_raises_midway_has_recorded_the_files_it_finished(
    services: Services, tmp_path: Path
) -> None:
    root = _six_docs(services.settings.data_dir / "docs")
    services.embedder = _FailingEmbedder(good_calls=1, error=RuntimeError("embedder broke"))

    with pytest.raises(RuntimeError, match="embedder broke"):
        services.ingest([root])

    finished = {s for s, h in services.store.source_states("test").items() if h}
    assert finished and len(finished) < 6
    assert set(read_ledger(services.settings.data_dir, "test")) == finished
    assert set(recorded_sources(services.settings.data_dir, "test")) == finished
    claims = SourceClaims(services.settings.data_dir / CLAIMS_FILE)
    names = [f"{n}.txt" for n in range(6)]
    assert [claims.claim("test", name) for name in names] == [True] * 6  # none left behind
    for name in names:
        claims.release("test", name)


def test_ingest_paths_partial_file_is_redone(services: Services, tmp_path: Path) -> None:
    root = _corpus(tmp_path / "docs")
    services.ingest([root])
    chunks = services.store.chunks_of("test", "notes.txt")
    half = [dataclasses.replace(c, doc_hash="") for c in chunks[:1]]
    services.store.upsert_chunks("test", half, HashEmbedder().embed_documents(["x"]), bm25(half))
    assert services.store.source_states("test")["notes.txt"] == ""  # as if killed mid-write

    report = services.ingest([root])

    assert [f.source for f in report.files if f.status == "ingested"] == ["notes.txt"]
    assert _snapshot(services.store) == _snapshot(_clean_run(root))


def _clean_run(root: Path) -> VectorStore:
    store = QdrantStore.local()
    settings = make_settings(root.parent / "clean", embed_batch_size=4)
    Services(settings, store, HashEmbedder(), None).ingest([root])
    return store


def _snapshot(store: VectorStore) -> list[tuple[str, str, str, int]]:
    return sorted(
        (c.id, c.source, c.doc_hash, c.position)
        for source in store.source_states("test")
        for c in store.chunks_of("test", source)
    )


class _PickyEmbedder(HashEmbedder):
    """Refuses any batch holding the word "forbidden", as an API refuses a bad input."""

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if any("forbidden" in t for t in texts):
            raise BadRequestError("input rejected", operation="embeddings", status=400)
        return super().embed_documents(texts)


def test_ingest_paths_refused_input_fails_its_file_only(services: Services, tmp_path: Path) -> None:
    for n in range(3):
        (tmp_path / f"ok{n}.txt").write_text(f"Harmless text number {n}.", "utf-8")
    (tmp_path / "bad.txt").write_text("This one has a forbidden word.", "utf-8")
    services.embedder = _PickyEmbedder()

    report = services.ingest([tmp_path])

    outcomes = {f.source: f for f in report.files}
    assert outcomes["bad.txt"].status == "failed"
    assert "refused" in str(outcomes["bad.txt"].reason)
    assert all(outcomes[f"ok{n}.txt"].status == "ingested" for n in range(3))
    assert set(services.store.source_states("test")) == {"ok0.txt", "ok1.txt", "ok2.txt"}


class _CountingSparse:
    """`text.sparse` for the pipeline, counting the BM25 vectors it makes itself."""

    def __init__(self) -> None:
        self.made = 0

    def document_vector(self, text: str) -> tuple[list[int], list[float]]:
        self.made += 1
        return sparse.document_vector(text)


class _SpyStore(QdrantStore):
    def __init__(self) -> None:
        super().__init__()
        self.upserts: list[list[str]] = []
        self.sparse_given: list[bool] = []
        self.hashes: list[list[str]] = []  # each write's doc_hash per chunk
        self.stamped: list[int] = []  # chunks each commit gave the hash to

    def upsert_chunks(
        self,
        name: str,
        chunks: Sequence[Chunk],
        dense_vectors: Sequence[Sequence[float]],
        sparse_vectors: Sequence[SparseTerms],
    ) -> None:
        self.upserts.append([c.source for c in chunks])
        self.hashes.append([c.doc_hash for c in chunks])
        # given by the parser processes, not made in this one before the write
        self.sparse_given.append(not getattr(run.sparse, "made", 0))
        super().upsert_chunks(name, chunks, dense_vectors, sparse_vectors)

    def commit_source(
        self,
        name: str,
        source: str,
        ids: Sequence[str],
        doc_hash: str,
        *,
        unstamped: Sequence[str] | None = None,
    ) -> None:
        self.stamped.append(len(ids if unstamped is None else unstamped))
        super().commit_source(name, source, ids, doc_hash, unstamped=unstamped)


@pytest.mark.parametrize("parts_of", [run.PART_CHUNKS, 2])  # whole, or sent in parts
def test_ingest_paths_small_file_is_written_in_one_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parts_of: int
) -> None:
    (tmp_path / "long.txt").write_text(" ".join(f"Line {i} of text." for i in range(600)), "utf-8")
    monkeypatch.setattr(run, "PART_CHUNKS", parts_of)
    store = _SpyStore()
    services = Services(make_settings(tmp_path, embed_batch_size=4), store, HashEmbedder(), None)

    report = services.ingest([tmp_path])

    (outcome,) = report.files
    assert outcome.status is FileStatus.INGESTED
    assert report.chunks > 4  # embedded in several batches (and parts)...
    assert store.upserts == [["long.txt"] * report.chunks]  # ...written at once, then committed


def _ingest_long_file_progressively(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[_SpyStore, IngestReport]:
    """docs/long.txt (many chunks), written batch by batch as a large file is."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "long.txt").write_text(
        " ".join(f"Line {i} of text." for i in range(600)), "utf-8"
    )
    monkeypatch.setattr(run, "BUFFERED_CHUNKS", 2)
    store = _SpyStore()
    services = Services(make_settings(tmp_path, embed_batch_size=4), store, HashEmbedder(), None)
    return store, services.ingest([tmp_path / "docs"])


def test_ingest_paths_large_file_written_progressively_ends_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, report = _ingest_long_file_progressively(tmp_path, monkeypatch)

    assert len(store.upserts) > 1 and all(len(u) < report.chunks for u in store.upserts)
    assert _snapshot(store) == _snapshot(_clean_run(tmp_path / "docs")) and report.ok


def test_ingest_paths_large_file_commit_stamps_only_its_first_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, report = _ingest_long_file_progressively(tmp_path, monkeypatch)

    # The first write keeps the file partial; the later ones carry its hash already, so the
    # commit rewrites (and the store re-indexes) those few points, not the whole file.
    doc_hash = store.source_states("test")["long.txt"]
    (first, *later) = store.hashes
    assert doc_hash and later and set(first) == {""}
    assert all(set(hashes) == {doc_hash} for hashes in later)
    assert store.stamped == [len(first)] and len(first) < report.chunks
    assert {c.doc_hash for c in store.chunks_of("test", "long.txt")} == {doc_hash}


@pytest.mark.parametrize("workers", [1, 2])
def test_ingest_paths_bm25_vectors_made_by_parsers_when_several(
    tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "sparse", _CountingSparse())
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# Travel\n\nTrains under four hours.", "utf-8")
    store = _SpyStore()
    settings = make_settings(tmp_path, ingest_workers=workers)
    Services(settings, store, HashEmbedder(), None).ingest([tmp_path / "docs"])
    (chunk,) = store.chunks_of("test", "a.md")

    hits = search_chunks(
        store, "test", dense=None, text="trains hours", mode=RetrievalMode.SPARSE, limit=1
    )

    assert [h.chunk.id for h in hits] == [chunk.id]
    assert store.sparse_given == [workers > 1]


def test_ingest_paths_file_whose_parser_dies_after_some_parts_fails_uncommitted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "long.txt").write_text(
        " ".join(f"Line {i} of text." for i in range(600)), "utf-8"
    )
    real = pipeline.ParserPool

    class _Dying(real):  # type: ignore[misc, valid-type]
        def run(self, tasks: Any, **hooks: Any) -> Iterator[Parsed | ParsedPart]:
            for result in real.run(self, tasks, **hooks):
                if isinstance(result, Parsed):  # the parts went out; then the parser died
                    deadline = time.monotonic() + 30  # once some were written, on a busy machine
                    while not store.upserts and time.monotonic() < deadline:
                        time.sleep(0.01)
                    reason = Reason("parser_killed", signal=9)
                    result = Parsed(
                        result.source, ParseStatus.FAILED, reason=reason, tag=result.tag
                    )
                yield result

    monkeypatch.setattr(pipeline, "ParserPool", _Dying)
    monkeypatch.setattr(run, "PART_CHUNKS", 2)  # parts of 2 chunks...
    monkeypatch.setattr(run, "BUFFERED_CHUNKS", 2)  # ...written as they come
    store = _SpyStore()
    services = Services(make_settings(tmp_path, embed_batch_size=4), store, HashEmbedder(), None)

    report = services.ingest([tmp_path / "docs"])

    (outcome,) = report.files
    assert outcome.status is FileStatus.FAILED and "crashed" in str(outcome.reason)
    assert store.upserts  # some parts were written before the end...
    assert store.source_states("test").get("long.txt", "") == ""  # ...and never committed


def test_ingest_paths_parses_the_largest_files_first(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    root.mkdir()
    sizes = (("a-short.txt", 20), ("b-long.txt", 900), ("c-middle.txt", 200), ("d-tie.txt", 50))
    for name, words in (*sizes, ("e-tie.txt", 50)):
        (root / name).write_text(" ".join(["onboarding"] * words) + "\n", "utf-8")
    settings = make_settings(tmp_path, ingest_workers=1)
    services = Services(settings, QdrantStore.local(), HashEmbedder(), None)
    try:
        report = services.ingest([root])
    finally:
        services.close()

    # One parser answers in the order it was given: a long file last would end the run alone.
    # Files of one size keep the order they were found in.
    order = ["b-long.txt", "c-middle.txt", "d-tie.txt", "e-tie.txt", "a-short.txt"]
    assert [f.source for f in report.files] == order


class _OptimizeSpy(QdrantStore):
    """Records the chunks in the store at each `optimize`."""

    def __init__(self) -> None:
        super().__init__()
        self.optimized: list[int] = []

    def optimize(self, name: str) -> None:
        self.optimized.append(self.count(name))
        super().optimize(name)


@pytest.mark.parametrize("backend", [Backend.LOCAL, Backend.REMOTE], ids=["local", "remote"])
def test_ingest_paths_optimizes_every_so_many_chunks_whatever_the_embedder(
    tmp_path: Path, backend: Backend
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(8):
        body = " ".join(f"Zeile {i} von Datei {n}, mit etwas Text." for i in range(40))
        (docs / f"datei{n}.txt").write_text(body, "utf-8")

    def settings(folder: str, every: int) -> Settings:
        return make_settings(
            tmp_path / folder, embed_batch_size=4, ingest_optimize_every=every,
            backend=backend, api_token="token", chunk_tokens=48, chunk_overlap=0,
        )  # fmt: skip

    store, once = _OptimizeSpy(), QdrantStore.local()
    report = Services(settings("a", 20), store, HashEmbedder(), None).ingest([docs])
    Services(settings("b", 0), once, HashEmbedder(), None).ingest([docs])

    assert report.ok and report.chunks >= 60
    assert store.optimized[-1] == report.chunks  # and once more at the end
    during = store.optimized[:-1]  # each after at least 20 chunks more were written
    assert len(during) >= report.chunks // 40
    assert all(b - a >= 20 for a, b in zip([0, *during], during, strict=False))
    assert _snapshot(store) == _snapshot(once)
