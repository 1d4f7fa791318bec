"""The embedded engine: Qdrant Edge (`qdrant-edge-py`), Qdrant's own search engine in-process.

`EdgeClient` offers the part of `qdrant_client.QdrantClient` that `VectorStore` uses
(collections with metadata, upsert, delete by filter, scroll, count, query and batched query),
taking and returning the same shapes, so `VectorStore` runs unchanged on either. qdrant-client's
own local mode is plain Python and numpy: hybrid search over 100k chunks takes about a second
there, against milliseconds here (see bench/bench_retrieval.py); a Qdrant server stays the
production path (`RAG_QDRANT_URL`).

On disk: `<root>/<collection>/collection.json` (vector parameters and the metadata recorded at
creation) beside `<root>/<collection>/shard/`. One process at a time holds the root (a lock
file), as qdrant-client's local mode does.

Keep `VectorStore` to the methods below; a new client call needs its twin here (the store tests
run against both engines).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

import qdrant_edge as qe
from qdrant_client import models as qm

from core.errors import StoreError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_DISTANCE = {qm.Distance.COSINE: qe.Distance.Cosine, qm.Distance.DOT: qe.Distance.Dot,
             qm.Distance.EUCLID: qe.Distance.Euclid}  # fmt: skip
_SCHEMA = {qm.PayloadSchemaType.KEYWORD: qe.PayloadSchemaType.Keyword,
           qm.PayloadSchemaType.INTEGER: qe.PayloadSchemaType.Integer}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Hit:
    id: Any
    score: float
    payload: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Response:
    points: list[Hit] = field(default_factory=list)


def _lock(root: Path) -> IO[str] | None:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one process is the user's job
        return None
    handle = (root / ".lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        handle.close()
        raise RuntimeError(f"{root} is locked by another process") from exc
    return handle


def _condition(condition: Any) -> Any:
    if isinstance(condition, qm.Filter):
        return _filter(condition)
    if isinstance(condition, qm.HasIdCondition):
        return qe.HasIdCondition(set(condition.has_id))
    if isinstance(condition, qm.FieldCondition):
        match = condition.match
        if isinstance(match, qm.MatchAny):
            values: list[str] | list[int] = list(match.any)  # type: ignore[assignment]
            return qe.FieldCondition(key=condition.key, match=qe.MatchAny(values))
        if isinstance(match, qm.MatchValue):
            return qe.FieldCondition(key=condition.key, match=qe.MatchValue(match.value))
    raise StoreError(f"the embedded engine does not translate {type(condition).__name__}")


def _filter(value: qm.Filter | None) -> qe.Filter | None:
    if value is None:
        return None

    def conditions(part: Any) -> list[Any] | None:
        if part is None:
            return None
        items = part if isinstance(part, list) else [part]
        return [_condition(c) for c in items] or None

    return qe.Filter(must=conditions(value.must), must_not=conditions(value.must_not),
                     should=conditions(value.should))  # fmt: skip


def _vector(value: Any) -> Any:
    if isinstance(value, qm.SparseVector):
        return qe.SparseVector(list(value.indices), list(value.values))
    return [float(x) for x in value]


def _request(query: Any, using: str | None, limit: int, query_filter: Any) -> qe.QueryRequest:
    return qe.QueryRequest(
        limit=limit,
        query=qe.Query.Nearest(_vector(query), using=using),
        filter=_filter(query_filter),
        with_payload=True,
    )


def _hits(points: Sequence[Any]) -> Response:
    return Response([Hit(p.id, float(p.score), p.payload) for p in points])


class EdgeClient:
    """Collections of Qdrant Edge shards under one folder, behind qdrant-client's method names."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self._root = root
        self._lock = _lock(root)
        self._shards: dict[str, qe.EdgeShard] = {}

    # --- Collections -------------------------------------------------------------------------

    def _folder(self, name: str) -> Path:
        if not _NAME.match(name):
            raise StoreError(f"invalid collection name {name!r}: use letters, digits, _ . -")
        return self._root / name

    def _shard(self, name: str) -> qe.EdgeShard:
        shard = self._shards.get(name)
        if shard is None:
            if not self.collection_exists(name):
                raise StoreError(f"collection {name!r} does not exist")
            shard = qe.EdgeShard.load(str(self._folder(name) / "shard"))
            self._shards[name] = shard
        return shard

    def collection_exists(self, name: str) -> bool:
        return (self._folder(name) / "collection.json").is_file()

    def get_collections(self) -> SimpleNamespace:
        names = sorted(p.parent.name for p in self._root.glob("*/collection.json"))
        return SimpleNamespace(collections=[SimpleNamespace(name=n) for n in names])

    def get_collection(self, name: str) -> SimpleNamespace:
        if not self.collection_exists(name):
            raise StoreError(f"collection {name!r} does not exist")
        saved = json.loads((self._folder(name) / "collection.json").read_text(encoding="utf-8"))
        return SimpleNamespace(config=SimpleNamespace(metadata=saved.get("metadata") or {}))

    def create_collection(
        self,
        name: str,
        *,
        vectors_config: dict[str, qm.VectorParams],
        sparse_vectors_config: dict[str, qm.SparseVectorParams] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> bool:
        folder = self._folder(name)
        if folder.exists():
            shutil.rmtree(folder)  # a half-made collection from an interrupted create
        dense = {
            key: qe.EdgeVectorParams(size=p.size, distance=_DISTANCE[p.distance])
            for key, p in vectors_config.items()
        }
        sparse = {
            key: qe.EdgeSparseVectorParams(
                modifier=qe.Modifier.Idf if p.modifier == qm.Modifier.IDF else None
            )
            for key, p in (sparse_vectors_config or {}).items()
        }
        self._shards[name] = qe.EdgeShard.create(
            str(folder / "shard"), qe.EdgeConfig(vectors=dense, sparse_vectors=sparse)
        )
        (folder / "collection.json").write_text(
            json.dumps({"metadata": metadata or {}}), encoding="utf-8"
        )  # written last: a collection exists once it is complete
        return True

    def create_payload_index(self, name: str, field_name: str, schema: Any) -> None:
        self._shard(name).update(qe.UpdateOperation.create_field_index(field_name, _SCHEMA[schema]))

    def delete_collection(self, name: str) -> bool:
        shard = self._shards.pop(name, None)
        if shard is not None:
            shard.close()
        folder = self._folder(name)
        if not folder.exists():
            return False
        shutil.rmtree(folder)
        return True

    def count(self, name: str, *, exact: bool = True, count_filter: Any = None) -> SimpleNamespace:
        request = qe.CountRequest(exact=exact, filter=_filter(count_filter))
        return SimpleNamespace(count=self._shard(name).count(request))

    # --- Writing -----------------------------------------------------------------------------

    def upsert(self, name: str, *, points: Sequence[qm.PointStruct], wait: bool = True) -> None:
        converted = [
            qe.Point(
                str(p.id),
                {key: _vector(value) for key, value in (p.vector or {}).items()},  # type: ignore[union-attr]
                p.payload or {},
            )
            for p in points
        ]
        self._shard(name).update(qe.UpdateOperation.upsert_points(converted))

    def set_payload(
        self, name: str, *, payload: dict[str, Any], points: Sequence[Any], wait: bool = True
    ) -> None:
        ids: list[Any] = [str(i) for i in points]
        self._shard(name).update(qe.UpdateOperation.set_payload(ids, payload))

    def delete(self, name: str, *, points_selector: Any, wait: bool = True) -> None:
        shard = self._shard(name)
        if isinstance(points_selector, qm.FilterSelector):
            selected = _filter(points_selector.filter)
            if selected is None:
                raise StoreError("refusing to delete every point: the filter is empty")
            shard.update(qe.UpdateOperation.delete_points_by_filter(selected))
        elif isinstance(points_selector, qm.PointIdsList):
            shard.update(qe.UpdateOperation.delete_points([str(i) for i in points_selector.points]))
        else:
            shard.update(qe.UpdateOperation.delete_points([str(i) for i in points_selector]))

    # --- Reading -----------------------------------------------------------------------------

    def scroll(
        self,
        name: str,
        *,
        scroll_filter: Any = None,
        limit: int = 10,
        offset: Any = None,
        with_payload: Any = True,
        with_vectors: bool = False,
    ) -> tuple[list[Hit], Any]:
        request = qe.ScrollRequest(offset=offset, limit=limit, filter=_filter(scroll_filter),
                                   with_payload=with_payload, with_vector=with_vectors)  # fmt: skip
        records, next_offset = self._shard(name).scroll(request)
        return [Hit(r.id, 0.0, r.payload) for r in records], next_offset

    def retrieve(self, name: str, ids: Sequence[Any], *, with_payload: Any = True) -> list[Hit]:
        records = self._shard(name).retrieve(
            [str(i) for i in ids], with_payload=with_payload, with_vector=False
        )
        return [Hit(r.id, 0.0, r.payload) for r in records]

    def query_points(
        self,
        name: str,
        *,
        query: Any,
        using: str | None = None,
        limit: int = 10,
        query_filter: Any = None,
        with_payload: Any = True,
    ) -> Response:
        return _hits(self._shard(name).query(_request(query, using, limit, query_filter)))

    def query_batch_points(
        self, name: str, *, requests: Sequence[qm.QueryRequest]
    ) -> list[Response]:
        batch = qe.QueryBatchRequest(
            [_request(r.query, r.using, r.limit or 10, r.filter) for r in requests]
        )
        return [_hits(points) for points in self._shard(name).query_batch(batch)]

    def optimize(self, name: str) -> bool:
        """Build the indexes of a grown collection (blocking); searches work without it."""
        return bool(self._shard(name).optimize())

    def close(self) -> None:
        for shard in self._shards.values():
            shard.close()
        self._shards.clear()
        if self._lock is not None:
            self._lock.close()
            self._lock = None
