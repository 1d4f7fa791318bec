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
question in the UI would pay that and wait for each ingest batch. The wire is length-prefixed
JSON, one call per frame.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import socket
import socketserver
import struct
import tempfile
import threading
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from core import errors
from core.errors import RagError, StoreError
from core.ports import SparseTerms, VectorStore
from core.records import (
    Candidate,
    Chunk,
    CollectionInfo,
    DenseQuery,
    SearchFilter,
    SourceStats,
    StoreQuery,
)
from store.edge import EdgeStore
from store.edge_disk import FolderLocked
from store.points import chunk_payload, payload_chunk

SOCKET = ".store.sock"
_HEADER = struct.Struct(">I")
_SUN_PATH = 100  # a Unix socket's path must fit in 108 bytes


def socket_path(root: Path) -> Path:
    """`<root>/.store.sock`, or for a root too deep for a socket path, a name derived from the
    root in a folder only this user may enter."""
    path = root.resolve() / SOCKET
    if len(os.fsencode(path)) <= _SUN_PATH:
        return path
    private = Path(tempfile.gettempdir()) / f"rag-store-{os.getuid()}"
    private.mkdir(mode=0o700, exist_ok=True)
    if private.stat().st_uid != os.getuid() or private.stat().st_mode & 0o077:
        raise StoreError(f"{private} must belong to you alone (mode 0700)")
    digest = hashlib.sha256(os.fsencode(root.resolve())).hexdigest()[:24]
    return private / f"{digest}.sock"


class HolderGone(ConnectionError):
    """The process holding the folder stopped answering."""


# --- Frames and the values they carry ----------------------------------------------------------


def _send(sock: socket.socket, value: object) -> None:
    body = json.dumps(value, separators=(",", ":")).encode()
    sock.sendall(_HEADER.pack(len(body)) + body)


def _receive(sock: socket.socket) -> Any:
    header = _exactly(sock, _HEADER.size)
    return json.loads(_exactly(sock, _HEADER.unpack(header)[0]))


def _exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        part = sock.recv(min(size - len(data), 1 << 20))
        if not part:
            raise HolderGone("the connection closed")
        data += part
    return bytes(data)


def _floats_out(values: Sequence[float]) -> str:
    """Float32 bytes in base64: a fifth of the JSON text, and as exact as the store keeps them."""
    return base64.b64encode(array("f", values).tobytes()).decode()


def _floats_in(text: str) -> list[float]:
    return array("f", base64.b64decode(text)).tolist()


def _chunk_out(chunk: Chunk) -> dict[str, Any]:
    return {"id": chunk.id, **chunk_payload(chunk)}


def _chunk_in(value: dict[str, Any]) -> Chunk:
    return payload_chunk(value.pop("id"), value)


def _query_out(query: StoreQuery) -> dict[str, Any]:
    if isinstance(query, DenseQuery):
        return {"dense": _floats_out(query.vector)}
    return {"indices": list(query.indices), "values": list(query.values)}


def _query_in(value: dict[str, Any]) -> StoreQuery:
    from core.records import SparseQuery

    if "dense" in value:
        return DenseQuery(_floats_in(value["dense"]))
    return SparseQuery(value["indices"], value["values"])


def _filter_out(filters: SearchFilter | None) -> dict[str, Any] | None:
    return None if filters is None else {"sources": filters.sources, "kinds": filters.kinds}


def _filter_in(value: dict[str, Any] | None) -> SearchFilter | None:
    return None if value is None else SearchFilter(tuple(value["sources"]), tuple(value["kinds"]))


# --- The holder's side ---------------------------------------------------------------------------


