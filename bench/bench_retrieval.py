"""Query-time overhead of retrieval at 10k and 100k chunks, per engine and mode.

    .venv/bin/python bench/bench_retrieval.py [--sizes 10000 100000] [--queries 200]
        [--engines edge local] [--optimize] [--optimize-every N]

Synthetic chunks: 384-d random unit vectors (MiniLM's size) and ~80-word texts drawn from a
Zipf vocabulary, so BM25 posting lists are as skewed as real text. Each query is timed around
`retrieve()` with the query vector already computed, plus the prompt build, with the product's
defaults (top_k 6): search, fusion, duplicate suppression, `build_messages`. Embedding the
query is excluded. Engines: `edge` (Qdrant Edge, the embedded default) and `local`
(qdrant-client's local mode, in memory). `--optimize` builds Edge's HNSW index first;
`--optimize-every N` optimizes after every N chunks written as well, as an ingest with the local
model does (`RAG_INGEST_OPTIMIZE_EVERY`), which leaves several segments. `found` is the share of
queries whose own chunk (the one its words and vector were drawn from) is among the hits.
Target: p50 <= 20 ms at 100k.

Segments (`--sizes 100000 --engines edge --optimize [--optimize-every 4096]`, nice 15 beside
other work, load 5-6, so both slow alike; build 349 / 340 s):

    edge+hnsw, one optimize at the end:  dense 6.58 / 50.5 ms (p50 / p95, found 0.810),
                                         sparse 3.64 / 5.77 (0.925), hybrid 6.50 / 9.04 (0.990)
    edge+hnsw, optimized every 4,096:    dense 19.6 / 236 ms (found 1.000),
                                         sparse 12.1 / 59.1 (0.925), hybrid 37.5 / 139 (1.000)

Optimizing as an ingest writes (what bounds its memory, `bench_peers.py`) leaves many segments
(merges stop at 10 MB of vectors, ~6.7k chunks), each searched on its own: the same or better
hits, and more time. On a quiet machine (same command, nice -10, nothing else running), the time
stays inside the target:

    edge+hnsw, one optimize at the end:  dense 7.69 / 52.6 ms (found 0.800), sparse 5.12 / 13.9
                                         (0.925), hybrid 9.21 / 14.7 (0.980); build 181 s
    edge+hnsw, optimized every 4,096:    dense 11.4 / 13.0 ms (found 1.000), sparse 4.76 / 6.87
                                         (0.925), hybrid 14.7 / 17.8 (1.000); build 113 s

`RAG_INGEST_OPTIMIZE_EVERY=0` keeps one optimize at the end.

With the default IONOS model's size (`--dim 1024`), merges stop at 10 MB of vectors, so an
ingest leaves one segment per 4,096 chunks (25 at 100k). Session 8, quiet, nice -10,
`--sizes 100000 --engines edge --optimize --optimize-every 4096 --dim 1024`: dense 14.5 / 15.6 ms
(found 0.990), sparse 2.3 / 2.6 ms, hybrid 16.3 / 17.2 ms (found 1.000); build 81 s. At 384
dimensions the same day: hybrid 11.2 / 12.0 ms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.ports import VectorStore
from core.records import Chunk, chunk_id
from core.settings import RetrievalMode
from rag.eval.metrics import percentile
from rag.prompt import build_messages
from rag.retrieve import retrieve
from store.edge import EdgeStore
from store.qdrant import QdrantStore
from text import sparse

DIM = 384
VOCAB = 30_000
WORDS = 80
TOP_K = 6


class FixedEmbedder:
    """Hands out the query vector computed beforehand: embedding is not what we time."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors
        self.dim = len(next(iter(vectors.values())))

    model = "synthetic"
    max_input_tokens = 256

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        raise NotImplementedError

    def embed_query(self, text: str) -> list[float]:
        return self.vectors[text]


def corpus(n: int, seed: int = 0, dim: int = DIM) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, VOCAB + 1)
    words = rng.choice(VOCAB, size=(n, WORDS), p=weights / weights.sum())
    texts = [" ".join(f"term{w}" for w in row) for row in words]
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return texts, vectors


