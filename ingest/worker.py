"""Parse files in worker processes, each file under a time and a memory bound.

A hostile PDF can hang pypdf (cyclic structures), exhaust memory (decompression bombs) or crash
the interpreter. So loading and chunking (`ingest.parse`) run in child processes (`ingest.child`):
each child caps its own address space (`RLIMIT_AS`), and the parent kills a child whose file has
used more than the time limit in CPU seconds (or five times it in wall time, for a parser blocked
without working; see `ingest.child.overdue`; the time the caller spends away embedding what it
was given does not count), records the file as failed with that reason, and starts a fresh child
for the next file. A child whose memory has grown `RECYCLE_MB` past what it held after its first
file (pypdf's caches, fragmentation) is replaced by a fresh one, as is one that served
`_RECYCLE` files (both in `ingest.child`), so memory stays flat over a long run. Not by file
count alone: a fresh child costs ~1.5 CPU s of imports (tiktoken, the language identifier),
which every 200 small text files was most of the parsers' CPU. A file's OCR runs inside the
same bounds, with `OCR_SHARE` of its time (`ingest.parse.within`); Tesseract needs about 100-170
MB, well inside the memory cap. A big file comes back in parts (`ingest.parse.parse_parts`), its
time limit running across them.

`ParserPool.run` yields results as they complete while the children already parse the next files,
so parsing overlaps the parent's embedding and writing. While a long PDF is read, its child sends
`PageTick`s, handed to the caller's `on_page`: a 117-page report is counted page by page.
"""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from multiprocessing.connection import wait

from core.reasons import Reason
from ingest.child import Child
from ingest.parse import PageTick, Parsed, ParsedPart, ParseStatus, ParseTask, Warm, within

_POLL = 0.5  # seconds between checks of the children's time used
PREFETCH = 2  # files handed to a child at once, so it never waits for the parent between two
# (while at least as many files as children wait; see `ParserPool.run`)


class ParserPool:
    """`workers` child processes parsing files, each file under `timeout` CPU seconds (see
    `ingest.child.overdue`) and `memory_mb`.

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
        self._children: list[Child] = []

    def _fresh(self) -> Child:
        child = Child(self._memory_mb, self._warm)
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
                        done.append(dataclasses.replace(result, tag=child.queue[0][0].tag))
                        continue
                    task, _ = child.answered()
                    done.append(dataclasses.replace(result, tag=task.tag))
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

    def _receive(self, child: Child) -> Parsed | ParsedPart | PageTick | None:
        try:
            result = child.conn.recv()
        except (EOFError, OSError):
            return None
        return result if isinstance(result, Parsed | ParsedPart | PageTick) else None

    def _crashed(self, child: Child) -> Parsed:
        code = child.exit_code()
        task, source = child.answered()
        if code is not None and code < 0:
            reason = Reason("parser_killed", signal=-code)
        else:
            reason = Reason("parser_exited", code=str(code))
        return Parsed(source, ParseStatus.FAILED, reason=reason, tag=task.tag)

    def _replace(self, child: Child, again: deque[tuple[ParseTask, str]]) -> Child:
        """A fresh child in `child`'s place; the files it had not started go to another."""
        again.extendleft(reversed(child.queue))
        child.queue.clear()
        child.stop(kill=True)
        self._children.remove(child)
        return self._fresh()
