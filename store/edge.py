"""`EdgeStore`: the vector store on Qdrant Edge (`qdrant-edge-py`), Qdrant's own search engine
in-process, the product's default. qdrant-client's local mode is plain Python and numpy: hybrid
search over 100k chunks takes about a second there, against milliseconds here (see
bench/bench_retrieval.py); a Qdrant server stays the production path (`RAG_QDRANT_URL`,
`store.qdrant`).

On disk: `<root>/<collection>/collection.json` (the metadata recorded at creation) beside
`<root>/<collection>/shard/`. One process at a time holds the root (a lock file), as
qdrant-client's local mode does; `store.handoff.SharedEdgeStore` lets the other processes
use the folder through the one that holds it.

Many sessions of one process share one `EdgeStore`. Writes (create, upsert, commit, delete)
take the store's lock, one at a time; reads do not: a loaded shard answers queries while
another thread writes (Qdrant Edge locks its segments inside). A shard is loaded once, under
the lock (a second load of the same shard fails on its WAL lock). A collection is built in
`<root>/.creating-<name>-<random>/` and renamed into place once its `collection.json` is
written, so it either exists whole or not at all; a folder left by a crash (a `.creating-*`
folder, or a collection folder missing its `collection.json` or its shard) is removed when the
store opens.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import qdrant_edge as qe

from core.errors import StoreError
from core.names import RULE as NAME_RULE
from core.names import valid_collection_name
from core.ports import SparseTerms
from core.records import (
    Candidate,
    Chunk,
    CollectionInfo,
    DenseQuery,
    SearchFilter,
    SourceStats,
    StoreQuery,
)
from store.edge_disk import CREATING, build, lock_folder, repair
from store.points import (
    DENSE,
    SCROLL_PAGE,
    SPARSE,
    UPSERT_BATCH,
    check_lengths,
    check_same_model,
    chunk_payload,
    filter_conditions,
    merge_state,
    merge_stats,
    metadata_info,
    payload_chunk,
)
from store.residency import page_out, trim_heap

log = logging.getLogger(__name__)

# A scroll over a whole collection (an ingest's `source_states`, the document manager's
# `source_stats`) hands the pages it read back to the kernel every this many points.
PAGE_OUT_POINTS = 8192


def _filter(filters: SearchFilter | None) -> qe.Filter | None:
    must: list[Any] = [
        qe.FieldCondition(key=key, match=qe.MatchAny(values))
        for key, values in filter_conditions(filters)
    ]
    return qe.Filter(must=must) if must else None


def _source_filter(source: str, *, keep: Sequence[str] = ()) -> qe.Filter:
    """The source's points, except those in `keep`."""
    return qe.Filter(
        must=[qe.FieldCondition(key="source", match=qe.MatchValue(source))],
        must_not=[qe.HasIdCondition(set(keep))] if keep else None,
    )


