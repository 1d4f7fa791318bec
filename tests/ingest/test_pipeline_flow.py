"""The pipelined ingest under concurrency: several embedding requests in flight, answers out of
order, failures mid-run, 429s; no timed assertions (real short sleeps only make overlap likely)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

from app.build import hub_config
from app.container import Services
from core.errors import AuthenticationError
from core.ports import EmbedPace
from core.settings import Settings
from hub.adapters import RemoteEmbedder
from hub.client import ModelHubClient
from ingest.pipeline import IngestProgress
from store.qdrant import QdrantStore
from tests.conftest import make_settings
from tests.fakes.embedder import HashEmbedder
from tests.fakes.fake_hub import FakeClock, FakeHub
from tests.pdf_factory import make_pdf


class _SlowPaced(HashEmbedder):
    """A remote-like embedder: `embed_batch` takes a while (later batches answer sooner)."""

    def __init__(self, *, in_flight: int, fail_at: int | None = None) -> None:
        super().__init__()
        self.in_flight = in_flight
        self.fail_at = fail_at
        self.batches: list[int] = []
        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    def pace(self) -> EmbedPace:
        return EmbedPace(self.in_flight)

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        with self._lock:
            number = len(self.batches)
            self.batches.append(len(texts))
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.15 if number % 3 == 0 else 0.02)  # answers come back out of order
            if self.fail_at is not None and number >= self.fail_at:
                raise AuthenticationError("token invalid or expired", status=401, operation="embed")
            return self.embed_documents(texts)
        finally:
            with self._lock:
                self.running -= 1


def _files(root: Path, count: int = 30) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        words = " ".join(f"word{i}x{j}" for j in range(20 + (i * 37) % 300))
        (root / f"note{i:03d}.txt").write_text(f"Note {i}. {words}.", "utf-8")
    return root


def _services(tmp_path: Path, embedder: HashEmbedder, **settings: object) -> Services:
    settings = {"embed_batch_size": 8, "chunk_tokens": 64, **settings}
    return Services(make_settings(tmp_path, **settings), QdrantStore.local(), embedder, None)


def _snapshot(services: Services) -> dict[str, list[tuple[str, str]]]:
    store = services.store
    return {
        source: sorted((c.id, c.text) for c in store.chunks_of("test", source))
        for source in store.source_states("test")
    }


def test_ingest_keeps_several_requests_in_flight_and_commits_every_file(tmp_path: Path) -> None:
    root = _files(tmp_path / "docs")
    embedder = _SlowPaced(in_flight=4)
    services = _services(tmp_path, embedder)

    report = services.ingest([root])

    assert report.ok and report.count("ingested") == 30
    assert 1 < embedder.most <= 4  # overlapped, never past the pace
    assert sorted(embedder.calls) == sorted(embedder.batches)  # all through embed_batch
    assert sum(1 for size in embedder.batches if size != 8) <= 1  # full except the last cut
    states = services.store.source_states("test")
    assert len(states) == 30 and all(states.values())  # every file committed with its hash
    assert services.store.count("test") == report.chunks == sum(embedder.batches)


def test_ingest_out_of_order_answers_end_as_a_sequential_run(tmp_path: Path) -> None:
    root = _files(tmp_path / "docs")
    fast = _services(tmp_path / "a", _SlowPaced(in_flight=6))
    one = _services(tmp_path / "b", HashEmbedder())  # not paced: one request at a time

    fast.ingest([root])
    one.ingest([root])

    assert _snapshot(fast) == _snapshot(one)


def test_ingest_failure_with_requests_in_flight_stops_and_resumes(tmp_path: Path) -> None:
    root = _files(tmp_path / "docs")
    failing = _SlowPaced(in_flight=4, fail_at=5)
    services = _services(tmp_path, failing)

    report = services.ingest([root])

    assert report.stopped and "token invalid or expired" in report.stopped
    committed = {s for s, h in services.store.source_states("test").items() if h}
    assert len(committed) < 30
    failing.fail_at = None
    again = services.ingest([root])
    assert again.ok and again.count("unchanged") == len(committed)
    assert again.count("ingested") == 30 - len(committed)
    clean = _services(tmp_path / "clean", HashEmbedder())
    clean.ingest([root])
    assert _snapshot(services) == _snapshot(clean)  # partial files were redone, nothing doubled


def test_ingest_over_the_hub_rides_out_429s_and_loses_nothing(tmp_path: Path) -> None:
    root = _files(tmp_path / "docs", count=12)
    hub, clock = FakeHub(), FakeClock()
    hub.fail_next(429, times=3, retry_after=1, code="rate_limit_exceeded")
    client = ModelHubClient(
        hub_config(Settings(api_token="tok", base_url="http://hub.test/v1")),  # type: ignore[call-arg]
        transport=httpx.MockTransport(hub.handle),
        sleep=clock.sleep,
        clock=clock.now,
        jitter=lambda: 0.0,
    )
    embedder = RemoteEmbedder(client, "BAAI/bge-m3")
    services = Services(
        make_settings(tmp_path, embed_batch_size=8, chunk_tokens=64),
        QdrantStore.local(),
        embedder,
        None,
    )

    report = services.ingest([root])

    assert report.ok and report.count("ingested") == 12
    statuses = [r.status for r in hub.requests if r.path == "/v1/embeddings"]
    assert statuses.count(429) == 3
    assert services.store.count("test") == report.chunks
    sent = sum(
        len(r.body["input"]) for r in hub.requests if r.status == 200 and len(r.body["input"]) > 1
    )
    assert sent == report.chunks  # each chunk embedded once: retried, not duplicated or lost


@pytest.mark.parametrize("in_flight", [1, 3])
def test_ingest_progress_reports_chunks_written(tmp_path: Path, in_flight: int) -> None:
    root = _files(tmp_path / "docs", count=10)
    seen = []
    services = _services(tmp_path, _SlowPaced(in_flight=in_flight))

    report = services.ingest([root], on_progress=seen.append)

    assert seen[-1].written == report.chunks and seen[-1].files_done == 10
    assert [p.written for p in seen] == sorted(p.written for p in seen)


def test_ingest_progress_of_one_large_pdf_moves_by_chunks_before_the_file_is_done(
    tmp_path: Path,
) -> None:
    root = tmp_path / "docs"
    root.mkdir()
    pages = [f"Page {n}. " + " ".join(f"term{n}x{j}" for j in range(120)) for n in range(40)]
    (root / "annual.pdf").write_bytes(make_pdf(pages))
    seen: list[IngestProgress] = []
    services = _services(tmp_path, _SlowPaced(in_flight=1))

    report = services.ingest([root], on_progress=seen.append)

    during = [p for p in seen if p.files_done == 0 and 0 < p.share < 1]
    assert report.ok and len(during) >= 3  # the bar moves while the one file is embedded
    assert all(p.chunks_queued <= report.chunks for p in during)  # parts: may still be read
    assert all(p.eta is not None and p.eta > 0 for p in during)
    assert [p.share for p in seen] == sorted(p.share for p in seen)
    assert seen[-1].share == 1.0 and seen[-1].eta == 0
    assert [p.chunks_seen for p in seen] == sorted(p.chunks_seen for p in seen)
    assert any(0 < p.chunks_seen < report.chunks for p in during)  # counted as they come back


def test_ingest_progress_counts_a_long_pdfs_pages_while_it_is_read(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    root.mkdir()
    words = " ".join(f"word{j}" for j in range(150))
    (root / "long.pdf").write_bytes(make_pdf([f"Page {n}. {words}" for n in range(200)]))
    seen: list[IngestProgress] = []
    services = _services(tmp_path, HashEmbedder())

    services.ingest([root], on_progress=seen.append)

    reading = [p for p in seen if p.reading == ("long.pdf",) and 0 < p.pages_seen < 200]
    assert reading and all(p.files_done == 0 and p.working_on == "long.pdf" for p in reading)
    assert [p.pages_seen for p in seen] == sorted(p.pages_seen for p in seen)
    assert seen[-1].pages_seen == 200


def test_ingest_progress_share_never_goes_back_when_a_files_next_part_arrives(
    tmp_path: Path,
) -> None:
    from core.records import IngestReport
    from ingest.discover import FileList, SourceFile
    from ingest.inflight import InFlight
    from ingest.parse import PageTick
    from ingest.run import Run

    file = SourceFile(tmp_path / "a.pdf", tmp_path, "a.pdf", 1000)
    seen: list[IngestProgress] = []
    run = Run(
        store=QdrantStore(), embedder=HashEmbedder(), collection="t",
        report=IngestReport(collection="t"), files=FileList([file]), on_progress=seen.append,
        dry_run=False, batch_size=8, batch_tokens=8000,
    )  # fmt: skip
    item = InFlight(file, "h", progressive=False, ids=[f"c{i}" for i in range(4)], remaining=0)
    run.tally.in_flight.add(item)  # its first part of 4 chunks, all embedded...
    run.tally.page_read(PageTick("a.pdf", 5, 10))  # ...with half of its pages read
    item.ids += [f"c{i}" for i in range(4, 8)]  # the next part: half of what is known is in
    item.remaining = 4
    run.tally.page_read(PageTick("a.pdf", 8, 10))
    run.drain()

    assert seen[0].share == 0.5  # not done while pages are still read
    assert run.tally.share() < 0.5  # the file's known chunks doubled...
    assert [p.share for p in seen[:2]] == [0.5, 0.5]  # ...and the bar stayed
