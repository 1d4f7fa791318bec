"""OCR accuracy and speed on the project's own scans; OCR over ../shared/pdfs, file by file.

    .venv/bin/python bench/bench_ocr.py speed [--pages 10] [--procs 1 2] [--dpi 150]
    .venv/bin/python bench/bench_ocr.py shared

`speed`: English and German pages written as text PDFs, rendered to images and rebuilt as
image-only PDFs (`tests/ocr_corpus.py`), read by the offline engine (`ingest.ocr`: render +
Tesseract, no cache) in `procs` processes. Prints the character error rate per language against
the known text (target <= 3 %), wall pages/s (target >= 1 on 2 cores) and CPU seconds per page
(what the engine costs, whatever else runs on the machine).

`shared`: every PDF in ../shared/pdfs through the real pipeline with OCR on (fresh cache), and,
for the files that are skipped without OCR ("no text; OCR needed") or lose pages without it, a
table: pages OCR'd, mean confidence, characters gained, pages still unreadable.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from core.errors import IngestError  # noqa: E402
from ingest.loaders import load  # noqa: E402
from ingest.ocr import OcrConfig, PdfOcr  # noqa: E402
from tests.fakes.shared_pdf_passwords import shared_pdf_passwords  # noqa: E402
from tests.ocr_corpus import _levenshtein, scanned_pdf  # noqa: E402

SHARED_PDFS = REPO.parent / "shared" / "pdfs"


def _warm(path: str, dpi: int) -> None:
    """Make the process's engine (about 0.5 s) before the clock starts: one page, untimed."""
    reader = PdfOcr(Path(path), password=None, config=OcrConfig(dpi=dpi), content_hash="")
    try:
        reader.read(0)
    finally:
        reader.close()


def _read_page(args: tuple[str, int, int]) -> tuple[int, str, float, float]:
    path, index, dpi = args
    cpu, wall = time.process_time(), time.perf_counter()
    reader = PdfOcr(Path(path), password=None, config=OcrConfig(dpi=dpi), content_hash="")
    try:
        page = reader.read(index)
    finally:
        reader.close()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return index, page.text, cpu, wall


def run_speed(pages: int, procs: Sequence[int], dpi: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = {}
        for lang in ("en", "de"):
            pdf, texts = scanned_pdf(lang, pages, dpi=dpi)
            path = Path(tmp) / f"{lang}.pdf"
            path.write_bytes(pdf)
            corpus[lang] = (path, texts)
        print(f"{pages} pages per language at {dpi} dpi, Tesseract deu+eng, no cache; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
        for count in procs:
            warm = (str(corpus["en"][0]), dpi)
            with ProcessPoolExecutor(count, initializer=_warm, initargs=warm) as pool:
                list(pool.map(abs, range(count)))  # every worker started and warm
                started = time.perf_counter()
                results = {
                    lang: sorted(pool.map(_read_page, [(str(path), i, dpi) for i in range(pages)]))
                    for lang, (path, _) in corpus.items()
                }
                wall = time.perf_counter() - started  # the CER below is not the engine's time
            total_pages = sum(len(r) for r in results.values())
            cpu_total = sum(r[2] for rs in results.values() for r in rs)
            for lang, rs in results.items():
                if count != procs[0]:
                    break
                texts = corpus[lang][1]
                errors = sum(
                    _levenshtein(" ".join(text.split()), " ".join(texts[i].split()))
                    for i, text, _, _ in rs
                )
                chars = sum(len(" ".join(t.split())) for t in texts)
                cpu = sum(r[2] for r in rs)
                print(f"  CER {lang}: {100 * errors / chars:.2f} % ({errors} edits in "
                      f"{chars:,} chars), {cpu / len(rs):.2f} CPU-s/page")  # fmt: skip
            print(f"  {count} process(es): {total_pages / wall:.2f} pages/s wall, "
                  f"{cpu_total / total_pages:.2f} CPU-s/page "
                  f"(load average now {os.getloadavg()[0]:.1f})")  # fmt: skip


def run_shared() -> None:
    if not SHARED_PDFS.is_dir():
        print(f"skipped: {SHARED_PDFS} not found")
        return
    from bench.bench_ingest import _services

    passwords = shared_pdf_passwords(SHARED_PDFS)
    with tempfile.TemporaryDirectory() as tmp:
        services = _services(Path(tmp) / "store", 1)
        try:
            report = services.ingest([SHARED_PDFS], glob="*.pdf", passwords=passwords)
        finally:
            services.close()
        ocr = OcrConfig(cache_path=services.settings.ocr_cache)
        outcomes = {f.source: f for f in report.files}
        print(f"{len(report.files)} PDFs in {report.seconds:.1f} s with OCR on")
        print("| file | pages | without OCR | with OCR | pages OCR'd | mean conf | chars gained |"
              " still unreadable |\n|---|---|---|---|---|---|---|---|")  # fmt: skip
        for source in sorted(outcomes):
            path = SHARED_PDFS / source
            before, chars_before = _status(path, passwords.get(source), None)
            if "OCR needed" not in before:
                continue
            after, chars_after = _status(path, passwords.get(source), ocr)  # from the cache
            f = outcomes[source]
            conf = f"{f.ocr_confidence:.2f}" if f.ocr_pages else "-"
            print(f"| {source} | {f.pages or '?'} | {before} | {f.status}: {after} | "
                  f"{f.ocr_pages} | {conf} | {chars_after - chars_before:,} | "
                  f"{f.unreadable_pages} |")  # fmt: skip


def _status(path: Path, password: str | None, ocr: OcrConfig | None) -> tuple[str, int]:
    try:
        document = load(path, root=SHARED_PDFS, password=password, ocr=ocr)
    except IngestError as exc:
        return str(exc.reason).replace("|", "/"), 0
    chars = sum(len("".join(b.text.split())) for b in document.blocks)
    return "; ".join(map(str, document.warnings)).replace("|", "/") or "all pages", chars


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    speed = sub.add_parser("speed")
    speed.add_argument("--pages", type=int, default=10)
    speed.add_argument("--procs", type=int, nargs="+", default=[1, 2])
    speed.add_argument("--dpi", type=int, default=150)
    sub.add_parser("shared")
    args = parser.parse_args(argv)
    if args.command == "speed":
        run_speed(args.pages, args.procs, args.dpi)
    else:
        run_shared()


if __name__ == "__main__":
    main(sys.argv[1:])
