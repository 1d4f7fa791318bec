"""What sharing the embedded store between processes costs, and what the alternative would.

    .venv/bin/python bench/bench_store_handoff.py [--sizes 10000 100000] [--queries 100]

For each size: builds a synthetic collection (bench_retrieval's corpus) with Qdrant Edge,
then prints
  reopen ms   opening the folder and loading the shard (first count), what a design that
              opens the store per operation would pay on every question;
  local ms    p50 of a hybrid search (dense + BM25 batch) in the holding process;
  socket ms   p50 of the same search from a second `SharedEdgeStore` talking to the holder
              over its Unix socket (`store.handoff`), what `rag ask` pays while `rag ui` runs;
  upsert ms   256 chunks written through the socket, p50 of 10 batches, against local.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_retrieval import build, corpus

from core.records import Chunk, DenseQuery, SparseQuery, chunk_id
from rag.eval.metrics import percentile
from store.edge import EdgeStore
from store.handoff import SharedEdgeStore
from text import sparse


def _ms(seconds: list[float]) -> float:
    return percentile([s * 1000 for s in seconds], 50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    print(f"{'chunks':>8}{'reopen ms':>11}{'local ms':>10}{'socket ms':>11}"
          f"{'upsert local ms':>17}{'upsert socket ms':>18}")  # fmt: skip
    for size in args.sizes:
        texts, vectors = corpus(size)
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            built = build("edge", texts, vectors, root)
            built.optimize("bench")
            built.close()
            started = time.perf_counter()
            reopened = EdgeStore(root)
            reopened.count("bench")
            reopen = time.perf_counter() - started
            reopened.close()

            holder, client = SharedEdgeStore(root), SharedEdgeStore(root)
            rng = np.random.default_rng(2)
            picks = rng.choice(size, size=args.queries, replace=False)
            queries = [[DenseQuery(vectors[i].tolist()),
                        SparseQuery(*sparse.query_vector(" ".join(texts[i].split()[:6])))]
                       for i in picks]  # fmt: skip
            timings: dict[str, list[float]] = {"local": [], "socket": []}
            for name, store in (("local", holder), ("socket", client)):
                for query in queries[:10]:  # warm up: the first touches of the segment files
                    store.search("bench", query, limit=30)
                for query in queries:
                    started = time.perf_counter()
                    store.search("bench", query, limit=30)
                    timings[name].append(time.perf_counter() - started)
            writes: dict[str, list[float]] = {"local": [], "socket": []}
            for name, store in (("local", holder), ("socket", client)):
                for batch in range(10):
                    chunks = [Chunk(chunk_id(f"{name}{batch}", i, t), f"new{name}{batch}", "t",
                                    "text", t, i) for i, t in enumerate(texts[:256])]  # fmt: skip
                    dense = vectors[:256].tolist()
                    terms = [sparse.document_vector(c.indexed_text) for c in chunks]
                    started = time.perf_counter()
                    store.upsert_chunks("bench", chunks, dense, terms)
                    writes[name].append(time.perf_counter() - started)
            client.close()
            holder.close()
        print(f"{size:>8}{reopen * 1000:>11.0f}{_ms(timings['local']):>10.2f}"
              f"{_ms(timings['socket']):>11.2f}{_ms(writes['local']):>17.1f}"
              f"{_ms(writes['socket']):>18.1f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