def _dispatch(store: EdgeStore, op: str, a: dict[str, Any]) -> Any:
    if op == "collections":
        return store.collections()
    if op in ("exists", "count", "source_states", "delete_collection", "optimize"):
        return getattr(store, op)(a["name"])
    if op == "collection_info":
        info = store.collection_info(a["name"])
        return {"embed_model": info.embed_model, "dim": info.dim}
    if op == "ensure_collection":
        return store.ensure_collection(a["name"], dim=a["dim"], model=a["model"])
    if op == "upsert_chunks":
        chunks = [_chunk_in(c) for c in a["chunks"]]
        sparse = [(i, v) for i, v in a["sparse"]]
        dense = [_floats_in(v) for v in a["dense"]]
        return store.upsert_chunks(a["name"], chunks, dense, sparse)
    if op == "commit_source":
        return store.commit_source(a["name"], a["source"], a["ids"], a["doc_hash"])
    if op == "delete_source":
        return store.delete_source(a["name"], a["source"])
    if op == "source_stats":
        return {k: [v.chunks, v.pages] for k, v in store.source_stats(a["name"]).items()}
    if op == "chunks_of":
        return [_chunk_out(c) for c in store.chunks_of(a["name"], a["source"])]
    if op == "search":
        queries = [_query_in(q) for q in a["queries"]]
        found = store.search(a["name"], queries, limit=a["limit"], filters=_filter_in(a["filters"]))
        return [[[c.id, c.score] for c in hits] for hits in found]
    if op == "fetch":
        return {i: _chunk_out(c) for i, c in store.fetch(a["name"], a["ids"]).items()}
    raise StoreError(f"unknown store operation {op!r}")


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str, store: EdgeStore) -> None:
        super().__init__(path, _Handler)
        self.store = store
        self.connections: set[socket.socket] = set()
        self.guard = threading.Lock()

    def hang_up(self) -> None:
        """End every open connection: its client then takes the folder over or finds the next
        holder."""
        with self.guard:
            for connection in self.connections:
                with contextlib.suppress(OSError):  # already closed by its client
                    connection.shutdown(socket.SHUT_RDWR)
            self.connections.clear()


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def setup(self) -> None:
        with self.server.guard:
            self.server.connections.add(self.request)

    def finish(self) -> None:
        with self.server.guard:
            self.server.connections.discard(self.request)

    def handle(self) -> None:
        store = self.server.store
        while True:
            try:
                request = _receive(self.request)
            except (HolderGone, OSError):
                return
            try:
                reply: dict[str, Any] = {"ok": _dispatch(store, request["op"], request["args"])}
            except RagError as error:
                reply = {"error": type(error).__name__, "message": str(error)}
            except Exception as error:  # the caller gets one line; this process keeps serving
                reply = {"error": "StoreError", "message": f"store call failed: {error}"}
            _send(self.request, reply)


def serve(store: EdgeStore, root: Path) -> Callable[[], None]:
    """Answer other processes' calls on `root`'s socket; returns the function that stops it."""
    path = socket_path(root)
    path.unlink(missing_ok=True)  # left by a holder that died: we hold the lock now
    old = os.umask(0o077)
    try:
        server = _Server(str(path), store)
    finally:
        os.umask(old)
    thread = threading.Thread(target=server.serve_forever, name="store-handoff", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        server.hang_up()
        path.unlink(missing_ok=True)

    return stop


# --- The other processes' side -------------------------------------------------------------------


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
                _send(self._sock, {"op": op, "args": args})
                reply = _receive(self._sock)
            except OSError as exc:
                raise HolderGone(str(exc)) from exc
        if "error" in reply:
            kind = getattr(errors, str(reply["error"]), StoreError)
            raise (kind if isinstance(kind, type) and issubclass(kind, RagError) else StoreError)(
                reply["message"]
            )
        return reply["ok"]

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
        return found if isinstance(found, CollectionInfo) else CollectionInfo(**found)

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
            chunks=[_chunk_out(c) for c in chunks],
            dense=[_floats_out(v) for v in dense_vectors],
            sparse=[[list(i), list(v)] for i, v in sparse_vectors],
        )

    def commit_source(self, name: str, source: str, ids: Sequence[str], doc_hash: str) -> None:
        self._call("commit_source", lambda s: s.commit_source(name, source, ids, doc_hash),
                   name=name, source=source, ids=list(ids), doc_hash=doc_hash)  # fmt: skip

    def delete_source(self, name: str, source: str) -> None:
        self._call("delete_source", lambda s: s.delete_source(name, source),
                   name=name, source=source)  # fmt: skip

    def source_states(self, name: str) -> dict[str, str]:
        return dict(self._call("source_states", lambda s: s.source_states(name), name=name))

    def source_stats(self, name: str) -> dict[str, SourceStats]:
        found = self._call("source_stats", lambda s: s.source_stats(name), name=name)
        return {k: v if isinstance(v, SourceStats) else SourceStats(*v) for k, v in found.items()}

    # --- Reading -----------------------------------------------------------------------------

    def chunks_of(self, name: str, source: str) -> list[Chunk]:
        found = self._call("chunks_of", lambda s: s.chunks_of(name, source),
                           name=name, source=source)  # fmt: skip
        return [c if isinstance(c, Chunk) else _chunk_in(c) for c in found]

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
            queries=[_query_out(q) for q in queries],
            limit=limit,
            filters=_filter_out(filters),
        )
        return [[c if isinstance(c, Candidate) else Candidate(c[0], c[1]) for c in hits]
                for hits in found]  # fmt: skip

    def fetch(self, name: str, ids: Sequence[str]) -> dict[str, Chunk]:
        found = self._call("fetch", lambda s: s.fetch(name, ids), name=name, ids=list(ids))
        return {i: c if isinstance(c, Chunk) else _chunk_in(c) for i, c in found.items()}


_: type[VectorStore] = SharedEdgeStore  # it implements the port
