"""An Edge store's folder on disk: who holds it, how a collection is made in it, and what is
repaired when it opens (`store.edge.EdgeStore` uses these).

- One process at a time holds the root: `lock_folder` takes `<root>/.lock` (an advisory
  `flock`), or raises `FolderLocked`.
- `build` makes a complete collection in a folder of its own: the shard with its memory settings
  and payload indexes, then `collection.json`; the store renames it into place.
- `repair` removes what a crash left half made.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import IO, Any

import qdrant_edge as qe

from core.names import valid_collection_name
from store.points import DENSE, INDEXED_FIELDS, SPARSE, collection_metadata

log = logging.getLogger(__name__)


class FolderLocked(RuntimeError):
    """Another process (or store) holds the folder."""


def lock_folder(root: Path) -> IO[str] | None:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one process is the user's job
        return None
    handle = (root / ".lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        handle.close()
        raise FolderLocked(f"{root} is locked by another process") from exc
    return handle


CREATING = ".creating-"  # prefix of a collection being built

# Memory. Edge's appendable segment (where writes go) holds its points' sparse index in RAM and
# maps its files; `optimize()` turns it into indexed segments, and the segments it replaced stay
# mapped (resident) until the next `flush()`, so `optimize` flushes. The indexed segments keep
# their data on disk (Cold: mapped, read when a search touches it, never loaded whole; the
# keyword indexes on `source` and `kind` too, while a collection made before keeps its own in
# RAM). Segments are indexed past INDEXING_KB of vectors and merges stop at SEGMENT_KB:
# optimizing every few thousand points (`IngestOptions.optimize_every`) bounds what one
# optimization holds, whatever the collection's size (bench/bench_peers.py, bench/bench_many.py).
SEGMENT_KB = 10_000  # the largest segment a merge builds (vector bytes; ~6.7k points at 384-d)
INDEXING_KB: int | None = 6_000  # segments past this many KB of vectors get HNSW (~4k at 384-d)
COLD = qe.Memory.Cold


def shard_settings() -> dict[str, Any]:
    """Shard-wide settings, recorded when a collection is created (the shard keeps them; a
    collection made before them keeps its own, and is optimized and flushed the same way).
    HNSW as Edge's defaults, with its graph Cold too."""
    return {
        "payload_memory": COLD,
        "id_tracker_memory": COLD,
        "hnsw_config": qe.HnswIndexConfig(
            m=16, ef_construct=100, full_scan_threshold=10_000, memory=COLD
        ),
        "optimizers": qe.EdgeOptimizersConfig(
            max_segment_size=SEGMENT_KB, indexing_threshold=INDEXING_KB
        ),
    }


def build(folder: Path, *, dim: int, model: str) -> None:
    """A complete collection in `folder`: the shard with its indexes, then collection.json."""
    config = qe.EdgeConfig(
        vectors={DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine, memory=COLD)},
        sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf, memory=COLD)},
        **shard_settings(),
    )
    shard = qe.EdgeShard.create(str(folder / "shard"), config)
    try:
        for field in INDEXED_FIELDS:  # Cold too: in RAM, the source index was ~0.3 KB a point
            keyword = qe.KeywordIndexParams(memory=COLD)
            shard.update(qe.UpdateOperation.create_field_index(field, keyword))
    finally:
        shard.close()
    (folder / "collection.json").write_text(
        json.dumps({"metadata": collection_metadata(model, dim)}), encoding="utf-8"
    )


def repair(root: Path) -> None:
    """Remove what a crash left half made: unfinished builds and collections without a shard
    or without collection.json (none of them holds anything a search could have found)."""
    for folder in sorted(root.iterdir()):
        if not folder.is_dir():
            continue
        unfinished = folder.name.startswith(CREATING) or not (
            (folder / "collection.json").is_file() and (folder / "shard").is_dir()
        )
        if unfinished and (folder.name.startswith(CREATING) or valid_collection_name(folder.name)):
            log.warning("removing an unfinished collection folder: %s", folder.name)
            shutil.rmtree(folder, ignore_errors=True)
