"""Where each ingested file came from, per collection: what the page preview may open.

`Services.ingest` records, after a run, the exact path of every file it ingested, found
unchanged, skipped or failed (the document manager offers those for download and re-ingest)
that lies under the data directory, in `<data_dir>/.sources/<collection>.json`
(`{"handbook.pdf": "/abs/data/sample/handbook.pdf"}`); pruned files are dropped. The page
preview resolves a citation through this record or the collection's own upload folder, never
by searching for a file name, so a citation in one collection can never open another's file
(`find_source_file`, also the document manager's download and re-ingest).
Concurrent writers, in this process or another, are safe (`app.records`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from app.records import change_record, read_record
from app.records import record_path as _record_path
from core.access import Viewer
from core.records import FileStatus, IngestReport
from core.settings import Settings

FOLDER = ".sources"
_KEPT = (FileStatus.INGESTED, FileStatus.UNCHANGED, FileStatus.SKIPPED, FileStatus.FAILED)


def record_path(data_dir: Path, collection: str) -> Path:
    return _record_path(data_dir, FOLDER, collection)


def recorded_sources(data_dir: Path, collection: str) -> dict[str, str]:
    return {k: str(v) for k, v in read_record(record_path(data_dir, collection)).items()}


def find_source_file(
    settings: Settings, viewer: Viewer, source: str, collection: str
) -> Path | None:
    """The file behind a citation of `collection`, or None; `AccessDeniedError` first when the
    viewer may not read the collection.

    Looks only at `uploads/<collection>/<source>` and at the path recorded for `source` when
    `collection` was ingested; anything that resolves outside the data directory is ignored.
    """
    viewer.require(collection)
    if not source or ".." in Path(source).parts or Path(source).is_absolute():
        return None
    root = settings.data_dir.resolve()
    if not root.is_dir():
        return None
    candidates = [root / "uploads" / collection / source]
    recorded = recorded_sources(settings.data_dir, collection).get(source)
    if recorded:
        candidates.append(Path(recorded))
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
    paths = dict(files)
    kept: dict[str, str] = {}
    pruned: list[str] = []
    for outcome in report.files:
        path = paths.get(outcome.source)
        if outcome.status is FileStatus.PRUNED:
            pruned.append(outcome.source)
        elif outcome.status in _KEPT and path is not None:
            resolved = path.resolve()
            if resolved.is_relative_to(root):
                kept[outcome.source] = str(resolved)
    target = record_path(data_dir, report.collection)
    if not kept and not target.exists():
        return  # nothing to add or forget: no file written (e.g. a run over files elsewhere)

    def change(sources: dict[str, object]) -> bool:
        before = dict(sources)
        for source in pruned:
            sources.pop(source, None)
        sources.update(kept)
        return sources != before

    change_record(target, change)


def forget_source(data_dir: Path, collection: str, source: str) -> None:
    """Drop the path recorded for `source` (the file was deleted from the collection)."""
    change_record(
        record_path(data_dir, collection), lambda sources: sources.pop(source, None) is not None
    )
