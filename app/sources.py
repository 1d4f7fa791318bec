"""Where each ingested file came from, per collection: what the page preview may open.

`Services.ingest` records, after a run, the exact path of every file it ingested, found
unchanged, skipped or failed (the document manager offers those for download and re-ingest)
that lies under the data directory, a row per file (`app.keyed`, record ".sources":
`"handbook.pdf": "/abs/data/sample/handbook.pdf"`); pruned files are dropped. The page
preview resolves a citation through this record or the collection's own upload folder, never
by searching for a file name, so a citation in one collection can never open another's file
(`find_source_file`, also the document manager's download and re-ingest).
Concurrent writers, in this process or another, are safe (`app.keyed`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from app.keyed import KeyedRecord
from core.access import Viewer
from core.records import FileStatus, IngestReport
from core.settings import Settings

FOLDER = ".sources"
_KEPT = (FileStatus.INGESTED, FileStatus.UNCHANGED, FileStatus.SKIPPED, FileStatus.FAILED)


def sources(data_dir: Path, collection: str) -> KeyedRecord:
    return KeyedRecord(data_dir, FOLDER, collection)


def recorded_sources(data_dir: Path, collection: str) -> dict[str, str]:
    return {k: str(v) for k, v in sources(data_dir, collection).read().items()}


def find_source_file(
    settings: Settings,
    viewer: Viewer,
    source: str,
    collection: str,
    *,
    recorded: Mapping[str, str] | None = None,
) -> Path | None:
    """The file behind a citation of `collection`, or None; `AccessDeniedError` first when the
    viewer may not read the collection.

    Looks only at `uploads/<collection>/<source>` and at the path recorded for `source` when
    `collection` was ingested (`recorded`: the collection's paths, when the caller has read them
    for many files); anything that resolves outside the data directory is ignored.
    """
    viewer.require(collection)
    if not source or ".." in Path(source).parts or Path(source).is_absolute():
        return None
    root = settings.data_dir.resolve()
    if not root.is_dir():
        return None
    candidates = [root / "uploads" / collection / source]
    if recorded is None:
        kept = sources(settings.data_dir, collection).get(source)
    else:
        kept = recorded.get(source)
    if isinstance(kept, str) and kept:
        candidates.append(Path(kept))
    for candidate in candidates:
        path = candidate.resolve()
        if path.is_file() and path.is_relative_to(root):
            return path
    return None


def record_sources(data_dir: Path, report: IngestReport, files: Iterable[tuple[str, Path]]) -> None:
    """Remember the paths of `report`'s files (all but the pruned ones, which are forgotten).

    `files` is (source name, path) for each file the run was given. Paths outside `data_dir`
    are not recorded: the preview never opens anything outside it.
    """
    root = data_dir.resolve()
    status = {outcome.source: outcome.status for outcome in report.files}

    def kept() -> Iterator[tuple[str, object]]:  # written as they come: a run may hold 100,000
        for source, path in files:
            if status.get(source) in _KEPT:
                resolved = path.resolve()
                if resolved.is_relative_to(root):
                    yield source, str(resolved)

    pruned = (source for source, done in status.items() if done is FileStatus.PRUNED)
    sources(data_dir, report.collection).change(kept(), pruned)


def forget_source(data_dir: Path, collection: str, source: str) -> None:
    """Drop the path recorded for `source` (the file was deleted from the collection)."""
    sources(data_dir, collection).change(drop=[source])
