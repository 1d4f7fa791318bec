"""Where each ingested file came from, per collection: what the page preview may open.

`Services.ingest` records, after a run, the exact path of every file it ingested, found
unchanged, skipped or failed (the document manager offers those for download and re-ingest)
that lies under the data directory, in `<data_dir>/.sources/<collection>.json`
(`{"handbook.pdf": "/abs/data/sample/handbook.pdf"}`); pruned files are dropped. The page
preview resolves a citation through this record or the collection's own upload folder, never
by searching for a file name, so a citation in one collection can never open another's file
(`find_source_file`, also the document manager's download and re-ingest).
Written whole to a temporary file and renamed, under a lock, so concurrent runs in one process
never leave it half-written.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from core.access import Viewer
from core.names import valid_collection_name
from core.records import FileStatus, IngestReport
from core.settings import Settings

_LOCK = threading.Lock()  # one writer at a time within the process
FOLDER = ".sources"
_KEPT = (FileStatus.INGESTED, FileStatus.UNCHANGED, FileStatus.SKIPPED, FileStatus.FAILED)


def record_path(data_dir: Path, collection: str) -> Path:
    if not valid_collection_name(collection):
        raise ValueError(f"not a collection name: {collection!r}")
    return data_dir / FOLDER / f"{collection}.json"


def recorded_sources(data_dir: Path, collection: str) -> dict[str, str]:
    try:
        saved = json.loads(record_path(data_dir, collection).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(saved, dict):
        return {}
    return {str(k): str(v) for k, v in saved.items()}


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
    statuses = {f.source: f.status for f in report.files}
    paths = dict(files)
    target = record_path(data_dir, report.collection)
    with _LOCK:
        sources = recorded_sources(data_dir, report.collection)
        before = dict(sources)
        for source, status in statuses.items():
            path = paths.get(source)
            if status is FileStatus.PRUNED:
                sources.pop(source, None)
            elif status in _KEPT and path is not None:
                resolved = path.resolve()
                if resolved.is_relative_to(root):
                    sources[source] = str(resolved)
        if sources == before:
            return  # nothing new: no file written (a run over files outside data_dir leaves none)
        _write(target, sources)


def forget_source(data_dir: Path, collection: str, source: str) -> None:
    """Drop the path recorded for `source` (the file was deleted from the collection)."""
    target = record_path(data_dir, collection)
    with _LOCK:
        sources = recorded_sources(data_dir, collection)
        if sources.pop(source, None) is not None:
            _write(target, sources)


def _write(target: Path, sources: dict[str, str]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    partial.write_text(json.dumps(sources, indent=1, sort_keys=True), encoding="utf-8")
    partial.replace(target)
