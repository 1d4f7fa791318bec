"""`rag ui` passes SIGTERM on to the Streamlit server and ends only after it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

CHILD = """
import signal, sys, time, pathlib
out = pathlib.Path(sys.argv[1])
def bye(signum, frame):
    out.write_text(f"got {signum}")
    sys.exit(0)
signal.signal(signal.SIGTERM, bye)
out.write_text("ready")
while True:
    time.sleep(0.05)
"""


def _wait_for(path: Path, text: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text() == text:
            return
        time.sleep(0.05)
    pytest.fail(f"{path} never said {text!r} (says {path.read_text() if path.exists() else '-'})")


def test_run_foreground_sigterm_is_passed_to_the_child(tmp_path: Path) -> None:
    child_script, marker = tmp_path / "child.py", tmp_path / "marker"
    child_script.write_text(CHILD)
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from app.cli.supervise import run_foreground; "
         f"sys.exit(run_foreground([sys.executable, {str(child_script)!r}, {str(marker)!r}]))"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    try:
        _wait_for(marker, "ready")
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=20) == 0  # the child's own exit code
        assert marker.read_text() == f"got {int(signal.SIGTERM)}"
    finally:
        if parent.poll() is None:
            parent.kill()


def test_run_foreground_returns_the_childs_exit_code() -> None:
    from app.cli.supervise import run_foreground

    assert run_foreground([sys.executable, "-c", "raise SystemExit(3)"]) == 3
