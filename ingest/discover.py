"""Finding the files to ingest: folders walked, names made relative, duplicates caught.

A folder's files get source names relative to it (`handbook.pdf`, `policies/travel.md`); a file
given directly is named by its file name. Hidden files and folders are left out.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.reasons import Reason
from core.records import FileOutcome, FileStatus
from ingest.loaders import SUPPORTED_SUFFIXES, is_supported, source_name


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file to ingest. Its path is kept as text: a run holds one per file, and a `Path` costs
    about 300 bytes more (30 MB over 100,000 files, `bench/bench_many.py`)."""

    location: str  # the path, as given or walked
    root: Path  # the folder the source name is relative to (one object for all its files)
    source: str
    size: int

    @property
    def path(self) -> Path:
        return Path(self.location)


def _matches(source: str, glob: str | None) -> bool:
    if not glob:
        return True
    return fnmatch.fnmatch(source, glob) or fnmatch.fnmatch(source.rsplit("/", 1)[-1], glob)


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith((".", "~$")):
                yield Path(folder) / name


def _relative(path: Path, base: Path) -> str:
    """`source_name(path, root)` with `base` = `root.resolve()` already."""
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return path.name


def discover(
    paths: Sequence[Path], *, glob: str | None = None
) -> tuple[list[SourceFile], list[FileOutcome]]:
    """The files to ingest, and outcomes for paths that cannot be (missing, duplicate names)."""
    found: dict[str, SourceFile] = {}
    problems: list[FileOutcome] = []

    def add(path: Path, root: Path, source: str) -> None:
        if source in found:
            if found[source].path.resolve() != path.resolve():
                problems.append(FileOutcome(
                    source, FileStatus.FAILED,
                    Reason("duplicate_name", other=str(found[source].path)),
                ))  # fmt: skip
            return
        try:
            size = path.stat().st_size
        except OSError as exc:
            reason = Reason("cannot_read", detail=str(exc.strerror))
            problems.append(FileOutcome(source, FileStatus.FAILED, reason))
            return
        found[source] = SourceFile(str(path), root, source, size)

    for given in map(Path, paths):
        if given.is_dir():
            base = given.resolve()  # once per folder, not per file (100,000 files: seconds)
            for path in _walk(given):
                source = _relative(path, base)
                if is_supported(path) and _matches(source, glob) and path.is_file():
                    add(path, given, source)
        elif given.is_file():
            if is_supported(given):
                add(given, given.parent, source_name(given, given.parent))
            else:
                kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
                reason = Reason("unsupported_type_given", supported=kinds)
                problems.append(FileOutcome(given.name, FileStatus.SKIPPED, reason))
        else:
            problems.append(FileOutcome(str(given), FileStatus.FAILED, Reason("not_found")))
    return list(found.values()), problems


def password_for(file: SourceFile, passwords: Mapping[str, str]) -> str | None:
    for key in (file.source, file.path.name, str(file.path), str(file.path.resolve())):
        if key in passwords:
            return passwords[key]
    return None
