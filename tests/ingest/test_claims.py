"""Claims on a collection's file names: one run at a time writes a file, across threads and
processes, and a claim goes when its holder does."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.container import CLAIMS_FILE, Services
from app.documents import DocumentBusy, delete_document
from app.ledger import read_ledger
from core.access import Viewer
from core.records import FileStatus
from ingest import claims as claims_module
from ingest.claims import SourceClaims
from store.qdrant import QdrantStore
from tests.conftest import make_settings
from tests.fakes.embedder import HashEmbedder

_CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from pathlib import Path
    from ingest.claims import SourceClaims
    claims = SourceClaims(Path({lock!r}))
    print(claims.claim("c", sys.argv[1]), flush=True)
    if sys.argv[2:] == ["hold"]:
        time.sleep(60)
    """
)


def _child(lock: Path, source: str, *, hold: bool = False) -> subprocess.Popen[str]:
    code = _CHILD.format(root=str(Path(__file__).parents[2]), lock=str(lock))
    args = [sys.executable, "-c", code, source] + (["hold"] if hold else [])
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True)


def _claimed_elsewhere(lock: Path, source: str) -> bool:
    child = _child(lock, source)
    out, _ = child.communicate(timeout=60)
    return out.strip() == "True"


@pytest.fixture
def claims(tmp_path: Path) -> Iterator[SourceClaims]:
    claims = SourceClaims(tmp_path / "data" / CLAIMS_FILE)
    yield claims
    assert claims_module._files == {}, "a lock file left open with no claim on it"


def test_a_claim_is_one_run_s_until_released(claims: SourceClaims) -> None:
    assert claims.claim("c", "a.pdf")
    assert not claims.claim("c", "a.pdf")
    assert not SourceClaims().claim("c", "a.pdf")  # every instance in the process sees it
    assert claims.claim("c", "b.pdf") and claims.claim("other", "a.pdf")
    claims.release("c", "a.pdf")
    claims.release("c", "a.pdf")  # twice: nothing
    assert claims.claim("c", "a.pdf")
    for collection, source in [("c", "a.pdf"), ("c", "b.pdf"), ("other", "a.pdf")]:
        claims.release(collection, source)


def test_held_gives_the_claim_up_after_the_block(claims: SourceClaims) -> None:
    with claims.held("c", "a.pdf") as mine:
        assert mine
        with claims.held("c", "a.pdf") as again:
            assert not again
        assert not claims.claim("c", "a.pdf")  # the inner block did not release it
    assert claims.claim("c", "a.pdf")
    claims.release("c", "a.pdf")


def test_another_process_sees_the_claim_and_a_killed_holder_leaves_none(
    claims: SourceClaims,
) -> None:
    assert claims.lock_file is not None
    assert claims.claim("c", "a.pdf")
    assert not _claimed_elsewhere(claims.lock_file, "a.pdf")
    assert _claimed_elsewhere(claims.lock_file, "b.pdf")
    claims.release("c", "a.pdf")
    assert _claimed_elsewhere(claims.lock_file, "a.pdf")

    holder = _child(claims.lock_file, "x.pdf", hold=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        assert not claims.claim("c", "x.pdf")
    finally:
        holder.kill()
        holder.wait(timeout=60)
    assert claims.claim("c", "x.pdf")  # the kernel dropped the dead process's lock
    claims.release("c", "x.pdf")


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    settings = make_settings(tmp_path)
    services = Services(settings, QdrantStore.local(), HashEmbedder(), None)
    yield services
    services.close()


def _docs(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in ("a.md", "b.md"):
        (root / name).write_text(f"# {name}\n\nVertrag und Handbuch {name}.\n", "utf-8")
    return root


def test_a_file_another_run_writes_is_left_to_it(services: Services, tmp_path: Path) -> None:
    root = _docs(tmp_path / "docs")
    other = SourceClaims(services.settings.data_dir / CLAIMS_FILE)
    assert other.claim("test", "a.md")  # another run is writing a.md

    report = services.ingest([root])

    assert report.ok
    busy = [f for f in report.files if f.status is FileStatus.BUSY]
    assert [f.source for f in busy] == ["a.md"] and "another run" in str(busy[0].reason)
    assert report.count(FileStatus.INGESTED) == 1
    assert sorted(services.store.source_states("test")) == ["b.md"]
    assert sorted(read_ledger(services.settings.data_dir, "test")) == ["b.md"]  # not recorded
    assert not other.claim("test", "a.md")  # the run did not give up a claim it never had
    other.release("test", "a.md")
    assert other.claim("test", "b.md")  # the run gave up the claim it took
    other.release("test", "b.md")

    again = services.ingest([root])
    assert again.count(FileStatus.INGESTED) == 1 and again.count(FileStatus.UNCHANGED) == 1


def test_prune_and_delete_leave_a_file_another_run_writes(
    services: Services, tmp_path: Path
) -> None:
    root = _docs(tmp_path / "docs")
    services.ingest([root])
    (root / "a.md").unlink()
    other = SourceClaims(services.settings.data_dir / CLAIMS_FILE)
    assert other.claim("test", "a.md")
    try:
        pruned = services.ingest([root], prune=True)
        assert [(f.source, f.status) for f in pruned.files if f.source == "a.md"] == [
            ("a.md", FileStatus.BUSY)
        ]
        with pytest.raises(DocumentBusy, match=r"Another run is writing 'a\.md'"):
            delete_document(services, Viewer.as_operator(), "test", "a.md")
        assert "a.md" in services.store.source_states("test")
    finally:
        other.release("test", "a.md")
    delete_document(services, Viewer.as_operator(), "test", "a.md")
    assert "a.md" not in services.store.source_states("test")


def test_a_lock_file_that_cannot_be_made_leaves_the_claims_of_this_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "file").write_text("not a folder")
    claims = SourceClaims(tmp_path / "file" / CLAIMS_FILE)

    assert claims.claim("c", "a.pdf")  # not every file BUSY: one line in the log says why

    assert not claims.claim("c", "a.pdf") and "cannot lock" in caplog.text
    claims.release("c", "a.pdf")
    assert claims_module._files == {}