class EdgeStore:
    """`core.ports.VectorStore` as collections of Qdrant Edge shards under one folder."""

    def __init__(self, root: Path) -> None:
        """Raises `FolderLocked` when another process holds `root`."""
        root.mkdir(parents=True, exist_ok=True)
        self._root = root
        self._lock = lock_folder(root)
        self._write = threading.RLock()  # one writer at a time; loading a shard counts as one
        self._shards: dict[str, qe.EdgeShard] = {}
        self._closed = False
        repair(root)

    def close(self) -> None:
        with self._write:
            self._closed = True
            for shard in self._shards.values():
                shard.close()
            self._shards.clear()
            if self._lock is not None:
                self._lock.close()
                self._lock = None

    # --- Collections -------------------------------------------------------------------------

    def _folder(self, name: str) -> Path:
        if not valid_collection_name(name):  # full match: "finance\n" is not "finance"
            raise StoreError(f"invalid collection name {name!r}: use {NAME_RULE}")
        return self._root / name

    def _shard(self, name: str) -> qe.EdgeShard:
        shard = self._shards.get(name)
        if shard is not None:
            return shard
        with self._write:
            shard = self._shards.get(name)  # another thread may have loaded it meanwhile
            if self._closed:
                raise StoreError("the store is closed")
            if shard is None:
                if not self.exists(name):
                    raise StoreError(f"collection {name!r} does not exist")
                shard = qe.EdgeShard.load(str(self._folder(name) / "shard"))
                self._shards[name] = shard
            return shard

    def collections(self) -> list[str]:
        return sorted(p.parent.name for p in self._root.glob("*/collection.json"))

    def exists(self, name: str) -> bool:
        return (self._folder(name) / "collection.json").is_file()

    def collection_info(self, name: str) -> CollectionInfo:
        if not self.exists(name):
            raise StoreError(f"collection {name!r} does not exist")
        saved = json.loads((self._folder(name) / "collection.json").read_text(encoding="utf-8"))
        return metadata_info(saved.get("metadata"))

    def ensure_collection(self, name: str, *, dim: int, model: str) -> None:
        folder = self._folder(name)
        with self._write:
            if self.exists(name):
                check_same_model(name, self.collection_info(name), dim=dim, model=model)
                return
            if folder.exists():
                shutil.rmtree(folder)  # a half-made collection from an interrupted create
            building = self._root / f"{CREATING}{name}-{uuid.uuid4().hex[:8]}"
            try:
                build(building, dim=dim, model=model)
                building.rename(folder)  # whole, or not there at all
            finally:
                if building.exists():
                    shutil.rmtree(building, ignore_errors=True)

    def delete_collection(self, name: str) -> None:
        folder = self._folder(name)
        with self._write:
            shard = self._shards.pop(name, None)
            if shard is not None:
                shard.close()
            if folder.exists():
                shutil.rmtree(folder)

    def count(self, name: str) -> int:
        if not self.exists(name):
            return 0
        return int(self._shard(name).count(qe.CountRequest(exact=True)))

    def optimize(self, name: str) -> None:
        """Index what was written (blocking), then flush: the segments an optimization replaced
        stay mapped (resident) until a flush drops them; then hand the pages of the shard's
        files, and the heap the optimization freed, back to the kernel (`store.residency`).
        The pages the writes since the last one touched go back first: the optimization's own
        build then starts from less (1,214 pages of PDFs: peak RSS 175 -> 159 MB).
        Unindexed segments are searched by brute force (dense 11 ms at 100k chunks, 2.7 ms
        once indexed). Edge's binding holds Python's lock meanwhile: other threads of this
        process wait (0.4 ms per point here)."""
        if self.exists(name):
            with self._write:
                shard = self._shard(name)
                shard.flush()  # so the pages written go back clean
                page_out(self._folder(name))
                shard.optimize()
                shard.flush()
                page_out(self._folder(name))
                trim_heap()

    # --- Writing -----------------------------------------------------------------------------

    def upsert_chunks(
        self,
        name: str,
        chunks: Sequence[Chunk],
        dense_vectors: Sequence[Sequence[float]],
        sparse_vectors: Sequence[SparseTerms],
    ) -> None:
        check_lengths(len(chunks), len(dense_vectors), len(sparse_vectors))
        with self._write:
            self._upsert(self._shard(name), chunks, dense_vectors, sparse_vectors)

    @staticmethod
    def _upsert(
        shard: qe.EdgeShard,
        chunks: Sequence[Chunk],
        dense_vectors: Sequence[Sequence[float]],
        sparse_vectors: Sequence[SparseTerms],
    ) -> None:
        for start in range(0, len(chunks), UPSERT_BATCH):
            end = start + UPSERT_BATCH
            points = [
                qe.Point(
                    chunk.id,
                    {DENSE: [float(x) for x in vector],
                     SPARSE: qe.SparseVector(list(indices), list(values))},
                    chunk_payload(chunk),
                )
                for chunk, vector, (indices, values) in zip(
                    chunks[start:end], dense_vectors[start:end], sparse_vectors[start:end],
                    strict=True,
                )
            ]  # fmt: skip
            shard.update(qe.UpdateOperation.upsert_points(points))

    def commit_source(
        self,
        name: str,
        source: str,
        ids: Sequence[str],
        doc_hash: str,
        *,
        unstamped: Sequence[str] | None = None,
    ) -> None:
        step, stamp = UPSERT_BATCH * 4, ids if unstamped is None else unstamped
        with self._write:
            shard = self._shard(name)
            for start in range(0, len(stamp), step):
                batch: list[Any] = list(stamp[start : start + step])
                shard.update(qe.UpdateOperation.set_payload(batch, {"doc_hash": doc_hash}))
            stale = _source_filter(source, keep=ids)
            shard.update(qe.UpdateOperation.delete_points_by_filter(stale))

    def delete_source(self, name: str, source: str) -> None:
        with self._write:
            shard = self._shard(name)
            shard.update(qe.UpdateOperation.delete_points_by_filter(_source_filter(source)))

    def source_states(self, name: str) -> dict[str, str]:
        if not self.exists(name):
            return {}
        states: dict[str, str] = {}
        for payload in self._scroll(name, ["source", "doc_hash"]):
            merge_state(states, payload)
        return states

    def source_stats(self, name: str) -> dict[str, SourceStats]:
        if not self.exists(name):
            return {}
        stats: dict[str, SourceStats] = {}
        for payload in self._scroll(name, ["source", "page_start", "page_end"]):
            merge_stats(stats, payload)
        return stats

    # --- Reading -----------------------------------------------------------------------------

    def _scroll(self, name: str, fields: list[str]) -> Iterator[dict[str, Any]]:
        """`fields` of every point. Edge reads a point's whole payload (its text too) to give
        any field of it, so a scroll maps in the collection's payload files: every
        `PAGE_OUT_POINTS` and at the end, their pages go back to the kernel
        (`store.residency`)."""
        shard, offset, read = self._shard(name), None, 0
        try:
            while True:
                request = qe.ScrollRequest(
                    offset=offset, limit=SCROLL_PAGE, with_payload=fields, with_vector=False
                )
                records, offset = shard.scroll(request)
                for record in records:
                    yield record.payload or {}
                read += len(records)
                if offset is None:
                    return
                if read >= PAGE_OUT_POINTS:
                    page_out(self._folder(name))
                    read = 0
        finally:
            page_out(self._folder(name))

    def chunks_of(self, name: str, source: str) -> list[Chunk]:
        request = qe.ScrollRequest(
            limit=10_000, filter=_source_filter(source), with_payload=True, with_vector=False
        )
        records, _ = self._shard(name).scroll(request)
        return sorted(
            (payload_chunk(r.id, r.payload or {}) for r in records), key=lambda c: c.position
        )

    def search(
        self,
        name: str,
        queries: Sequence[StoreQuery],
        *,
        limit: int,
        filters: SearchFilter | None = None,
    ) -> list[list[Candidate]]:
        found: list[list[Candidate]] = [[] for _ in queries]
        if not self.exists(name):
            return found
        asked: list[int] = []
        requests: list[qe.QueryRequest] = []
        for i, query in enumerate(queries):
            if isinstance(query, DenseQuery):
                nearest = qe.Query.Nearest([float(x) for x in query.vector], using=DENSE)
            elif query.indices:
                vector = qe.SparseVector(list(query.indices), list(query.values))
                nearest = qe.Query.Nearest(vector, using=SPARSE)
            else:
                continue  # a sparse query without terms finds nothing
            asked.append(i)
            requests.append(qe.QueryRequest(
                limit=limit, query=nearest, filter=_filter(filters), with_payload=False,
            ))  # fmt: skip
        if requests:
            answers = self._shard(name).query_batch(qe.QueryBatchRequest(requests))
            for i, points in zip(asked, answers, strict=True):
                found[i] = [Candidate(str(p.id), float(p.score)) for p in points]
        return found

    def fetch(self, name: str, ids: Sequence[str]) -> dict[str, Chunk]:
        if not ids or not self.exists(name):
            return {}
        records = self._shard(name).retrieve(list(ids), with_payload=True, with_vector=False)
        return {str(r.id): payload_chunk(r.id, r.payload or {}) for r in records}
