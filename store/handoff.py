"""Sharing one embedded store folder between processes (`rag ui` serving while `rag ingest`
runs): the process that holds the folder (`EdgeStore`'s lock) answers the others' store calls
over a Unix socket, `<root>/.store.sock`, mode 0600, so only the folder's owner connects, who
could open the folder anyway (a root too deep for a socket path uses a private folder under
the temp dir). `SharedEdgeStore` is what `store.open_store` returns on the embedded default:
the folder itself when it is free, else a connection to its holder. When the holder goes away
it takes the folder over (or connects to the next holder) and repeats the call, which is safe
because every store write is idempotent (upserts by id, stamps, deletes by filter).

Why not open the shard per operation instead: Qdrant Edge locks a shard's WAL for as long as
it is loaded, so a reader cannot keep it open while another process writes, and loading it
costs 0.26 s at 10k chunks and 1.3 s at 100k (bench/bench_store_handoff.py): every
question in the UI would pay that and wait for each ingest batch. The wire (length-prefixed
JSON, one call per frame) is `store.handoff_wire`; the holder's server is `store.handoff_holder`.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from core.errors import StoreError
from core.ports import SparseTerms, VectorStore
from core.records import Candidate, Chunk, CollectionInfo, SearchFilter, SourceStats, StoreQuery
from store.edge import EdgeStore
from store.edge_disk import FolderLocked
from store.handoff_holder import serve
from store.handoff_wire import (
    HolderGone,
    chunk_in,
    chunk_out,
    filter_out,
    floats_out,
    hit_in,
    info_in,
    query_out,
    receive,
    reply_in,
    send,
    socket_path,
    stats_in,
)


class _Remote:
    """One connection to the holder; calls are serialised over it."""

    def __init__(self, root: Path) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._sock.connect(str(socket_path(root)))
        except OSError as exc:
            self._sock.close()
            raise HolderGone(str(exc)) from exc
        self._lock = threading.Lock()

    def call(self, op: str, **args: Any) -> Any:
        with self._lock:
            try:
                send(self._sock, {"op": op, "args": args})
                reply = receive(self._sock)
            except OSError as exc:
                raise HolderGone(str(exc)) from exc
        return reply_in(reply)

    def close(self) -> None:
        self._sock.close()


class SharedEdgeStore:
    """`core.ports.VectorStore` on an embedded store folder that several processes use."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self._root = root
        self._switch = threading.Lock()
        self._local: EdgeStore | None = None
        self._stop: Callable[[], None] | None = None
        self._remote: _Remote | None = None
        self._attach()

    @property
    def holds_folder(self) -> bool:
        return self._local is not None

    def _attach(self) -> None:
        """Hold the folder if it is free, else connect to its holder."""
        for _ in range(50):  # a holder may be starting or stopping right now
            try:
                self._local = EdgeStore(self._root)
            except FolderLocked:
                try:
                    self._remote = _Remote(self._root)
                    return
                except HolderGone:
                    threading.Event().wait(0.1)
                    continue
            self._stop = serve(self._local, self._root)
            return
        raise StoreError(
            f"The store at {self._root} is held by another process that does not answer; "
            "stop it, or set RAG_QDRANT_URL to a Qdrant server."
        )

    def _call(self, op: str, local: Callable[[EdgeStore], Any], **args: Any) -> Any:
        for attempt in (1, 2):
            with self._switch:
                store, remote = self._local, self._remote
            if store is not None:
                return local(store)
            assert remote is not None
            try:
                return remote.call(op, **args)
            except HolderGone:
                if attempt == 2:
                    raise StoreError("the process holding the store stopped answering") from None
                with self._switch:
                    if self._remote is remote:
                        remote.close()
                        self._remote = None
                        self._attach()
        raise AssertionError("not reached")

    def close(self) -> None:
        with self._switch:
            if self._stop is not None:
                self._stop()
                self._stop = None
            if self._local is not None:
                self._local.close()
                self._local = None
            if self._remote is not None:
                self._remote.close()
                self._remote = None

    # --- Collections -------------------------------------------------------------------------

    def collections(self) -> list[str]:
        return list(self._call("collections", lambda s: s.collections()))

    def exists(self, name: str) -> bool:
        return bool(self._call("exists", lambda s: s.exists(name), name=name))

    def collection_info(self, name: str) -> CollectionInfo:
        found = self._call("collection_info", lambda s: s.collection_info(name), name=name)
        return found if isinstance(found, CollectionInfo) else info_in(found)

    def ensure_collection(self, name: str, *, dim: int, model: str) -> None:
        self._call("ensure_collection", lambda s: s.ensure_collection(name, dim=dim, model=model),
                   name=name, dim=dim, model=model)  # fmt: skip

    def delete_collection(self, name: str) -> None:
        self._call("delete_collection", lambda s: s.delete_collection(name), name=name)

    def count(self, name: str) -> int:
        return int(self._call("count", lambda s: s.count(name), name=name))

    def optimize(self, name: str) -> None:
        self._call("optimize", lambda s: s.optimize(name), name=name)

    # --- Writing -----------------------------------------------------------------------------

    def upsert_chunks(
        self,
        name: str,
        chunks: Sequence[Chunk],
        dense_vectors: Sequence[Sequence[float]],
        sparse_vectors: Sequence[SparseTerms],
    ) -> None:
        self._call(
            "upsert_chunks",
            lambda s: s.upsert_chunks(name, chunks, dense_vectors, sparse_vectors),
            name=name,
            chunks=[chunk_out(c) for c in chunks],
            dense=[floats_out(v) for v in dense_vectors],
            sparse=[[list(i), list(v)] for i, v in sparse_vectors],
        )

    def commit_source(
        self,
        name: str,
        source: str,
        ids: Sequence[str],
        doc_hash: str,
        *,
        unstamped: Sequence[str] | None = None,
    ) -> None:
        self._call(
            "commit_source",
            lambda s: s.commit_source(name, source, ids, doc_hash, unstamped=unstamped),
            name=name, source=source, ids=list(ids), doc_hash=doc_hash,
            unstamped=None if unstamped is None else list(unstamped),
        )  # fmt: skip

    def delete_source(self, name: str, source: str) -> None:
        self._call("delete_source", lambda s: s.delete_source(name, source),
                   name=name, source=source)  # fmt: skip

    def source_states(self, name: str) -> dict[str, str]:
        return dict(self._call("source_states", lambda s: s.source_states(name), name=name))

    def source_stats(self, name: str) -> dict[str, SourceStats]:
        found = self._call("source_stats", lambda s: s.source_stats(name), name=name)
        return {k: v if isinstance(v, SourceStats) else stats_in(v) for k, v in found.items()}

    # --- Reading -----------------------------------------------------------------------------

    def chunks_of(self, name: str, source: str) -> list[Chunk]:
        found = self._call("chunks_of", lambda s: s.chunks_of(name, source),
                           name=name, source=source)  # fmt: skip
        return [c if isinstance(c, Chunk) else chunk_in(c) for c in found]

    def search(
        self,
        name: str,
        queries: Sequence[StoreQuery],
        *,
        limit: int,
        filters: SearchFilter | None = None,
    ) -> list[list[Candidate]]:
        found = self._call(
            "search",
            lambda s: s.search(name, queries, limit=limit, filters=filters),
            name=name,
            queries=[query_out(q) for q in queries],
            limit=limit,
            filters=filter_out(filters),
        )
        return [[c if isinstance(c, Candidate) else hit_in(c) for c in hits]
                for hits in found]  # fmt: skip

    def fetch(self, name: str, ids: Sequence[str]) -> dict[str, Chunk]:
        found = self._call("fetch", lambda s: s.fetch(name, ids), name=name, ids=list(ids))
        return {i: c if isinstance(c, Chunk) else chunk_in(c) for i, c in found.items()}


_: type[VectorStore] = SharedEdgeStore  # it implements the port
