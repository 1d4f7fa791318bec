"""Run an eval: index the dataset into a cached scratch collection, then ask every query per mode.

Documents go through the product's own chunker (`ingest.chunker`), `Chunk.indexed_text` and
`VectorStore.upsert_chunks`, exactly as ingest writes them, into `eval-<name>-<hash>`; the hash
covers the corpus, the embedding model, the chunk budget and the sparse scheme, so a changed input
builds a new collection and an unchanged one is reused. Document vectors also go through an
on-disk cache (`CachingEmbedder`), so even a rebuilt collection costs seconds, not minutes.

Queries are embedded before the clock starts, so latency is what retrieval itself costs
(search, fusion, duplicate suppression). Chunk rankings become document rankings by first
appearance (a document scores as its best chunk).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.ports import Embedder, VectorStore
from core.records import Block, Chunk, Document, ScoredChunk, sha256_text
from core.settings import RetrievalMode, Settings
from ingest.chunker import chunk_budget, chunk_document, overlap_for
from rag.eval.cache import CachingEmbedder
from rag.eval.datasets import EvalSet
from rag.eval.metrics import BEIR_METRICS, QA_METRICS, evaluate, percentile
from rag.retrieve import retrieve
from text import sparse

EMBED_BATCH = 256
BEIR_DEPTH = 300  # chunks retrieved per query: enough for 100 distinct documents
QA_DEPTH = 20

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ModeResult:
    mode: str
    metrics: dict[str, float]
    p50_ms: float
    p95_ms: float
    queries: int


@dataclass(frozen=True, slots=True)
class EvalReport:
    dataset: str
    kind: str
    collection: str
    documents: int
    chunks: int
    embedded_now: int  # document texts that missed the embedding cache on this run
    results: list[ModeResult] = field(default_factory=list)


def documents(evalset: EvalSet) -> list[Document]:
    return [
        Document(
            source=doc.id,
            title=doc.title,
            kind="text",
            content_hash=sha256_text(doc.text),
            blocks=(Block(doc.text),),
        )
        for doc in evalset.docs
        if doc.text.strip() or doc.title.strip()
    ]


def chunk_all(docs: Iterable[Document], *, settings: Settings, embedder: Embedder) -> list[Chunk]:
    budget = chunk_budget(settings.chunk_tokens, embedder.max_input_tokens)
    overlap = overlap_for(budget, settings.chunk_overlap)
    return [c for doc in docs for c in chunk_document(doc, budget=budget, overlap=overlap)]


def collection_name(evalset: EvalSet, *, settings: Settings, embedder: Embedder) -> str:
    key = "\x00".join(
        [evalset.fingerprint, embedder.model, str(settings.chunk_tokens),
         str(settings.chunk_overlap), sparse.SCHEME]
    )  # fmt: skip
    return f"eval-{evalset.name}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def index(
    evalset: EvalSet,
    *,
    store: VectorStore,
    embedder: Embedder,
    settings: Settings,
    progress: Progress | None = None,
) -> tuple[str, int, int]:
    """Build (or reuse) the eval collection: (name, chunk count, texts embedded now)."""
    say = progress or (lambda _: None)
    name = collection_name(evalset, settings=settings, embedder=embedder)
    chunks = chunk_all(documents(evalset), settings=settings, embedder=embedder)
    if store.exists(name) and store.count(name) == len(chunks):
        return name, len(chunks), 0
    if store.exists(name):
        store.delete_collection(name)
    store.ensure_collection(name, dim=embedder.dim, model=embedder.model)
    before = getattr(embedder, "embedded", 0)
    for start in range(0, len(chunks), EMBED_BATCH):
        part = chunks[start : start + EMBED_BATCH]
        texts = [c.indexed_text for c in part]
        bm25 = [sparse.document_vector(text) for text in texts]
        store.upsert_chunks(name, part, embedder.embed_documents(texts), bm25)
        say(f"indexed {start + len(part)}/{len(chunks)} chunks into {name}")
    store.optimize(name)
    return name, len(chunks), getattr(embedder, "embedded", 0) - before


class _KnownQueries:
    """Answers `embed_query` from vectors computed before timing starts."""

    def __init__(self, inner: Embedder, vectors: dict[str, list[float]]) -> None:
        self._inner = inner
        self._vectors = vectors

    model = property(lambda self: self._inner.model)
    dim = property(lambda self: self._inner.dim)
    max_input_tokens = property(lambda self: self._inner.max_input_tokens)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._vectors.get(text) or self._inner.embed_query(text)


def document_ranking(hits: Sequence[ScoredChunk]) -> list[str]:
    """Document ids in order of their best chunk."""
    return list(dict.fromkeys(hit.chunk.source for hit in hits))


def run_mode(
    evalset: EvalSet,
    *,
    store: VectorStore,
    embedder: Embedder,
    collection: str,
    mode: RetrievalMode,
) -> ModeResult:
    depth = BEIR_DEPTH if evalset.kind == "beir" else QA_DEPTH
    run: dict[str, list[str]] = {}
    timings: list[float] = []
    for qid, text in evalset.queries.items():
        started = time.perf_counter()
        hits = retrieve(
            text, store=store, embedder=embedder, collection=collection, mode=mode, top_k=depth
        )
        timings.append((time.perf_counter() - started) * 1000)
        run[qid] = document_ranking(hits)
    metrics = BEIR_METRICS if evalset.kind == "beir" else QA_METRICS
    return ModeResult(
        mode=mode.value,
        metrics=evaluate(run, evalset.qrels, metrics),
        p50_ms=percentile(timings, 50),
        p95_ms=percentile(timings, 95),
        queries=len(run),
    )


def run_eval(
    evalset: EvalSet,
    *,
    store: VectorStore,
    embedder: Embedder,
    settings: Settings,
    modes: Sequence[RetrievalMode],
    cache_path: Path | None = None,
    progress: Progress | None = None,
) -> EvalReport:
    say = progress or (lambda _: None)
    cached: Embedder = CachingEmbedder(embedder, cache_path) if cache_path else embedder
    try:
        name, chunks, embedded = index(
            evalset, store=store, embedder=cached, settings=settings, progress=progress
        )
        report = EvalReport(evalset.name, evalset.kind, name, len(evalset.docs), chunks, embedded)
        if not modes:  # only indexed (e.g. for `calibrate_floor`)
            return report
        say(f"embedding {len(evalset.queries)} queries")
        vectors = {t.strip(): cached.embed_query(t.strip()) for t in evalset.queries.values()}
    finally:
        if isinstance(cached, CachingEmbedder):
            cached.close()
    known = _KnownQueries(embedder, vectors)
    for mode in modes:
        say(f"querying ({mode.value})")
        report.results.append(
            run_mode(evalset, store=store, embedder=known, collection=name, mode=mode)
        )
    return report
