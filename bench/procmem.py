"""Memory as Linux reports it in /proc, for the benches that print peak RSS.

`status_mb(pid, field)` reads one line of /proc/PID/status in MB. `MemoryWatch` polls, while its
block runs, the peak RSS of this process's child processes (the parsers: each one's own VmHWM;
`RUSAGE_CHILDREN` would also count the pages a child shares with this process between fork and
exec) and this process's peak private memory (RssAnon: its RSS without the store's
memory-mapped files).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


def status_mb(pid: int | str, field: str = "VmHWM:") -> float:
    """A memory line of /proc/PID/status in MB (0 when it cannot be read)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class MemoryWatch:
    def __init__(self, interval: float = 0.1) -> None:
        self.parser_mb = 0.0  # the largest child's own peak RSS
        self.anon_mb = 0.0  # this process's peak private memory
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self._interval):
            self.anon_mb = max(self.anon_mb, status_mb(me, "RssAnon:"))
            try:
                pids = Path(f"/proc/{me}/task/{me}/children").read_text().split()
            except OSError:
                return
            for pid in pids:
                self.parser_mb = max(self.parser_mb, status_mb(pid))

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
