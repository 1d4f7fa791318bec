from __future__ import annotations

import threading
from pathlib import Path

from app.ledger import read_ledger
from app.recording import RunRecords
from app.sources import recorded_sources
from core.reasons import Reason
from core.records import FileOutcome, FileStatus
from ingest.discover import SourceFile


def _file(root: Path, name: str, size: int = 10) -> SourceFile:
    return SourceFile(str(root / name), root, name, size)


def test_run_records_are_written_a_batch_at_a_time_and_the_rest_on_flush(tmp_path: Path) -> None:
    data = tmp_path / "data"
    records = RunRecords(data, "docs", batch=2)

    records.add(FileOutcome("a.md", FileStatus.INGESTED, chunks=1), _file(data, "a.md", 100))
    assert read_ledger(data, "docs") == {}
    records.add(FileOutcome("b.md", FileStatus.FAILED, Reason("no_text")), _file(data, "b.md"))
    assert set(read_ledger(data, "docs")) == {"a.md", "b.md"}
    records.add(FileOutcome("c.md", FileStatus.INGESTED), _file(data, "c.md"))
    assert set(read_ledger(data, "docs")) == {"a.md", "b.md"}
    records.flush()

    ledger = read_ledger(data, "docs")
    assert set(ledger) == {"a.md", "b.md", "c.md"}
    assert ledger["a.md"].size == 100 and ledger["a.md"].chunks == 1
    assert set(recorded_sources(data, "docs")) == {"a.md", "b.md", "c.md"}


def test_run_records_keep_paths_inside_the_data_dir_only_and_drop_pruned(tmp_path: Path) -> None:
    data = tmp_path / "data"
    records = RunRecords(data, "docs", batch=10)
    records.add(FileOutcome("in.md", FileStatus.INGESTED), _file(data / "sample", "in.md"))
    records.add(FileOutcome("out.md", FileStatus.INGESTED), _file(tmp_path / "elsewhere", "out.md"))
    records.add(FileOutcome("dup.md", FileStatus.FAILED, Reason("duplicate_name", other="x")), None)
    records.flush()
    assert recorded_sources(data, "docs") == {"in.md": str((data / "sample" / "in.md").resolve())}
    assert set(read_ledger(data, "docs")) == {"in.md", "out.md", "dup.md"}

    again = RunRecords(data, "docs")
    again.add(FileOutcome("in.md", FileStatus.PRUNED, Reason("no_longer_found")), None)
    again.flush()
    assert recorded_sources(data, "docs") == {} and "in.md" not in read_ledger(data, "docs")


def test_run_records_from_several_threads_lose_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    records = RunRecords(data, "docs", batch=7)

    def finish(start: int) -> None:
        for n in range(start, start + 50):
            records.add(FileOutcome(f"{n}.md", FileStatus.INGESTED), _file(data, f"{n}.md"))

    threads = [threading.Thread(target=finish, args=(start,)) for start in (0, 50, 100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records.flush()

    assert set(read_ledger(data, "docs")) == {f"{n}.md" for n in range(150)}
