"""One parser process, both ends: `Child`, the parent's handle on it, and `serve`, its loop.

The parent (`ingest.worker.ParserPool`) starts a `Child` with its own import path and the boot
arguments `serve` reads back (memory cap, parent's pid, `Warm` mode by its value), hands it
(task, source) pairs through its stdin and `None` to stop, and watches its CPU time (`overdue`)
and its memory (`Child.grown`: replaced once grown `RECYCLE_MB` past its size after its first
file, or after `_RECYCLE` files). The process, in `serve`, caps its own address space, dies with
its parent (Linux), keeps stdout for the channel alone, and sends back what `parse` made: a big
file's chunks in parts (`parse_parts`) and, while a long PDF is read, a `PageTick` (pages read of
how many) at most every `TICK_SECONDS`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from core.reasons import Reason
from ingest.parse import PageTick, Parsed, ParseStatus, ParseTask, Warm, parse_parts, warm_up

_RECYCLE = 10_000  # files per child before a fresh one takes over, whatever its memory
RECYCLE_MB = 128  # a child grown this much past its size after its first file is replaced
WALL_FACTOR = 5  # a parse may take this many times its CPU limit in wall time
TICK_SECONDS = 0.5  # a child sends a `PageTick` at most this often
_BOOT = (
    "import json, sys; sys.path[:0] = json.loads(sys.argv[1]); "
    "from ingest.child import serve; from ingest.parse import Warm; "
    "serve(int(sys.argv[2]), int(sys.argv[3]), Warm(sys.argv[4]))"
)
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


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


class Child:
    """One parser process, started with the parent's import path (no re-import of `__main__`).

    It holds the files it is handed (up to `ingest.worker.PREFETCH`); it parses them in order,
    and the time limit of the first one starts when the one before it is answered.
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
        # The tag is the caller's, handed back with the answer from `queue`: it never travels,
        # so the caller's own objects come back (a copy each way was ~0.2 KB a file).
        self._out.send((dataclasses.replace(task, tag=None), source))

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


def _die_with_parent(parent: int) -> None:
    """On Linux, have the kernel kill this child when the ingest process dies (even by kill -9),
    so a child stuck on a hostile file is never left behind."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux: the child still exits when its input closes
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def serve(memory_mb: int, parent: int = 0, warm: Warm = Warm.NONE) -> None:
    """The child's loop on stdin/stdout: receive (task, source), send back a `Parsed`.

    `warm`: what to load before the first file arrives (`ingest.parse.warm_up`)."""
    import warnings

    warnings.simplefilter("ignore")
    _die_with_parent(parent or os.getppid())
    if memory_mb > 0:
        try:
            import resource
        except ImportError:  # Windows: the time limit still holds
            pass
        else:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    with contextlib.suppress(Exception):  # the first file meets the same trouble, reported
        warm_up(warm)
    inbox = Connection(os.dup(0), writable=False)
    outbox = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # a stray print from a library must not corrupt the channel
    while True:
        try:
            message = inbox.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        task, source = message
        for result in parse_parts(task, source, _ticker(outbox, source)):
            try:
                outbox.send(result)
            except MemoryError:
                reason = Reason("out_of_memory")
                outbox.send(Parsed(source, ParseStatus.FAILED, reason=reason, tag=task.tag))
                break


def _ticker(outbox: Connection, source: str) -> Callable[[int, int], None]:
    """Send a `PageTick` for `source` after its first page, then at most every `TICK_SECONDS`, so
    the parent can count a long PDF's pages while it is read (however fast the machine reads)."""
    last = -float("inf")

    def tick(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= TICK_SECONDS and done < total:
            last = now
            outbox.send(PageTick(source, done, total))

    return tick
