"""Ingest throughput against pypdf's own extraction rate; peak memory over corpus size; the
robustness tally over ../shared/pdfs.

    .venv/bin/python bench/bench_ingest.py rate [--corpus DIR] [--workers 1]
    .venv/bin/python bench/bench_ingest.py memory [--files 10] [--pages 20] [--scale 20]
    .venv/bin/python bench/bench_ingest.py robustness

`rate`: pages/s of pypdf alone (open, `decrypt("")` when encrypted, `extract_text` on every
page, one process) against pages/s of the whole pipeline (walk, hash, parse and chunk in the
worker process, BM25 vectors, write to the embedded store, commit) with an instant embedder, on
the same PDFs: ../shared/pdfs when present, else a generated corpus. Target: >= 80%.

`memory`: peak RSS of the ingest process and of its parser process for a generated corpus of
`files` x `pages` and for one `scale` times larger, each in a fresh process. Target: flat, and
<= 400 MB.

`robustness`: every PDF in ../shared/pdfs (with the passwords its README lists) through the
pipeline; prints the tally by status and reason.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.container import Services  # noqa: E402
from bench.procmem import MemoryWatch  # noqa: E402
from core.records import IngestReport  # noqa: E402
from core.settings import Backend, Settings  # noqa: E402
from store import open_store  # noqa: E402
from store.residency import cap_heap_arenas  # noqa: E402
from tests.fakes.shared_pdf_passwords import shared_pdf_passwords  # noqa: E402
from tests.pdf_factory import make_pdf  # noqa: E402

SHARED_PDFS = REPO.parent / "shared" / "pdfs"
_WORDS = [
    "the",
    "company",
    "handbook",
    "explains",
    "leave",
    "travel",
    "expenses",
    "security",
    "onboarding",
    "benefits",
    "payroll",
    "managers",
    "approve",
    "requests",
    "within",
    "ten",
    "working",
    "days",
    "and",
    "employees",
    "record",
    "their",
    "hours",
    "weekly",
]


class InstantEmbedder:
    """Costs nothing, so the benchmark measures the pipeline, not a model."""

    model = "instant"
    dim = 384
    max_input_tokens = 256  # as all-MiniLM-L6-v2: the same chunk budget as the offline default

    def __init__(self) -> None:
        self._vector = [1.0] + [0.0] * (self.dim - 1)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector] * len(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._vector


def _services(store_dir: Path, workers: int) -> Services:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        api_token=None,
        backend=Backend.LOCAL,
        store_path=store_dir,
        data_dir=store_dir.parent / "data",  # its ledger too: never the repo's data/
        collection="bench",
        ingest_workers=workers,
    )
    cap_heap_arenas()  # as `build_services` does for `rag ingest`
    store = open_store(url=None, api_key=None, path=settings.store_path)
    return Services(settings, store, InstantEmbedder(), None)


def generate_corpus(folder: Path, files: int, pages: int, seed: int = 0) -> Path:
    import random

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        texts = []
        for p in range(pages):
            paragraphs = [
                " ".join(rng.choice(_WORDS) for _ in range(rng.randint(40, 120))) + "."
                for _ in range(5)
            ]
            texts.append(f"Section {n}.{p}\n" + "\n\n".join(paragraphs))
        (folder / f"doc{n:04d}.pdf").write_bytes(make_pdf(texts, title=f"Document {n}"))
    return folder


def _ingest(corpus: Path, workers: int, passwords: dict[str, str] | None = None) -> IngestReport:
    with tempfile.TemporaryDirectory() as tmp:
        services = _services(Path(tmp) / "store", workers)
        try:
            return services.ingest([corpus], glob="*.pdf", passwords=passwords or {})
        finally:
            services.close()


# --- rate ------------------------------------------------------------------------------------


def pypdf_rate(corpus: Path) -> tuple[int, float]:
    """Pages pypdf extracts from the corpus, and the seconds it takes, in this one process."""
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    pages = 0
    started = time.perf_counter()
    for path in sorted(corpus.rglob("*.pdf")):
        try:
            reader = PdfReader(str(path), strict=False)
            if reader.is_encrypted:
                reader.decrypt("")
            for page in reader.pages:
                try:
                    if (page.extract_text() or "").strip():
                        pages += 1
                except Exception:
                    pass
        except Exception:
            continue
    return pages, time.perf_counter() - started


def stage_costs(corpus: Path) -> dict[str, float]:
    """CPU seconds of each stage, in this one process: robust to other load on the machine."""
    from ingest.chunker import chunk_budget, chunk_document, overlap_for
    from ingest.loaders import load
    from text.sparse import document_vector

    costs = dict.fromkeys(("pypdf (load)", "chunk", "bm25", "store write"), 0.0)
    budget = chunk_budget(350, InstantEmbedder.max_input_tokens)
    embedder = InstantEmbedder()
    with tempfile.TemporaryDirectory() as tmp:
        services = _services(Path(tmp) / "store", 1)
        services.store.ensure_collection("bench", dim=embedder.dim, model=embedder.model)
        for path in sorted(corpus.rglob("*.pdf")):
            clock = time.process_time()
            try:
                document = load(path, root=corpus)
            except Exception:
                costs["pypdf (load)"] += time.process_time() - clock
                continue
            costs["pypdf (load)"] += time.process_time() - clock
            clock = time.process_time()
            chunks = chunk_document(document, budget=budget, overlap=overlap_for(budget, 50))
            costs["chunk"] += time.process_time() - clock
            clock = time.process_time()
            bm25 = [document_vector(c.indexed_text) for c in chunks]
            costs["bm25"] += time.process_time() - clock
            clock = time.process_time()
            vectors = embedder.embed_documents([c.text for c in chunks])
            services.store.upsert_chunks("bench", chunks, vectors, bm25)
            services.store.commit_source(
                "bench", document.source, [c.id for c in chunks], document.content_hash
            )
            costs["store write"] += time.process_time() - clock
        services.close()
    return costs


def run_rate(corpus: Path, workers: int) -> None:
    pages, seconds = pypdf_rate(corpus)
    started = time.perf_counter()
    report = _ingest(corpus, workers)
    elapsed = time.perf_counter() - started
    ours = sum(f.pages for f in report.files if f.status == "ingested")
    print(f"corpus: {corpus} ({len(report.files)} files)")
    processes = f"{workers} parser process{'es' if workers > 1 else ''}"
    print(
        f"pypdf alone: {pages:6d} pages with text, {seconds:6.2f} s, {pages / seconds:7.1f} pages/s"
    )
    print(
        f"pipeline:    {ours:6d} pages ingested,  {elapsed:6.2f} s, {ours / elapsed:7.1f} pages/s"
        f"  ({report.chunks} chunks, {processes})"
    )
    # Same PDFs: compare the time for the whole set.
    print(f"pipeline / pypdf: {seconds / elapsed:.0%} (target >= 80%)")
    costs = stage_costs(corpus)
    print("CPU s by stage: " + ", ".join(f"{k} {v:.2f}" for k, v in costs.items()))


# --- memory ----------------------------------------------------------------------------------


def _rss_child(corpus: Path) -> None:
    with MemoryWatch() as memory:
        report = _ingest(corpus, 1)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = memory.parser_mb
    pages = sum(f.pages for f in report.files)
    print(
        json.dumps({"pages": pages, "chunks": report.chunks, "main_mb": own, "parser_mb": children})
    )


def run_memory(files: int, pages: int, scale: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for count in (files, files * scale):
            corpus = generate_corpus(Path(tmp) / f"c{count}", count, pages)
            started = time.perf_counter()
            out = subprocess.run(
                [sys.executable, __file__, "_rss", str(corpus)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            data = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{count:5d} files, {data['pages']:6d} pages, {data['chunks']:6d} chunks: "
                f"peak RSS ingest process {data['main_mb']:6.1f} MB, "
                f"parser {data['parser_mb']:6.1f} MB  ({time.perf_counter() - started:.1f} s)"
            )


# --- robustness ------------------------------------------------------------------------------


def run_robustness() -> None:
    if not SHARED_PDFS.is_dir():
        print(f"skipped: {SHARED_PDFS} not found")
        return
    report = _ingest(SHARED_PDFS, 1, shared_pdf_passwords(SHARED_PDFS))
    print(f"{len(report.files)} PDFs in {report.seconds:.1f} s: " + ", ".join(
        f"{n} {status}" for status, n in Counter(f.status for f in report.files).most_common()
    ))  # fmt: skip
    reasons = Counter(
        (f.status, str(f.reason).split(" (")[0]) for f in report.files if f.status != "ingested"
    )
    for (status, reason), n in sorted(reasons.items()):
        print(f"  {status:8} {n:3d}  {reason}")
    for f in sorted(report.files, key=lambda f: f.source):
        if f.status == "failed" or "password" in str(f.reason):
            print(f"    {f.status}: {f.source}: {f.reason}")
    warned = [f for f in report.files if f.warnings]
    print(f"  ingested with warnings: {len(warned)}")
    for f in warned:
        print(f"    {f.source}: {'; '.join(map(str, f.warnings))}")


def main(argv: Sequence[str]) -> None:
    if argv and argv[0] == "_rss":
        _rss_child(Path(argv[1]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    rate = sub.add_parser("rate")
    rate.add_argument("--corpus", type=Path)
    rate.add_argument("--workers", type=int, default=1)
    memory = sub.add_parser("memory")
    memory.add_argument("--files", type=int, default=10)
    memory.add_argument("--pages", type=int, default=20)
    memory.add_argument("--scale", type=int, default=20)
    sub.add_parser("robustness")
    args = parser.parse_args(argv)
    if args.mode == "rate":
        if args.corpus:
            run_rate(args.corpus, args.workers)
        elif SHARED_PDFS.is_dir():
            run_rate(SHARED_PDFS, args.workers)
        with tempfile.TemporaryDirectory() as tmp:
            run_rate(generate_corpus(Path(tmp) / "gen", 100, 30), args.workers)
    elif args.mode == "memory":
        run_memory(args.files, args.pages, args.scale)
    else:
        run_robustness()


if __name__ == "__main__":
    main(sys.argv[1:])
