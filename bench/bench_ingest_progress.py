"""What the upload bar shows while one large PDF is ingested: how soon it first moves, and the
longest time it stands still.

    .venv/bin/python bench/bench_ingest_progress.py [PDF] [--embedder e5|hash] [--workers N]

Default PDF: the 117-page GeoTopo-komprimiert.pdf from ../shared/pdfs when present, else a
generated 113-page one. The whole pipeline runs as the UI runs it (`Services.ingest` with the
progress callback) into an embedded store in a temp folder, with the offline embedder the
product uses by default (`e5`, multilingual-e5-small) or an instant one (`hash`, to separate the
parse from the embedding). Prints: seconds to the first progress report, to the first with
pages read, to the first bar movement (share > 0), the longest gap between two reports, the
number of distinct bar positions, the total, and a few of the lines the UI shows
(`app.ui.ingest_text.progress_text`). Target: the bar moves within a few seconds, and never
stands still for more than a few seconds while the file is embedded.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.build import local_embedder  # noqa: E402
from app.container import Services  # noqa: E402
from app.ui.ingest_text import progress_text  # noqa: E402
from app.ui.strings import ui_messages  # noqa: E402
from core.settings import Backend, Settings  # noqa: E402
from ingest.pipeline import IngestProgress  # noqa: E402
from store.edge import EdgeStore  # noqa: E402
from tests.fakes.embedder import HashEmbedder  # noqa: E402
from tests.pdf_factory import make_pdf  # noqa: E402

SHARED = REPO.parent / "shared" / "pdfs" / "py-pdf-sample-files" / "009-pdflatex-geotopo"
DEFAULT = SHARED / "GeoTopo-komprimiert.pdf"


def _pdf(given: str | None, tmp: Path) -> Path:
    if given:
        return Path(given)
    if DEFAULT.exists():
        return DEFAULT
    path = tmp / "generated-113.pdf"
    words = " ".join(f"Abschnitt {n} über Haushalt, Umsatz und Personal." for n in range(40))
    path.write_bytes(make_pdf([f"Seite {p}. {words}" for p in range(113)]))
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf", nargs="?")
    parser.add_argument("--embedder", choices=["e5", "hash"], default="e5")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        pdf = _pdf(args.pdf, tmp)
        settings = Settings(
            _env_file=None, backend=Backend.LOCAL, data_dir=tmp / "data",  # type: ignore[call-arg]
            store_path=tmp / "store", ingest_workers=args.workers,
        )  # fmt: skip
        store = EdgeStore(settings.store_path)
        if args.embedder == "hash":
            services = Services(settings, store, HashEmbedder(), None)
        else:  # as `build_services` makes it: batches of the model's own size
            local = local_embedder(settings)
            local.embed_query("warm up")  # load the model before the clock starts
            services = Services(settings, store, local, None, local_batch=local.batch_size)
        seen: list[tuple[float, IngestProgress]] = []
        started = time.perf_counter()
        report = services.ingest(
            [pdf], collection="bench", on_progress=lambda p: seen.append((time.perf_counter(), p))
        )
        total = time.perf_counter() - started
        services.close()
    t = ui_messages("en")
    stamps = [started] + [at for at, _ in seen]
    gaps = [b - a for a, b in itertools.pairwise(stamps)]

    def first(test: object) -> str:
        for at, progress in seen:
            if test(progress):  # type: ignore[operator]
                return f"{at - started:.1f}s"
        return "never"

    (outcome,) = report.files
    print(f"{pdf.name}: {outcome.pages} pages, {outcome.chunks} chunks, {outcome.status}")
    batch = services.ingest_options().batch_size
    print(f"embedder {args.embedder} (batches of {batch}), {args.workers} parser process(es)")
    print(f"total {total:.1f}s")
    print(f"first report after {first(lambda p: True)}")
    print(f"first report with pages read after {first(lambda p: p.pages_seen > 0)}")
    print(f"bar first moves after {first(lambda p: p.share > 0)}")
    print(f"longest gap between reports {max(gaps):.1f}s over {len(seen)} reports")
    print(f"distinct bar positions {len({round(p.share, 3) for _, p in seen})}")
    for at, progress in seen[:: max(1, len(seen) // 5)]:
        print(f"  {at - started:6.1f}s  {progress.share:5.1%}  {progress_text(progress, t)}")


if __name__ == "__main__":
    main()
