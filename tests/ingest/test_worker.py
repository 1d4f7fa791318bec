from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import pytest

from core.reasons import Reason
from ingest import worker
from ingest.child import overdue
from ingest.parse import (
    PageTick,
    Parsed,
    ParsedPart,
    ParseStatus,
    ParseTask,
    Warm,
    parse,
    parse_parts,
)
from ingest.worker import ParserPool
from tests.conftest import REPO
from tests.ingest.helpers import write_bomb_pdf
from tests.pdf_factory import make_pdf


def _task(path: Path) -> tuple[ParseTask, str]:
    return ParseTask(path, path.parent, None, 100, 10, tag=path.name), path.name


def _good(tmp_path: Path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text("A perfectly ordinary file.", "utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("image.png", b"\x89PNG", ParseStatus.SKIPPED),  # UnsupportedFileError
        ("empty.md", b"   \n", ParseStatus.SKIPPED),  # NoTextError
        ("blob.txt", b"\x00\x01binary", ParseStatus.FAILED),  # a plain IngestError
        ("fine.txt", b"Plain words.", ParseStatus.OK),
    ],
)
def test_parse_status_follows_the_error_class(
    tmp_path: Path, name: str, data: bytes, status: ParseStatus
) -> None:
    path = tmp_path / name
    path.write_bytes(data)

    result = parse(*_task(path))

    assert result.status is status
    assert (result.reason is None) is (status is ParseStatus.OK)


def test_worker_hanging_file_times_out_and_the_next_one_parses(tmp_path: Path) -> None:
    hang = tmp_path / "hang.txt"
    os.mkfifo(hang)  # reading it blocks forever: a stand-in for a parser that never returns
    pool = ParserPool(workers=1, timeout=1.5)

    started = time.monotonic()
    results = {r.source: r for r in pool.run([_task(hang), _task(_good(tmp_path))])}

    assert time.monotonic() - started < 20
    assert results["hang.txt"].status == "failed"
    assert str(results["hang.txt"].reason) == "parsing took longer than 7.5 s; stopped"  # 5 x 1.5
    assert results["good.txt"].status == "ok" and results["good.txt"].chunks


def test_worker_decompression_bomb_fails_alone(tmp_path: Path) -> None:
    bomb = write_bomb_pdf(tmp_path / "bomb.pdf", megabytes=256)
    pool = ParserPool(workers=1, timeout=60, memory_mb=400)

    results = {r.source: r for r in pool.run([_task(bomb), _task(_good(tmp_path))])}

    assert results["bomb.pdf"].status in ("failed", "skipped")
    assert results["bomb.pdf"].reason and "\n" not in str(results["bomb.pdf"].reason)
    assert results["good.txt"].status == "ok"


