"""One embedded store folder, several processes: `rag ingest` in a subprocess while this process
holds the folder and keeps answering; and a client that outlives its holder takes over."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.records import Chunk, DenseQuery, SearchFilter, SourceStats, SparseQuery, chunk_id
from store import open_store
from store.edge import EdgeStore
from store.edge_disk import FolderLocked
from store.handoff import SharedEdgeStore
from store.handoff_wire import socket_path
from tests.conftest import REPO, bm25
from tests.fakes.embedder import HashEmbedder
from tests.fakes.fake_hub import FakeHub, serve
from text import sparse

TOKEN = "eyJhbGciOiJIUzI1NiJ9.handoff-test.signature"


def _cli_env(tmp_path: Path, base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "IONOS_"))}
    env.update(
        RAG_BACKEND="remote", IONOS_BASE_URL=base_url, IONOS_API_TOKEN=TOKEN,
        RAG_STORE_PATH=str(tmp_path / "qdrant"), RAG_EMBED_MODEL="BAAI/bge-m3",
        RAG_CHAT_MODEL="meta-llama/Llama-3.3-70B-Instruct", RAG_COLLECTION="handbook",
        PYTHONPATH=str(REPO),
    )  # fmt: skip
    return env


def test_handoff_cli_ingest_while_another_process_answers(tmp_path: Path) -> None:
    doc = tmp_path / "urlaub.md"
    doc.write_text("# Urlaub\n\nVollzeitkräfte erhalten 30 Tage Urlaub im Jahr.\n", "utf-8")
    holder = open_store(url=None, api_key=None, path=tmp_path / "qdrant")  # the UI's process
    assert isinstance(holder, SharedEdgeStore) and holder.holds_folder
    answered, failures, done = [], [], threading.Event()

    def keep_answering() -> None:
        while not done.is_set():
            try:
                holder.search("handbook", [SparseQuery([1, 2], [1.0, 1.0])], limit=3)
                answered.append(holder.count("handbook"))
            except Exception as error:
                failures.append(error)

    reader = threading.Thread(target=keep_answering)
    reader.start()
    try:
        with serve(FakeHub(token=TOKEN)) as base_url:
            run = subprocess.run(
                [sys.executable, "-m", "app.cli.main", "ingest", str(doc)],
                env=_cli_env(tmp_path, base_url), cwd=tmp_path, capture_output=True,
                text=True, timeout=180,
            )  # fmt: skip
    finally:
        done.set()
        reader.join()
    assert run.returncode == 0, run.stderr
    assert "in use by another process" not in run.stderr
    assert failures == [] and answered  # the holder answered all along
    assert holder.holds_folder  # it never let go
    ((source, doc_hash),) = holder.source_states("handbook").items()  # the new file, complete
    assert doc_hash and any("30 Tage" in c.text for c in holder.chunks_of("handbook", source))
    holder.close()


def _chunks() -> list[Chunk]:
    texts = ["the cat sat on the mat", "quarterly revenue grew by ten percent"]
    return [
        Chunk(chunk_id("a.md", i, t), "a.md", "A", "markdown", t, i) for i, t in enumerate(texts)
    ]


def test_handoff_client_calls_match_the_holder_and_survive_its_exit(tmp_path: Path) -> None:
    embedder, root = HashEmbedder(), tmp_path / "qdrant"
    holder = SharedEdgeStore(root)
    client = SharedEdgeStore(root)  # the folder is held: this one talks to the holder
    assert holder.holds_folder and not client.holds_folder
    chunks = _chunks()
    client.ensure_collection("c", dim=embedder.dim, model=embedder.model)
    client.upsert_chunks(
        "c", chunks, embedder.embed_documents([c.text for c in chunks]), bm25(chunks)
    )
    client.commit_source("c", "a.md", [c.id for c in chunks], "h1")
    query = [DenseQuery(embedder.embed_query("revenue")), SparseQuery([3], [1.0])]
    only = SearchFilter(sources=("a.md",))
    assert client.search("c", query, limit=2, filters=only) == holder.search(
        "c", query, limit=2, filters=only
    )
    assert client.chunks_of("c", "a.md") == holder.chunks_of("c", "a.md")
    assert client.fetch("c", [chunks[0].id]) == {chunks[0].id: holder.chunks_of("c", "a.md")[0]}
    assert client.source_states("c") == {"a.md": "h1"} and client.collection_info("c").dim == 64
    assert client.source_stats("c") == holder.source_stats("c") == {"a.md": SourceStats(2, 0)}
    with pytest.raises(ConfigError, match="was indexed with"):  # the holder's error, its type
        client.ensure_collection("c", dim=3, model="other")
    holder.close()  # the UI stops; the client goes on
    assert client.count("c") == 2 and client.holds_folder
    with pytest.raises(FolderLocked):
        EdgeStore(root)
    client.close()


def test_handoff_socket_of_a_deep_folder_stays_private(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    path = socket_path(deep)
    assert len(os.fsencode(path)) <= 100 and path.parent.stat().st_mode & 0o077 == 0
    store = SharedEdgeStore(deep)
    assert path.exists() and path.stat().st_mode & 0o077 == 0
    other = SharedEdgeStore(deep)
    assert other.count("none") == 0 and not other.holds_folder
    other.close()
    store.close()
    assert not path.exists()


def test_handoff_client_collection_info_keeps_every_field_of_the_holders(tmp_path: Path) -> None:
    """A client's `rag ask` checks the BM25 scheme the collection recorded; dropping it on the
    wire made every hybrid question fail as "indexed by an older version" while `rag ui` ran."""
    root = tmp_path / "qdrant"
    holder, client = SharedEdgeStore(root), SharedEdgeStore(root)
    holder.ensure_collection("c", dim=4, model="m")
    info = client.collection_info("c")
    assert info == holder.collection_info("c") and info.sparse_matches(sparse.SCHEME)
    client.close()
    holder.close()
