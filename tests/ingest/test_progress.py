"""`Tally`: the counts of one ingest run and the `IngestProgress` made of them."""

from __future__ import annotations

import threading
from pathlib import Path

from core.records import FileOutcome, FileStatus
from ingest.discover import FileList, SourceFile
from ingest.parse import PageTick
from ingest.progress import IngestProgress, Tally


def _tally(tmp_path: Path, sizes: list[int], seen: list[IngestProgress]) -> Tally:
    files = FileList(
        SourceFile(str(tmp_path / f"{n}.md"), tmp_path, f"{n}.md", size)
        for n, size in enumerate(sizes)
    )
    return Tally(files, seen.append, lock=threading.RLock(), held_back=lambda: "the rate limit")


def test_tally_unchanged_file_leaves_the_share_to_the_files_that_cost_work(tmp_path: Path) -> None:
    tally = _tally(tmp_path, [300, 100], [])
    done = FileOutcome("0.md", FileStatus.UNCHANGED)

    tally.finished(done, size=300, counted=False, item=None)

    assert (tally.files_done, tally.bytes_total, tally.share()) == (1, 100, 0.0)
    tally.finished(FileOutcome("1.md", FileStatus.INGESTED), size=100, counted=True, item=None)
    assert tally.share() == 1.0


def test_tally_empty_files_share_goes_by_file_count(tmp_path: Path) -> None:
    tally = _tally(tmp_path, [0, 0, 0, 0], [])

    tally.finished(FileOutcome("0.md", FileStatus.SKIPPED), size=0, counted=True, item=None)

    assert tally.share() == 0.25


def test_tally_report_unforced_comes_at_most_every_tick(tmp_path: Path) -> None:
    seen: list[IngestProgress] = []
    tally = _tally(tmp_path, [10], seen)

    tally.report()
    tally.report(force=False)  # right after: held back
    tally.report()

    assert len(seen) == 2 and seen[0].held_back == "the rate limit"


def test_tally_page_ticks_name_the_file_until_it_is_read(tmp_path: Path) -> None:
    seen: list[IngestProgress] = []
    tally = _tally(tmp_path, [10], seen)

    tally.page_read(PageTick("0.md", 3, 9))
    tally.page_read(PageTick("0.md", 6, 9))
    tally.read("0.md", 9)
    tally.report()

    assert [(p.reading, p.pages_read) for p in seen] == [
        (("0.md",), 3),
        (("0.md",), 6),
        ((), 9),
    ]
