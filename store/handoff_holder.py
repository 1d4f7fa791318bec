"""The holder's side of `store.handoff`: the process that holds an embedded store folder answers
the other processes' store calls on the folder's socket (`store.handoff_wire.socket_path`,
mode 0600), one thread per connection, until `serve`'s stop function ends them all."""

from __future__ import annotations

import contextlib
import os
import socket
import socketserver
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.errors import StoreError
from store.edge import EdgeStore
from store.handoff_wire import (
    HolderGone,
    chunk_in,
    chunk_out,
    error_out,
    filter_in,
    floats_in,
    hit_out,
    info_out,
    query_in,
    receive,
    result_out,
    send,
    socket_path,
    stats_out,
)


def _dispatch(store: EdgeStore, op: str, a: dict[str, Any]) -> Any:
    if op == "collections":
        return store.collections()
    if op in ("exists", "count", "source_states", "delete_collection", "optimize"):
        return getattr(store, op)(a["name"])
    if op == "collection_info":
        return info_out(store.collection_info(a["name"]))
    if op == "ensure_collection":
        return store.ensure_collection(a["name"], dim=a["dim"], model=a["model"])
    if op == "upsert_chunks":
        chunks = [chunk_in(c) for c in a["chunks"]]
        sparse = [(i, v) for i, v in a["sparse"]]
        dense = [floats_in(v) for v in a["dense"]]
        return store.upsert_chunks(a["name"], chunks, dense, sparse)
    if op == "commit_source":
        return store.commit_source(
            a["name"], a["source"], a["ids"], a["doc_hash"], unstamped=a.get("unstamped")
        )
    if op == "delete_source":
        return store.delete_source(a["name"], a["source"])
    if op == "source_stats":
        return {k: stats_out(v) for k, v in store.source_stats(a["name"]).items()}
    if op == "chunks_of":
        return [chunk_out(c) for c in store.chunks_of(a["name"], a["source"])]
    if op == "search":
        queries = [query_in(q) for q in a["queries"]]
        found = store.search(a["name"], queries, limit=a["limit"], filters=filter_in(a["filters"]))
        return [[hit_out(c) for c in hits] for hits in found]
    if op == "fetch":
        return {i: chunk_out(c) for i, c in store.fetch(a["name"], a["ids"]).items()}
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
                request = receive(self.request)
            except (HolderGone, OSError):
                return
            try:
                reply = result_out(_dispatch(store, request["op"], request["args"]))
            except Exception as error:  # the caller gets one line; this process keeps serving
                reply = error_out(error)
            send(self.request, reply)


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
