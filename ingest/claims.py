"""One run at a time writes a given file name into a collection.

Two runs that write one source name at once (two users uploading their own `handbuch.pdf` to
one collection, or `rag ingest` over a folder while the UI takes an upload of one of its files)
would each, at commit, delete the chunks the other had written so far: a file left partial
while marked complete, and the other run stopped on a point that was no longer there. So a run
claims a source before it parses it and holds the claim until the file's outcome is final; a
source another run holds is left to that run (`FileStatus.BUSY`), and a prune or a delete does
not touch it.

`SourceClaims` excludes the runs of this process (the UI's sessions share one) and, given a
lock file (`Services` passes `<data_dir>/ingest.claims`), those of every process on the machine
that uses it (`rag ingest` beside `rag ui`): a claim there is a POSIX record lock on one byte at
an offset hashed from the collection and source, which the kernel drops when the process ends,
so a killed run leaves no claim behind. POSIX drops all of a process's locks on a file when any
of its descriptors of that file closes, so each lock file is opened once per process and closed
when its last claim goes. Runs on other machines sharing a Qdrant server are not seen.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from core.reasons import Reason
from core.records import FileOutcome, FileStatus

try:
    import fcntl
except ImportError:  # Windows: the claims of this process only
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

_guard = threading.Lock()
_held: dict[tuple[str, str], Path | None] = {}  # (collection, source) -> its lock file
_files: dict[Path, tuple[int, int]] = {}  # lock file -> (descriptor, claims on it)


def _offset(collection: str, source: str) -> int:
    digest = hashlib.blake2b(f"{collection}\x00{source}".encode(), digest_size=7).digest()
    return int.from_bytes(digest, "big")  # below 2**56: a valid file offset everywhere


class SourceClaims:
    """Claims on (collection, source) pairs, shared by every instance in the process."""

    def __init__(self, lock_file: Path | None = None) -> None:
        self.lock_file = lock_file.resolve() if lock_file is not None and fcntl else None

    def claim(self, collection: str, source: str) -> bool:
        """Take the claim; False when another run (of any process using the lock file) has it."""
        key = (collection, source)
        with _guard:
            if key in _held:
                return False
            lock_file = self.lock_file
            if lock_file is not None:
                try:
                    if not _lock(lock_file, _offset(*key)):
                        return False
                except OSError as exc:  # no POSIX locks there (some network file systems)
                    log.warning("claims of this process only: cannot lock %s (%s)", lock_file, exc)
                    lock_file = None
            _held[key] = lock_file
        return True

    def release(self, collection: str, source: str) -> None:
        """Give the claim up (nothing when it is not held)."""
        key = (collection, source)
        with _guard:
            if key not in _held:
                return
            lock_file = _held.pop(key)
            if lock_file is not None:
                _unlock(lock_file, _offset(*key))

    @contextlib.contextmanager
    def held(self, collection: str, source: str) -> Iterator[bool]:
        """The claim for a block (whether it was taken), given up after it."""
        taken = self.claim(collection, source)
        try:
            yield taken
        finally:
            if taken:
                self.release(collection, source)


def busy(source: str) -> FileOutcome:
    """The outcome of a file left to the run that holds its claim."""
    return FileOutcome(source, FileStatus.BUSY, Reason("busy"))


def _lock(lock_file: Path, offset: int) -> bool:
    """Lock one byte of `lock_file`; False when another process holds it."""
    fd, count = _files.get(lock_file, (-1, 0))
    if fd < 0:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
    except OSError as exc:
        if count == 0:
            os.close(fd)
        if exc.errno in (errno.EACCES, errno.EAGAIN):  # held by another process
            return False
        raise
    _files[lock_file] = (fd, count + 1)
    return True


def _unlock(lock_file: Path, offset: int) -> None:
    fd, count = _files.pop(lock_file)
    fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset)
    if count > 1:
        _files[lock_file] = (fd, count - 1)
    else:
        os.close(fd)
