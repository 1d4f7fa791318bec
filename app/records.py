"""A small JSON object in a file, changed safely by many writers: the signed-out sessions.

Two app instances may sign people out at once (`app.ui.session`): every change is a
read-modify-write under a thread lock and an exclusive `flock` on `<name>.lock` (other
processes), written whole to a temporary file and renamed, so a reader sees the old record or
the new one, never half of either. A record that cannot be read (missing, hand-edited) reads as
`{}`. Records with a row per file (the ledger, the source paths) are `app.keyed`'s: written
whole, they would cost a rewrite of every file's entry per upload.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

_LOCK = threading.Lock()  # one writer at a time within the process; flock for the others


def read_record(path: Path) -> dict[str, object]:
    """The record's object, or {} when there is none or it cannot be read."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): v for k, v in saved.items()} if isinstance(saved, dict) else {}


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    target.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK, target.with_suffix(".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def change_record(path: Path, change: Callable[[dict[str, object]], bool]) -> None:
    """Apply `change` to the record in place, under the locks; write it when `change` says it
    changed anything (a run that changes nothing leaves no file behind)."""
    with _locked(path):
        record = read_record(path)
        if not change(record):
            return
        partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        partial.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
        partial.replace(path)
