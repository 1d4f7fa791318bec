"""This user's folder for the unpacked models every parser process would otherwise rebuild.

The language identifier's tables (`text.language`) and the tokenizer's merge ranks
(`text.tokens`) take a fresh process 0.1-0.5 CPU s to build from what their packages ship, and
each ingest starts fresh parser processes. So a process that built one keeps it here, in
`<temp>/ionos-rag-models-<uid>` (made 0700), and the next loads it. Only a folder this user owns
and nobody else may write to is used, only a regular file this user owns is read, and files are
written atomically, so no other user can plant a file and no process reads half of one. The
callers check what they load and rebuild on any doubt.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


def folder() -> Path | None:
    """The folder (made 0700), None when there is none to trust."""
    path = Path(tempfile.gettempdir()) / f"ionos-rag-models-{os.getuid()}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        info = path.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        return None  # a link, or a folder others made or may write to: never trusted
    return path


def owned(path: Path) -> bool:
    """Whether `path` is a regular file of this user's (not a link)."""
    try:
        info = path.lstat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid()


def write(path: Path, fill: Callable[[IO[bytes]], Any]) -> None:
    """Write `path` through `fill`, atomically; best effort (a full disk or a read-only folder
    leaves no file, and the caller's model serves from memory)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as handle:
            fill(handle)
        tmp.replace(path)  # atomic: another process never reads half a file
    except Exception:
        with contextlib.suppress(OSError):
            tmp.unlink()
