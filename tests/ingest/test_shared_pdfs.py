"""The robustness run: every PDF in ../shared/pdfs, through the real pipeline and store.

Zero crashes, zero hangs, every file accounted for with a reason, and every chunk's text found
on the page(s) it cites. Skips when ../shared is absent (a user's fresh clone).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.build import ocr_config
from app.container import Services
from core.ports import VectorStore
from core.records import IngestReport
from ingest.loaders import load
from ingest.ocr import OcrConfig
from store.edge import EdgeStore
from tests.conftest import make_settings
from tests.fakes.embedder import HashEmbedder
from tests.fakes.shared_pdf_passwords import shared_pdf_passwords
from text.tables import table_header

SHARED_PDFS = Path(__file__).resolve().parents[2].parent / "shared" / "pdfs"

# The passwords ../shared/README.md lists, by file name.


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def shared_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[IngestReport, VectorStore, OcrConfig | None]]:
    if not SHARED_PDFS.is_dir():
        pytest.skip(f"reference PDFs not found at {SHARED_PDFS} (present only beside the checkout)")
    tmp = tmp_path_factory.mktemp("shared")
    settings = make_settings(tmp, ingest_file_timeout=60.0)
    store = EdgeStore(settings.store_path)
    services = Services(settings, store, HashEmbedder(max_input_tokens=256), None)
    report = services.ingest(
        [SHARED_PDFS], glob="*.pdf", passwords=shared_pdf_passwords(SHARED_PDFS)
    )
    yield report, store, ocr_config(settings)
    store.close()


@pytest.mark.shared
def test_shared_pdfs_every_file_accounted_for_without_crash_or_hang(
    shared_run: tuple[IngestReport, VectorStore, OcrConfig | None],
) -> None:
    report, _, _ = shared_run
    with (SHARED_PDFS / "manifest.tsv").open(encoding="utf-8") as handle:
        manifest = {row["path"]: row for row in csv.DictReader(handle, delimiter="\t")}

    outcomes = {f.source: f for f in report.files}

    assert set(outcomes) == set(manifest)
    assert len(report.files) == len(outcomes)  # each file exactly once
    for outcome in report.files:
        assert outcome.status in ("ingested", "skipped", "failed")
        assert outcome.status == "ingested" or outcome.reason, outcome
        reason = str(outcome.reason)
        assert "crashed" not in reason and "longer than" not in reason, outcome
    for path, row in manifest.items():
        if row["pypdf_opens"] == "True" and int(row["text_chars(PyMuPDF)"] or 0) > 200:
            assert outcomes[path].status == "ingested", (path, outcomes[path].reason)
    print(Counter(f.status for f in report.files))


@pytest.mark.shared
def test_shared_pdfs_chunks_match_the_pages_they_cite(
    shared_run: tuple[IngestReport, VectorStore, OcrConfig | None],
) -> None:
    report, store, ocr = shared_run
    checked = 0
    passwords = shared_pdf_passwords(SHARED_PDFS)
    for outcome in report.files:
        if outcome.status != "ingested":
            continue
        document = load(  # the same OCR settings: OCR'd pages come from the run's cache
            SHARED_PDFS / outcome.source, root=SHARED_PDFS, password=passwords.get(outcome.source),
            ocr=ocr,
        )  # fmt: skip
        pages: dict[int | None, str] = {}
        for block in document.blocks:  # a page may hold several blocks (prose, tables)
            pages[block.page] = _norm(f"{pages.get(block.page, '')} {block.text}")
        headers = {
            table_header(paragraph.strip())
            for block in document.blocks
            for paragraph in re.split(r"\n[ \t]*\n", block.text)
        } - {""}
        chunks = store.chunks_of("test", outcome.source)
        assert len(chunks) == outcome.chunks > 0
        for chunk in chunks:
            assert chunk.page_start is not None and chunk.page_end is not None
            cited = _norm(
                " ".join(pages.get(n, "") for n in range(chunk.page_start, chunk.page_end + 1))
            )
            # A chunk that continues a table starts with its header rows, repeated from where
            # the table began; the rest is a verbatim slice of the pages it cites.
            header = max(
                (h for h in headers if chunk.text.startswith(h + "\n")), key=len, default=""
            )
            rest = chunk.text[len(header) :]
            assert _norm(rest) in cited, (outcome.source, chunk.position, chunk.pages_label)
            assert chunk.page_start in pages and chunk.page_end in pages
            checked += 1
    assert checked == report.chunks
