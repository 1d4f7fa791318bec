"""Where each ingested file came from, per collection: what the page preview may open.

`Services.ingest` records, after a run, the exact path of every file it ingested (or found
unchanged) that lies under the data directory, in `<data_dir>/.sources/<collection>.json`
(`{"handbook.pdf": "/abs/data/sample/handbook.pdf"}`); pruned files are dropped. The page
preview resolves a citation through this record or the collection's own upload folder, never
by searching for a file name, so a citation in one collection can never open another's file.
Written whole to a temporary file and renamed, under a lock, so concurrent runs in one process
never leave it half-written.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from core.names import valid_collection_name
from core.records import FileStatus, IngestReport

_LOCK = threading.Lock()  # one writer at a time within the process
FOLDER = ".sources"
_KEPT = (FileStatus.INGESTED, FileStatus.UNCHANGED)


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


def record_sources(data_dir: Path, report: IngestReport, files: Iterable[tuple[str, Path]]) -> None:
    """Remember the paths of `report`'s ingested and unchanged files; forget pruned ones.

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
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        partial.write_text(json.dumps(sources, indent=1, sort_keys=True), encoding="utf-8")
        partial.replace(target)