def _id(i: int, text: str) -> str:
    return chunk_id(f"doc{i // 10}", i % 10, text)


def build(
    engine: str, texts: list[str], vectors: np.ndarray, folder: Path, every: int = 0
) -> VectorStore:
    store: VectorStore = EdgeStore(folder) if engine == "edge" else QdrantStore.local()
    store.ensure_collection("bench", dim=vectors.shape[1], model="synthetic")
    unindexed = 0
    for start in range(0, len(texts), 2000):
        chunks = [
            Chunk(_id(i, t), f"doc{i // 10}", "t", "text", t, i % 10)
            for i, t in enumerate(texts[start : start + 2000], start=start)
        ]
        bm25 = [sparse.document_vector(c.indexed_text) for c in chunks]
        store.upsert_chunks("bench", chunks, vectors[start : start + 2000].tolist(), bm25)
        unindexed += len(chunks)
        if every and unindexed >= every:
            store.optimize("bench")
            unindexed = 0
    return store


def measure(store: VectorStore, queries: list[str], vectors: dict[str, list[float]],
            mode: RetrievalMode, own: dict[str, str]) -> tuple[float, float, float]:  # fmt: skip
    """p50 and p95 ms, and the share of queries that found their own chunk."""
    embedder = FixedEmbedder(vectors)
    found = 0
    for query in queries[:10]:  # warm up: first touches of the segment files
        retrieve(query, store=store, embedder=embedder, collection="bench", mode=mode, top_k=TOP_K)
    timings = []
    for query in queries:
        started = time.perf_counter()
        hits = retrieve(query, store=store, embedder=embedder, collection="bench", mode=mode,
                        top_k=TOP_K)  # fmt: skip
        build_messages(query, hits)
        timings.append((time.perf_counter() - started) * 1000)
        found += any(hit.chunk.id == own[query] for hit in hits)
    return percentile(timings, 50), percentile(timings, 95), found / len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--engines", nargs="+", default=["edge", "local"])
    parser.add_argument("--optimize", action="store_true")
    parser.add_argument("--optimize-every", type=int, default=0, metavar="N")
    parser.add_argument("--dim", type=int, default=DIM, help="1024: the size of bge-m3's vectors")
    parser.add_argument("--local-queries", type=int, default=20,
                        help="queries for local mode, which takes up to seconds each")  # fmt: skip
    args = parser.parse_args()
    print(
        f"{'engine':<12}{'chunks':>8}  {'mode':<7}{'p50 ms':>9}{'p95 ms':>9}{'found':>7}   build s"
    )
    for size in args.sizes:
        texts, vectors = corpus(size, dim=args.dim)
        rng = np.random.default_rng(1)
        picks = rng.choice(size, size=args.queries, replace=False)
        # a query: 6 words of a chunk, and its vector nudged off the chunk's own
        queries = [" ".join(texts[i].split()[:6]) + f" q{n}" for n, i in enumerate(picks)]
        noisy = vectors[picks] + rng.normal(scale=0.05, size=(len(picks), args.dim))
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        query_vectors = dict(zip(queries, noisy.tolist(), strict=True))
        own = {q: _id(int(i), texts[i]) for q, i in zip(queries, picks, strict=True)}
        for engine in args.engines:
            with tempfile.TemporaryDirectory() as folder:
                started = time.perf_counter()
                every = args.optimize_every if engine == "edge" else 0
                store = build(engine, texts, vectors, Path(folder), every)
                if args.optimize and engine == "edge":
                    store.optimize("bench")
                built = time.perf_counter() - started
                label = engine + ("+hnsw" if args.optimize and engine == "edge" else "")
                label += f"/{every}" if every else ""
                label += f"/{args.dim}d" if args.dim != DIM else ""
                asked = queries if engine == "edge" else queries[: args.local_queries]
                for mode in RetrievalMode:
                    p50, p95, found = measure(store, asked, query_vectors, mode, own)
                    print(f"{label:<12}{size:>8}  {mode.value:<7}{p50:>9.2f}{p95:>9.2f}"
                          f"{found:>7.3f}   {built:.0f}", flush=True)  # fmt: skip
                store.close()


if __name__ == "__main__":
    main()
