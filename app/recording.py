"""A run's records, written as its files finish: the ledger (`app.ledger`) and the source paths
(`app.sources`), a batch at a time.

`Services.ingest` hands `RunRecords.add` to the pipeline (`ingest_paths(on_outcome=)`). So a run
holds at most `BATCH` outcomes for its records, not a second list of every file it was given
(100,000 files: the folders walked again and two dicts over them at the end), and a run that
stops early, or is killed, has recorded the files it finished.
"""

from __future__ import annotations

import threading
from pathlib import Path

from app.ledger import record_outcomes
from app.sources import record_sources
from core.records import FileOutcome, IngestReport, Outcomes
from ingest.discover import SourceFile

BATCH = 1000  # outcomes per write: one transaction per record


class RunRecords:
    """Collects one run's outcomes and writes them every `batch`; `flush` writes the rest.

    `add` may be called from any thread: the pipeline's and the writer's both finish files.
    """

    def __init__(self, data_dir: Path, collection: str, *, batch: int = BATCH) -> None:
        self._dir, self._collection, self._batch = data_dir, collection, batch
        self._lock = threading.Lock()
        self._held: list[tuple[FileOutcome, SourceFile | None]] = []

    def add(self, outcome: FileOutcome, file: SourceFile | None) -> None:
        with self._lock:
            self._held.append((outcome, file))
            if len(self._held) < self._batch:
                return
            held, self._held = self._held, []
        self._write(held)

    def flush(self) -> None:
        with self._lock:
            held, self._held = self._held, []
        if held:
            self._write(held)

    def _write(self, held: list[tuple[FileOutcome, SourceFile | None]]) -> None:
        report = IngestReport(self._collection, Outcomes(outcome for outcome, _ in held))
        found = [file for _, file in held if file is not None]
        record_sources(self._dir, report, ((f.source, f.path) for f in found))
        record_outcomes(self._dir, report, {f.source: f.size for f in found})
