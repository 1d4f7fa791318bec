"""Finding the files to ingest: folders walked, names made relative, duplicates caught.

A folder's files get source names relative to it (`handbook.pdf`, `policies/travel.md`); a file
given directly is named by its file name. Hidden files and folders are left out.
"""

from __future__ import annotations

import fnmatch
import os
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.packed import PackedStrings
from core.reasons import Reason
from core.records import FileOutcome, FileStatus
from ingest.loaders import SUPPORTED_SUFFIXES, is_supported, source_name


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file to ingest. Its path is kept as text: a `Path` costs about 300 bytes more."""

    location: str  # the path, as given or walked
    root: Path  # the folder the source name is relative to (one object for all its files)
    source: str
    size: int

    @property
    def path(self) -> Path:
        return Path(self.location)


class FileList:
    """The files found, packed: ~40 bytes a file where a list of `SourceFile` costs ~300
    (100,000 files: 4 MB, not 30). Files come out as `SourceFile`s, made when asked for."""

    def __init__(self, files: Iterable[SourceFile] = ()) -> None:
        self._roots: list[Path] = []
        self._root = array("I")  # index into _roots
        self._size = array("q")
        self._names = PackedStrings()  # the source names
        self._located: dict[int, str] = {}  # paths other than root/source (symlinks, links)
        self._order: array[int] | None = None  # what `pop_largest` hands out, in reverse
        for file in files:
            self.append(file)

    def append(self, file: SourceFile) -> None:
        if not self._roots or self._roots[-1] is not file.root:
            self._roots.append(file.root)
        index = len(self._size)
        self._root.append(len(self._roots) - 1)
        self._size.append(file.size)
        self._names.append(file.source)
        if file.location != str(file.root / file.source):
            self._located[index] = file.location

    def __len__(self) -> int:
        return len(self._size)

    def __getitem__(self, index: int) -> SourceFile:
        source = self._names[index]
        root = self._roots[self._root[index]]
        location = self._located.get(index) or str(root / source)
        return SourceFile(location, root, source, self._size[index])

    def __iter__(self) -> Iterator[SourceFile]:
        return (self[index] for index in range(len(self)))

    @property
    def size(self) -> int:
        """All the files' bytes."""
        return sum(self._size)

    def pop_largest(self) -> SourceFile | None:
        """The largest file not yet handed out (of equal ones, the first found); None when
        all are."""
        if self._order is None:  # ascending; of equal sizes, the last found first
            found = range(len(self) - 1, -1, -1)
            self._order = array("I", sorted(found, key=self._size.__getitem__))
        return self[self._order.pop()] if self._order else None


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
) -> tuple[FileList, list[FileOutcome]]:
    """The files to ingest, and outcomes for paths that cannot be (missing, duplicate names)."""
    files = FileList()
    found: dict[str, int] = {}  # source name: its index in `files`, while they are found
    problems: list[FileOutcome] = []

    def add(path: Path, root: Path, source: str) -> None:
        if source in found:
            other = files[found[source]].path
            if other.resolve() != path.resolve():
                reason = Reason("duplicate_name", other=str(other))
                problems.append(FileOutcome(source, FileStatus.FAILED, reason))
            return
        try:
            size = path.stat().st_size
        except OSError as exc:
            reason = Reason("cannot_read", detail=str(exc.strerror))
            problems.append(FileOutcome(source, FileStatus.FAILED, reason))
            return
        found[source] = len(files)
        files.append(SourceFile(str(path), root, source, size))

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
    return files, problems


def password_for(file: SourceFile, passwords: Mapping[str, str]) -> str | None:
    for key in (file.source, file.path.name, str(file.path), str(file.path.resolve())):
        if key in passwords:
            return passwords[key]
    return None
