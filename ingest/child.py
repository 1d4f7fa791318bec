"""A parser process's side: read (task, source) pairs from stdin, send back what `parse` made,
and while a long PDF is read, a `PageTick` (pages read of how many) at most every `TICK_SECONDS`.
A big file's chunks come in parts (`parse_parts`).

Started by `ingest.worker.ParserPool` with the parent's import path. It caps its own address
space, dies with its parent (Linux), and keeps stdout for the channel alone.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from core.reasons import Reason
from ingest.parse import PageTick, Parsed, ParseStatus, Warm, parse_parts, warm_up

TICK_SECONDS = 0.5  # a child sends a `PageTick` at most this often


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
