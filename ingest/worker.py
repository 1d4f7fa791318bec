"""Parse files in worker processes, each file under a time and a memory bound.

A hostile PDF can hang pypdf (cyclic structures), exhaust memory (decompression bombs) or crash
the interpreter. So loading and chunking (`ingest.parse`) run in child processes (`ingest.child`):
each child caps its own address space (`RLIMIT_AS`), and the parent kills a child whose file has
used more than the time limit in CPU seconds (or five times it in wall time, for a parser blocked
without working; see `overdue`; the time the caller spends away embedding what it was given does
not count), records the file as failed with that reason, and starts a fresh
child for the next file. A child whose memory has grown `RECYCLE_MB` past what it held after its
first file (pypdf's caches, fragmentation) is replaced by a fresh one, as is one that served
`_RECYCLE` files, so memory stays flat over a long run. Not by file count alone: a fresh child
costs ~1.5 CPU s of imports (tiktoken, the language identifier), which every 200 small text
files was most of the parsers' CPU. A file's OCR runs inside the same bounds, with `OCR_SHARE`
of its time (`ingest.parse.within`); Tesseract needs about 100-170 MB, well inside the memory cap.
A big file comes back in parts (`ingest.parse.parse_parts`), its time limit running across them.

`ParserPool.run` yields results as they complete while the children already parse the next files,
so parsing overlaps the parent's embedding and writing. While a long PDF is read, its child sends
`PageTick`s, handed to the caller's `on_page`: a 117-page report is counted page by page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from multiprocessing.connection import Connection, wait
from pathlib import Path

from core.reasons import Reason
from ingest.parse import PageTick, Parsed, ParsedPart, ParseStatus, ParseTask, Warm, within

_RECYCLE = 10_000  # files per child before a fresh one takes over, whatever its memory
RECYCLE_MB = 128  # a child grown this much past its size after its first file is replaced
_POLL = 0.5  # seconds between checks of the children's time used
_BOOT = (
    "import json, sys; sys.path[:0] = json.loads(sys.argv[1]); "
    "from ingest.child import serve; from ingest.parse import Warm; "
    "serve(int(sys.argv[2]), int(sys.argv[3]), Warm(sys.argv[4]))"
)


def overdue(cpu: float | None, wall: float, limit: float) -> Reason | None:
    """Why a parse that has used `cpu` CPU seconds over `wall` seconds must stop (None if not).

    The limit is on CPU time, so a big legitimate file on a busy machine (a 1,151-page book
    needs ~30 CPU s, minutes of wall time when the machine is shared) is not cut off. A parser
    blocked without using CPU is stopped after `WALL_FACTOR` times the limit in wall time.
    Without a CPU reading (not Linux), the limit is on wall time.
    """
    if cpu is None:
        return Reason("parse_timeout", seconds=f"{limit:g}") if wall > limit else None
    if cpu > limit:
        return Reason("parse_cpu_timeout", seconds=f"{limit:g}")
    if wall > limit * WALL_FACTOR:
        return Reason("parse_timeout", seconds=f"{limit * WALL_FACTOR:g}")
    return None


WALL_FACTOR = 5  # a parse may take this many times its CPU limit in wall time
PREFETCH = 2  # files handed to a child at once, so it never waits for the parent between two
# (while at least as many files as children wait; see `ParserPool.run`)
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class _Child:
    """One parser process, started with the parent's import path (no re-import of `__main__`).

    It holds up to `PREFETCH` files; it parses them in order, and the time limit of the first
    one starts when the one before it is answered.
    """

    def __init__(self, memory_mb: int, warm: Warm = Warm.NONE) -> None:
        boot = [json.dumps(sys.path), str(memory_mb), str(os.getpid()), warm.value]
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOT, *boot],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # library chatter; outcomes come back as `Parsed`
            close_fds=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.conn = Connection(os.dup(self.process.stdout.fileno()), writable=False)
        self._out = Connection(os.dup(self.process.stdin.fileno()), readable=False)
        self.process.stdin.close()
        self.process.stdout.close()
        self.served = 0
        self.retiring = False  # takes no more files; replaced once it has answered the ones it has
        self._base_mb: float | None = None
        self.queue: deque[tuple[ParseTask, str]] = deque()
        self._started = 0.0
        self._cpu0: float | None = None

    def submit(self, task: ParseTask, source: str) -> None:
        self.queue.append((task, source))
        self.served += 1
        if len(self.queue) == 1:
            self._start()
        self._out.send((task, source))

    def answered(self) -> tuple[ParseTask, str]:
        """The file the answer just received was for; the next one's clock starts."""
        done = self.queue.popleft()
        if self.queue:
            self._start()
        return done

    def excuse(self, seconds: float) -> None:
        """Leave `seconds` the caller spent away out of the current file's wall time: a parser
        that has sent its result, or waits to send the next part, is not slow for it."""
        if self.queue:
            self._started += seconds

    def grown(self) -> bool:
        """Whether this child is due for replacement (checked after each answer)."""
        rss = self.rss_mb()
        if self._base_mb is None:
            self._base_mb = rss
        elif rss is not None and rss > self._base_mb + RECYCLE_MB:
            self.retiring = True
        if self.served >= _RECYCLE:
            self.retiring = True
        return self.retiring

    def rss_mb(self) -> float | None:
        """The process's resident memory (Linux), else None."""
        try:
            pages = int(Path(f"/proc/{self.process.pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            return None
        return pages * _PAGE / 2**20

    def _start(self) -> None:
        self._started = time.monotonic()
        self._cpu0 = self.cpu_seconds()

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the process so far (Linux), else None."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / _TICKS
        except (OSError, IndexError, ValueError):
            return None

    def overdue(self, limit: float) -> Reason | None:
        if not self.queue:
            return None
        cpu = self.cpu_seconds()
        used = None if cpu is None or self._cpu0 is None else cpu - self._cpu0
        return overdue(used, time.monotonic() - self._started, limit)

    def exit_code(self) -> int | None:
        try:
            return self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, *, kill: bool = False) -> None:
        if not kill:
            try:
                self._out.send(None)
            except (OSError, ValueError):
                kill = True
        if kill and self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.conn.close()
        self._out.close()


class ParserPool:
    """`workers` child processes parsing files, each file under `timeout` CPU seconds (see
    `overdue`) and `memory_mb`.

    `warm` (`Warm.PARSE`, or `Warm.BM25` for that and the language model too): a child loads what
    every parse needs (`ingest.parse.warm_up`, ~0.45 CPU s) as soon as it starts, before its first
    file. With `start`, that happens while the caller still opens and reads the store."""

    def __init__(
        self,
        *,
        workers: int = 1,
        timeout: float = 120.0,
        memory_mb: int = 2048,
        warm: Warm = Warm.NONE,
    ) -> None:
        self._workers = max(1, workers)
        self._timeout = timeout
        self._memory_mb = memory_mb
        self._warm = warm
        self._children: list[_Child] = []

    def _fresh(self) -> _Child:
        child = _Child(self._memory_mb, self._warm)
        self._children.append(child)
        return child

    def start(self) -> None:
        """Start the children now, ahead of `run`; `close` stops them if `run` never comes."""
        while len(self._children) < self._workers:
            self._fresh()

    def close(self) -> None:
        """Stop every child (all at once: each dies while the next is signalled)."""
        for child in self._children:
            if child.process.poll() is None:
                child.process.kill()
        for child in self._children:
            child.stop(kill=True)
        self._children = []

    def run(
        self,
        tasks: Iterable[tuple[ParseTask, str]],
        *,
        on_wait: Callable[[list[str]], None] | None = None,
        on_page: Callable[[PageTick], None] | None = None,
    ) -> Generator[Parsed | ParsedPart, None, None]:
        """Parse (task, source) pairs; yield each `Parsed` as soon as it is ready, preceded by
        its file's `ParsedPart`s when the task streams.

        `on_wait` is called with the sources being parsed whenever a poll ends with none
        ready, and `on_page` with each `PageTick`, so a caller can show a long file being read.
        """
        queue = iter(tasks)
        again: deque[tuple[ParseTask, str]] = deque()  # handed to a child that died first
        ahead: deque[tuple[ParseTask, str]] = deque()  # drawn from `tasks`, not yet handed out
        self.start()
        children = list(self._children)
        exhausted = False

        def waiting() -> int:
            """Files known to wait, drawing up to one more than there are children."""
            nonlocal exhausted
            while not exhausted and len(ahead) <= len(children):
                item = next(queue, None)
                exhausted = item is None
                if item is not None:
                    ahead.append(item)
            return len(again) + len(ahead)

        def fill() -> None:
            for slot in range(PREFETCH):
                for child in children:
                    if len(child.queue) > slot or child.retiring:
                        continue
                    # Near the end, a busy child gets no second file: the last files go to
                    # whichever child is free first, not behind a long one.
                    if not waiting() or (slot and waiting() < len(children)):
                        return
                    item = again.popleft() if again else ahead.popleft()
                    child.submit(within(item[0], self._timeout), item[1])

        try:
            while True:
                fill()
                busy = {child.conn: child for child in children if child.queue}
                if not busy:
                    return
                ready = wait(list(busy), timeout=_POLL)
                if not ready and on_wait is not None:
                    on_wait([child.queue[0][1] for child in busy.values()])
                done: list[Parsed | ParsedPart] = []
                for conn in ready:
                    child = busy[conn]  # type: ignore[index]
                    result = self._receive(child)
                    if isinstance(result, PageTick):
                        if on_page is not None:
                            on_page(result)
                        continue
                    if result is None:
                        done.append(self._crashed(child))
                        children[children.index(child)] = self._replace(child, again)
                        continue
                    if isinstance(result, ParsedPart):  # more of the file follows
                        done.append(result)
                        continue
                    child.answered()
                    done.append(result)
                    if child.grown() and not child.queue:
                        children[children.index(child)] = self._replace(child, again)
                for child in list(children):
                    reason = child.overdue(self._timeout) if child.queue else None
                    if reason is not None:
                        task, source = child.queue[0]
                        done.append(Parsed(source, ParseStatus.FAILED, reason=reason, tag=task.tag))
                        child.answered()
                        children[children.index(child)] = self._replace(child, again)
                # Hand the idle children their next files before the caller gets these
                # results, so parsing goes on while the caller embeds and writes.
                fill()
                away = time.monotonic()
                yield from done
                away = time.monotonic() - away
                for child in children:  # waiting for the caller is no parser's own time
                    child.excuse(away)
        finally:
            self.close()

    def _receive(self, child: _Child) -> Parsed | ParsedPart | PageTick | None:
        try:
            result = child.conn.recv()
        except (EOFError, OSError):
            return None
        return result if isinstance(result, Parsed | ParsedPart | PageTick) else None

    def _crashed(self, child: _Child) -> Parsed:
        code = child.exit_code()
        task, source = child.answered()
        if code is not None and code < 0:
            reason = Reason("parser_killed", signal=-code)
        else:
            reason = Reason("parser_exited", code=str(code))
        return Parsed(source, ParseStatus.FAILED, reason=reason, tag=task.tag)

    def _replace(self, child: _Child, again: deque[tuple[ParseTask, str]]) -> _Child:
        """A fresh child in `child`'s place; the files it had not started go to another."""
        again.extendleft(reversed(child.queue))
        child.queue.clear()
        child.stop(kill=True)
        self._children.remove(child)
        return self._fresh()
