"""A test-only entry point: ingest ROOT into an embedded store at STORE with the hash embedder.

`python -m tests.ingest.resume_target ROOT STORE [DELAY] [progressive]` prints `batch N` after
each embedding call (sleeping DELAY seconds first, so a test can kill it mid-run) and `done` at
the end. `progressive` writes every file batch by batch, as the pipeline does for large files.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from app.container import Services
from core.settings import Backend, Settings
from ingest import run
from store.edge import EdgeStore
from tests.fakes.embedder import HashEmbedder


class _SlowEmbedder(HashEmbedder):
    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        time.sleep(self.delay)
        vectors = super().embed_documents(texts)
        print(f"batch {len(self.calls)}", flush=True)
        return vectors


def main(argv: Sequence[str]) -> None:
    root, store_path = Path(argv[0]), Path(argv[1])
    delay = float(argv[2]) if len(argv) > 2 else 0.0
    if "progressive" in argv[3:]:
        run.BUFFERED_CHUNKS = 0
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        api_token=None,
        backend=Backend.LOCAL,
        store_path=store_path,
        data_dir=store_path.parent / "data",  # its ledger too: never the repo's data/
        collection="test",
        embed_batch_size=4,
    )
    store = EdgeStore(store_path)  # the product's embedded store
    services = Services(settings=settings, store=store, embedder=_SlowEmbedder(delay), chat=None)
    try:
        report = services.ingest([root])
    finally:
        services.close()
    print(f"done {report.count('ingested')} {report.count('unchanged')}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
