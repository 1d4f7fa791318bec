"""`kill -9` in the middle of an ingest, then the same command again: as if it ran once, cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from store.edge import EdgeStore
from tests.conftest import REPO, make_settings


def _write_corpus(root: Path, version: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for n in range(4):
        text = " ".join(f"File {n} {version} sentence {i} on travel." for i in range(320))
        (root / f"doc{n}.txt").write_text(text, "utf-8")


def _start(root: Path, store: Path, delay: float, *flags: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.ingest.resume_target",
            str(root),
            str(store),
            str(delay),
            *flags,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )


def _run(root: Path, store: Path) -> str:
    process = _start(root, store, 0.0)
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, out
    return out.strip().splitlines()[-1]


def _kill_after(root: Path, store: Path, batches: int, *flags: str) -> None:
    process = _start(root, store, 0.05, *flags)
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == f"batch {batches}":
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"


def _snapshot(store_path: Path) -> tuple[int, list[tuple[str, str, str, int, str]], dict[str, str]]:
    store = EdgeStore(make_settings(store_path.parent, store_path=store_path).store_path)
    try:
        states = store.source_states("test")
        chunks = sorted(
            (c.id, c.source, c.doc_hash, c.position, c.text)
            for source in states
            for c in store.chunks_of("test", source)
        )
        return store.count("test"), chunks, states
    finally:
        store.close()


@pytest.mark.parametrize(
    ("changed", "batches", "flags"),
    [(False, 2, ()), (True, 7, ("progressive",))],
    ids=["first-run", "changed-files-written-progressively"],
)
def test_resume_after_kill_9_ends_like_one_clean_run(
    tmp_path: Path, changed: bool, batches: int, flags: tuple[str, ...]
) -> None:
    root, store = tmp_path / "docs", tmp_path / "store"
    _write_corpus(root, "v1")
    if changed:
        _run(root, store)
        _write_corpus(root, "v2")

    _kill_after(root, store, batches, *flags)
    _, _, states = _snapshot(store)
    assert not all(states.get(f"doc{n}.txt") for n in range(4))  # killed with work left
    if flags:
        assert "" in states.values()  # and a file half written
    last = _run(root, store)

    clean = tmp_path / "clean"
    _run(root, clean)
    count, chunks, states = _snapshot(store)
    assert (count, chunks) == _snapshot(clean)[:2]
    assert count == len(chunks) == len({c[0] for c in chunks})  # no duplicates
    assert all(states.values()) and len(states) == 4
    assert last.startswith("done")
