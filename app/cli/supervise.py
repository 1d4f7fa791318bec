"""Run a child process in the foreground and take it down with us: SIGTERM, SIGHUP or SIGINT
sent to `rag ui` is passed on to the Streamlit server, which then ends before `rag ui` does
(a service manager stopping `rag ui` no longer leaves the server running)."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Sequence
from types import FrameType

FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
GRACE_SECONDS = 15.0  # after passing a signal on, how long the child may take before SIGKILL


def run_foreground(command: Sequence[str]) -> int:
    """Run `command`, forwarding FORWARDED signals to it; its exit code (128+n when killed)."""
    child = subprocess.Popen(list(command))
    received: list[int] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        if child.poll() is None:
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    try:
        while True:
            try:
                code = child.wait(timeout=GRACE_SECONDS if received else None)
                break
            except subprocess.TimeoutExpired:
                child.kill()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 + abs(code) if code < 0 else code