def test_worker_memory_hog_hits_the_cap_and_fails_alone(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        for _ in range(200):
            handle.write(b"a" * (1 << 20))  # 200 MB: several copies do not fit in 300 MB
    pool = ParserPool(workers=1, timeout=60, memory_mb=300)

    results = {r.source: r for r in pool.run([_task(huge), _task(_good(tmp_path))])}

    assert results["huge.txt"].status == "failed"
    assert str(results["huge.txt"].reason) == "ran out of memory while parsing"
    assert results["good.txt"].status == "ok"


def test_worker_crashing_parser_is_reported_not_fatal(tmp_path: Path) -> None:
    pool = ParserPool(workers=1, timeout=30, memory_mb=16)  # too small to even start Python

    (result,) = pool.run([_task(_good(tmp_path))])

    assert result.status == "failed" and "crashed" in str(result.reason)


def test_worker_results_carry_the_callers_tag(tmp_path: Path) -> None:
    pool = ParserPool(workers=2, timeout=30)
    paths = []
    for n in range(5):
        path = tmp_path / f"{n}.md"
        path.write_text(f"# Doc {n}\n\nBody {n}.", "utf-8")
        paths.append(path)

    results = list(pool.run(_task(p) for p in paths))

    assert sorted(r.tag for r in results) == [f"{n}.md" for n in range(5)]
    assert all(r.status == "ok" and r.source == r.tag for r in results)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_worker_child_dies_with_a_killed_parent(tmp_path: Path) -> None:
    hang = tmp_path / "hang.txt"
    os.mkfifo(hang)
    code = (
        "import sys; from pathlib import Path; from ingest.worker import ParserPool; "
        "from ingest.parse import ParseTask; "
        f"p = Path({str(hang)!r}); "
        "list(ParserPool(timeout=600).run([(ParseTask(p, p.parent, None, 100, 0), 'h')]))"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=REPO)
    children: list[str] = []
    deadline = time.monotonic() + 20
    while not children and time.monotonic() < deadline:
        time.sleep(0.2)
        children = Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()
    assert children, "the parser process never started"

    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    time.sleep(1.0)

    for pid in children:  # gone, or dead and waiting to be reaped by init
        status = Path(f"/proc/{pid}/status")
        assert not status.exists() or "State:\tZ" in status.read_text()


@pytest.mark.parametrize(
    ("cpu", "wall", "reason"),
    [
        (10.0, 500.0, ""),  # a big file on a busy machine: little CPU, long wall time
        (121.0, 130.0, "parsing took more than 120 CPU seconds; stopped"),
        (0.1, 601.0, "parsing took longer than 600 s; stopped"),  # blocked, not working
        (None, 121.0, "parsing took longer than 120 s; stopped"),  # no CPU reading: wall time
        (None, 60.0, ""),
    ],
)
def test_overdue_limits_cpu_time_with_a_wall_backstop(
    cpu: float | None, wall: float, reason: str
) -> None:
    why = overdue(cpu, wall, 120.0)
    assert (str(why) if why is not None else "") == reason


def test_worker_many_files_on_two_children_each_parsed_once(tmp_path: Path) -> None:
    paths = []
    for i in range(12):
        path = tmp_path / f"f{i}.txt"
        path.write_text(f"File number {i} says hello.", "utf-8")
        paths.append(path)
    pool = ParserPool(workers=2, timeout=30)

    results = list(pool.run(_task(p) for p in paths))

    assert sorted(r.source for r in results) == sorted(p.name for p in paths)
    assert all(r.status == "ok" and r.tokens for r in results)


def test_parse_follows_a_pdfs_pages_as_they_are_read(tmp_path: Path) -> None:
    path = tmp_path / "three.pdf"
    path.write_bytes(make_pdf(["One.", "", "Three."]))
    seen: list[tuple[int, int]] = []

    result = parse(*_task(path), on_page=lambda done, total: seen.append((done, total)))

    assert result.status is ParseStatus.OK
    assert seen == [(1, 3), (2, 3), (3, 3)]  # the empty page counts as read too


def test_worker_long_pdf_sends_page_ticks_before_its_result(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    words = " ".join(f"word{j}" for j in range(150))
    path.write_bytes(make_pdf([f"Page {n}. {words}" for n in range(200)]))  # ~1.5 s to read
    ticks: list[PageTick] = []

    (result,) = ParserPool(workers=1).run([_task(path)], on_page=ticks.append)

    assert result.status == "ok" and result.pages == 200
    assert ticks and all(t.source == "long.pdf" and t.total == 200 for t in ticks)
    assert [t.done for t in ticks] == sorted(t.done for t in ticks) and ticks[-1].done < 200


def _long(tmp_path: Path) -> Path:
    path = tmp_path / "long.txt"
    path.write_text("\n\n".join(f"Paragraph {i} says something plain." * 12 for i in range(12)))
    return path


def test_parse_parts_sends_a_big_file_in_order_and_ends_with_its_outcome(tmp_path: Path) -> None:
    path = _long(tmp_path)
    whole = parse(ParseTask(path, tmp_path, None, 100, 10, bm25=True), "long.txt")
    task = ParseTask(path, tmp_path, None, 100, 10, bm25=True, part_chunks=3)

    *parts, last = parse_parts(task, "long.txt")

    assert len(whole.chunks) > 6 and parts and all(isinstance(p, ParsedPart) for p in parts)
    assert all(len(p.chunks) == 3 == len(p.sparse) == len(p.tokens) for p in parts)
    assert isinstance(last, Parsed) and last.status is ParseStatus.OK and 1 <= len(last.chunks) <= 3
    pieces = [*parts, last]
    assert tuple(c for p in pieces for c in p.chunks) == whole.chunks
    assert tuple(s for p in pieces for s in p.sparse) == whole.sparse
    assert tuple(t for p in pieces for t in p.tokens) == whole.tokens
    assert last.pages == whole.pages and last.warnings == whole.warnings


def _report_pdf(tmp_path: Path, pages: int = 12) -> Path:
    path = tmp_path / "report.pdf"
    text = "The committee reviewed the annual figures and the staff handbook in detail. "
    path.write_bytes(make_pdf([f"Section {n}. " + text * 12 for n in range(pages)], title="R"))
    return path


@pytest.mark.parametrize("bm25", [False, True])
def test_parse_parts_streams_a_pdf_as_the_same_chunks_whole_parse_makes(
    tmp_path: Path, bm25: bool
) -> None:
    path = _report_pdf(tmp_path)
    whole = parse(ParseTask(path, tmp_path, None, 100, 10, bm25=bm25), "report.pdf")
    task = ParseTask(path, tmp_path, None, 100, 10, bm25=bm25, part_chunks=3)

    *parts, last = parse_parts(task, "report.pdf")

    assert parts and all(isinstance(p, ParsedPart) and len(p.chunks) == 3 for p in parts)
    assert isinstance(last, Parsed) and last.status is ParseStatus.OK and 1 <= len(last.chunks) <= 3
    pieces = [*parts, last]
    assert tuple(c for p in pieces for c in p.chunks) == whole.chunks
    assert tuple(s for p in pieces for s in p.sparse) == whole.sparse
    assert tuple(t for p in pieces for t in p.tokens) == whole.tokens
    assert (last.pages, last.warnings, last.unreadable) == (12, whole.warnings, whole.unreadable)


def test_parse_parts_sends_a_pdfs_first_part_before_its_last_page_is_read(
    tmp_path: Path,
) -> None:
    path = _report_pdf(tmp_path)
    task = ParseTask(path, tmp_path, None, 100, 10, part_chunks=2)
    read: list[int] = []

    first_part_after = next(
        len(read)
        for result in parse_parts(task, "report.pdf", lambda done, total: read.append(done))
        if isinstance(result, ParsedPart)
    )

    assert first_part_after < 12  # pages still unread when the first chunks went out


def test_parse_parts_pdf_that_cannot_be_read_comes_as_one_outcome(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf(["", ""]))  # no text layer, and no OCR asked for
    task = ParseTask(path, tmp_path, None, 100, 10, part_chunks=2)

    (outcome,) = parse_parts(task, "scan.pdf")

    assert isinstance(outcome, Parsed) and outcome.status is ParseStatus.SKIPPED
    assert outcome.reason == parse(task, "scan.pdf").reason


def test_parse_parts_small_file_comes_whole(tmp_path: Path) -> None:
    path = _long(tmp_path)
    task = ParseTask(path, tmp_path, None, 100, 10, part_chunks=1000)
    (whole,) = parse_parts(task, "long.txt")
    assert isinstance(whole, Parsed) and whole.chunks == parse(task, "long.txt").chunks


def test_worker_streams_parts_from_the_child_before_the_outcome(tmp_path: Path) -> None:
    path = _long(tmp_path)
    task = ParseTask(path, tmp_path, None, 100, 10, tag="t", part_chunks=2)

    results = list(ParserPool(workers=1).run([(task, "long.txt"), _task(_good(tmp_path))]))

    *parts, last, good = results
    assert parts and all(isinstance(p, ParsedPart) and p.tag == "t" for p in parts)
    assert isinstance(last, Parsed) and last.source == "long.txt" and last.tag == "t"
    chunks = tuple(c for p in [*parts, last] for c in p.chunks)
    assert chunks == parse(task, "long.txt").chunks
    assert isinstance(good, Parsed) and good.source == "good.txt"


class _Unpicklable:
    """A caller's tag that cannot travel to a parser process (a lock, a file handle...)."""

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("this tag stays in the caller's process")


def test_worker_hands_back_the_callers_own_tag_which_never_travels(tmp_path: Path) -> None:
    path = _long(tmp_path)
    tag = _Unpicklable()
    task = ParseTask(path, tmp_path, None, 100, 10, tag=tag, part_chunks=2)

    *parts, last = ParserPool(workers=1).run([(task, "long.txt")])

    # The same object, not a copy that went to the parser and back (one per file, held by the
    # run until it ends), and the file parsed as without a tag.
    assert parts and all(part.tag is tag for part in parts) and last.tag is tag
    assert isinstance(last, Parsed) and last.status is ParseStatus.OK


def test_worker_child_grown_past_the_memory_margin_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    fresh = ParserPool._fresh

    def counting(pool: ParserPool) -> object:
        started.append(1)
        return fresh(pool)

    monkeypatch.setattr(ParserPool, "_fresh", counting)
    files = [tmp_path / f"f{i}.txt" for i in range(6)]
    for path in files:
        path.write_text(f"File number {path.stem}.", "utf-8")

    kept = list(ParserPool(workers=1).run([_task(p) for p in files]))
    assert len(started) == 1 and all(r.status == "ok" for r in kept)  # small files: one child

    monkeypatch.setattr("ingest.child.RECYCLE_MB", -1)  # any size too big: replaced as it answers
    started.clear()
    recycled = list(ParserPool(workers=1).run([_task(p) for p in files]))
    assert len(started) >= 2 and sorted(r.source for r in recycled) == sorted(p.name for p in files)


def test_worker_time_the_caller_spends_away_is_not_the_parsers(tmp_path: Path) -> None:
    # The caller embeds each part before it asks for the next (the eval's local model takes
    # minutes for a filing); the parser waits meanwhile, using no CPU. That wait is not its
    # parse time: the wall-clock backstop (5 x 0.5 s) must not stop the file.
    path = _long(tmp_path)
    task = ParseTask(path, tmp_path, None, 100, 10, tag="t", part_chunks=2)
    pool = ParserPool(workers=1, timeout=0.5)
    results = []
    for result in pool.run([_task(_good(tmp_path)), (task, "long.txt")]):
        results.append(result)
        if isinstance(result, ParsedPart) and len(results) == 2:
            time.sleep(3.0)  # away longer than the backstop, with the file's parts pending

    last = results[-1]
    assert isinstance(last, Parsed) and last.source == "long.txt"
    assert last.status is ParseStatus.OK, last.reason


class _FakeChild:
    """A parser answering through a real pipe at once; the first one made (the slow one) only
    once c.txt has been handed out."""

    made: ClassVar[list[_FakeChild]] = []
    handed: ClassVar[set[str]] = set()

    def __init__(self, memory_mb: int, warm: Warm = Warm.NONE) -> None:
        from collections import deque
        from multiprocessing import Pipe

        self.conn, self._answers = Pipe(duplex=False)
        self.queue: deque[tuple[ParseTask, str]] = deque()
        self._unsent: deque[tuple[ParseTask, str]] = deque()
        self.retiring = False
        self.got: list[str] = []
        self.slow = not _FakeChild.made
        self.process = subprocess.Popen([sys.executable, "-c", "pass"])
        _FakeChild.made.append(self)

    def submit(self, task: ParseTask, source: str) -> None:
        self.queue.append((task, source))
        self._unsent.append((task, source))
        self.got.append(source)
        _FakeChild.handed.add(source)
        for child in _FakeChild.made:
            child.answer()

    def answer(self) -> None:
        while self._unsent and (not self.slow or "c.txt" in _FakeChild.handed):
            task, source = self._unsent.popleft()
            self._answers.send(Parsed(source, ParseStatus.OK, tag=task.tag))

    def answered(self) -> tuple[ParseTask, str]:
        return self.queue.popleft()

    def excuse(self, seconds: float) -> None:
        pass

    def grown(self) -> bool:
        return False

    def overdue(self, limit: float) -> Reason | None:
        return None

    def stop(self, *, kill: bool = False) -> None:
        self.process.wait()


def test_worker_last_files_go_to_the_free_child_not_behind_a_busy_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _FakeChild.made, _FakeChild.handed = [], set()
    monkeypatch.setattr(worker, "Child", _FakeChild)
    tasks = [(ParseTask(tmp_path / n, tmp_path, None, 300, 30, tag=n), n) for n in "abc"]

    results = list(ParserPool(workers=2).run((t, f"{n}.txt") for t, n in tasks))

    slow, free = _FakeChild.made
    assert sorted(r.source for r in results) == ["a.txt", "b.txt", "c.txt"]
    assert slow.got == ["a.txt"]  # still busy with the first file: no second one behind it
    assert free.got == ["b.txt", "c.txt"]


def test_started_children_warm_up_and_take_the_first_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = ParserPool(workers=2, warm=Warm.BM25)
    pool.start()
    processes = [child.process for child in pool._children]
    monkeypatch.setattr(pool, "_fresh", lambda: pytest.fail("run started a child of its own"))

    results = list(pool.run([_task(_good(tmp_path))]))

    assert [r.status for r in results] == [ParseStatus.OK]
    assert all(process.poll() is not None for process in processes)  # stopped after the run


def test_started_children_stop_when_no_run_comes() -> None:
    pool = ParserPool(workers=2, warm=Warm.PARSE)
    pool.start()
    processes = [child.process for child in pool._children]

    pool.close()

    assert all(process.poll() is not None for process in processes)


@pytest.mark.parametrize(
    ("warm", "loaded"),
    [
        (Warm.NONE, []),
        (Warm.PARSE, ["ingest.chunker", "text.tokens"]),
        (Warm.BM25, ["ingest.chunker", "text.sparse", "text.tokens"]),
    ],
)
def test_warm_up_from_the_childs_argument_loads_what_its_mode_names(
    warm: Warm, loaded: list[str]
) -> None:
    code = (
        "import sys; from ingest.parse import Warm, warm_up; warm_up(Warm(sys.argv[1])); "
        "print(*sorted(m for m in ('ingest.chunker', 'text.sparse', 'text.tokens') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, warm.value], cwd=REPO, capture_output=True, text=True
    )

    assert out.stdout.split() == loaded, out.stderr
