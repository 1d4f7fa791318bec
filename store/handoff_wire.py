"""The wire between the process holding an embedded store folder and the others
(`store.handoff`): where the socket lives, length-prefixed JSON frames (one call or one reply
each), and how records, vectors and errors travel in them. Each value's `*_out` (record to
JSON) stands next to its `*_in` (JSON back to the record), so the two ends cannot drift apart.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import struct
import tempfile
from array import array
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core import errors
from core.errors import RagError, StoreError
from core.records import (
    Candidate,
    Chunk,
    CollectionInfo,
    DenseQuery,
    SearchFilter,
    SourceStats,
    SparseQuery,
    StoreQuery,
)
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


# --- Frames ----------------------------------------------------------------------------------


def send(sock: socket.socket, value: object) -> None:
    body = json.dumps(value, separators=(",", ":")).encode()
    sock.sendall(_HEADER.pack(len(body)) + body)


def receive(sock: socket.socket) -> Any:
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


# --- Replies: a result, or the holder's error with its type ----------------------------------


def result_out(value: object) -> dict[str, Any]:
    return {"ok": value}


def error_out(error: Exception) -> dict[str, Any]:
    """Our own errors keep their type and message; anything else is one `StoreError` line."""
    if isinstance(error, RagError):
        return {"error": type(error).__name__, "message": str(error)}
    return {"error": "StoreError", "message": f"store call failed: {error}"}


def reply_in(reply: dict[str, Any]) -> Any:
    """The call's result, or the holder's error raised here as the same `core.errors` type."""
    if "error" in reply:
        kind = getattr(errors, str(reply["error"]), StoreError)
        raise (kind if isinstance(kind, type) and issubclass(kind, RagError) else StoreError)(
            reply["message"]
        )
    return reply["ok"]


# --- The values calls and replies carry ------------------------------------------------------


def floats_out(values: Sequence[float]) -> str:
    """Float32 bytes in base64: a fifth of the JSON text, and as exact as the store keeps them."""
    return base64.b64encode(array("f", values).tobytes()).decode()


def floats_in(text: str) -> list[float]:
    return array("f", base64.b64decode(text)).tolist()


def chunk_out(chunk: Chunk) -> dict[str, Any]:
    return {"id": chunk.id, **chunk_payload(chunk)}


def chunk_in(value: dict[str, Any]) -> Chunk:
    return payload_chunk(value.pop("id"), value)


def query_out(query: StoreQuery) -> dict[str, Any]:
    if isinstance(query, DenseQuery):
        return {"dense": floats_out(query.vector)}
    return {"indices": list(query.indices), "values": list(query.values)}


def query_in(value: dict[str, Any]) -> StoreQuery:
    if "dense" in value:
        return DenseQuery(floats_in(value["dense"]))
    return SparseQuery(value["indices"], value["values"])


def filter_out(filters: SearchFilter | None) -> dict[str, Any] | None:
    return None if filters is None else {"sources": filters.sources, "kinds": filters.kinds}


def filter_in(value: dict[str, Any] | None) -> SearchFilter | None:
    return None if value is None else SearchFilter(tuple(value["sources"]), tuple(value["kinds"]))


def info_out(info: CollectionInfo) -> dict[str, Any]:
    return asdict(info)  # every field, so one added later is not lost on the way


def info_in(value: dict[str, Any]) -> CollectionInfo:
    return CollectionInfo(**value)


def stats_out(stats: SourceStats) -> list[int]:
    return [stats.chunks, stats.pages]


def stats_in(value: list[int]) -> SourceStats:
    return SourceStats(*value)


def hit_out(hit: Candidate) -> list[Any]:
    return [hit.id, hit.score]


def hit_in(value: list[Any]) -> Candidate:
    return Candidate(value[0], value[1])
