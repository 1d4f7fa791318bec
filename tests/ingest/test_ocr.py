"""OCR of scanned pages: accuracy on the project's own scans, the gate, the cache, the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.container import Services
from core.access import Viewer
from core.records import FileStatus
from ingest import ocr
from ingest.loaders import load
from ingest.ocr import OcrConfig, OcrPage, OcrWord, PageInfo, boxes_for_quote, needs_ocr
from ingest.ocr_cache import OcrCache
from ingest.parse import OCR_SHARE, ParseTask, within
from rag.events import Citations
from tests.ingest.helpers import write_pdf
from tests.ocr_corpus import cer, page_texts, scanned_pdf

pytestmark = pytest.mark.skipif(not ocr.available(), reason="tesserocr or its models missing")


class CountingEngine:
    """The real engine, counting its calls."""

    name = "tesseract"

    def __init__(self, langs: str = "deu+eng") -> None:
        self.inner = ocr.tesseract(langs)
        self.calls = 0

    def recognize(self, image: Any, dpi: int) -> Any:
        self.calls += 1
        return self.inner.recognize(image, dpi)


def _scan(tmp_path: Path, lang: str, pages: int = 1) -> tuple[Path, list[str]]:
    pdf, texts = scanned_pdf(lang, pages)
    path = tmp_path / f"{lang}-scan.pdf"
    path.write_bytes(pdf)
    return path, texts


@pytest.mark.parametrize("lang", ["en", "de"])
def test_loader_scanned_page_read_with_cer_under_3_percent(tmp_path: Path, lang: str) -> None:
    path, texts = _scan(tmp_path, lang)

    document = load(path, root=tmp_path, ocr=OcrConfig(cache_path=None))

    assert [b.page for b in document.blocks] == [1]
    assert cer(document.blocks[0].text, texts[0]) < 0.03
    assert document.ocr_pages == 1 and document.unreadable == ()
    assert 0.8 < document.ocr_confidence <= 1.0
    assert document.warnings == ()  # pages read by OCR are counted, not warned about


def test_loader_ocr_off_leaves_the_scan_out(tmp_path: Path) -> None:
    path, _ = _scan(tmp_path, "en")

    with pytest.raises(Exception, match="OCR needed"):
        load(path, root=tmp_path, ocr=None)


def test_gate_text_page_never_ocrd(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "text.pdf", page_texts("de", 2))
    engine = CountingEngine()
    reader = ocr.PdfOcr(path, password=None, config=OcrConfig(), content_hash="h", engine=engine)

    try:
        needed = [reader.needs(i, t) for i, t in enumerate(page_texts("de", 2))]
    finally:
        reader.close()

    assert needed == [False, False]
    assert engine.calls == 0 and reader._document is None  # not even opened by pdfium


@pytest.mark.parametrize(
    ("text", "info", "expected"),
    [
        ("x" * 10 + " a good long page " * 20, PageInfo(1.0), False),  # plenty of clean text
        ("", PageInfo(0.0), False),  # blank page
        ("", PageInfo(0.9), True),  # a scan
        ("", PageInfo(0.0, paths=500), True),  # outlined text drawn as paths
        ("Bates 000123", PageInfo(0.95), True),  # a stamp on a scan
        ("Figure 1: a chart", PageInfo(0.2), False),  # a caption under a picture
        ("\ufffd" * 40 + "ab", PageInfo(0.0, text_objects=3), True),  # broken font mapping
    ],
)
def test_needs_ocr_cases(text: str, info: PageInfo, expected: bool) -> None:
    assert needs_ocr(text, info) is expected


def test_cache_reuses_ocr_text_on_rerun(tmp_path: Path) -> None:
    path, texts = _scan(tmp_path, "en", pages=2)
    config = OcrConfig(cache_path=tmp_path / "ocr.sqlite")
    results = []
    for _ in range(2):
        engine = CountingEngine()
        reader = ocr.PdfOcr(path, password=None, config=config, content_hash="h1", engine=engine)
        try:
            results.append(([reader.read(0).text, reader.read(1).text], engine.calls))
        finally:
            reader.close()

    (first, first_calls), (second, second_calls) = results
    assert (first_calls, second_calls) == (2, 0)
    assert first == second and cer(first[1], texts[1]) < 0.03
    stored = OcrCache(config.cache_path).page_of("h1", 2)  # type: ignore[arg-type]
    assert stored is not None and stored.words and stored.text == first[1]


def test_ocr_page_cap_reports_the_rest(tmp_path: Path) -> None:
    path, _ = _scan(tmp_path, "de", pages=2)

    document = load(path, root=tmp_path, ocr=OcrConfig(max_pages=1))

    assert (document.ocr_pages, document.unreadable) == (1, (2,))
    assert any("cap of 1 pages per file" in str(w) for w in document.warnings)


def test_ocr_time_budget_is_a_share_of_the_file_timeout(tmp_path: Path) -> None:
    task = ParseTask(tmp_path, tmp_path, None, 100, 10, ocr=OcrConfig(seconds=1000.0))

    assert within(task, 60.0).ocr == OcrConfig(seconds=OCR_SHARE * 60.0)
    assert within(task, 5000.0) is task


def test_word_boxes_lie_where_the_text_was_drawn(tmp_path: Path) -> None:
    path, _ = _scan(tmp_path, "en")
    reader = ocr.PdfOcr(path, password=None, config=OcrConfig(), content_hash="h")
    try:
        page = reader.read(0)
    finally:
        reader.close()

    heading = boxes_for_quote(page.words, "Section 1 Service Level Agreement")
    # tests.pdf_factory draws the first line at x=56, baseline y=790, 11 pt Helvetica
    assert len(heading) == 5
    assert abs(heading[0][0] - 56) < 3 and 785 < heading[0][1] < 792 < heading[0][3] < 802


def test_boxes_for_quote_ignores_spacing_case_and_punctuation() -> None:
    words = [OcrWord(t, 0.9, (i * 10.0, 0.0, i * 10.0 + 8, 10.0)) for i, t in enumerate(
        ["Die", "Größe", "der", "Büro-", "flächen.", "Ende"])]  # fmt: skip

    assert boxes_for_quote(words, "größe der Büroflächen") == [w.box for w in words[1:5]]
    assert boxes_for_quote(words, "nicht da") == []
    assert boxes_for_quote(words, "") == []


def test_scan_ingested_and_question_answered_with_page_cited(
    memory_services: Services, tmp_path: Path
) -> None:
    pdf, texts = scanned_pdf("en", 2)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "signed-contract.pdf").write_bytes(pdf)
    write_pdf(folder / "handbook.pdf", ["Holidays are agreed with the team lead. " * 10])

    report = memory_services.ingest([folder], collection="test")

    outcome = next(f for f in report.files if f.source == "signed-contract.pdf")
    assert outcome.status is FileStatus.INGESTED
    assert (outcome.ocr_pages, outcome.unreadable_pages) == (2, 0)
    assert outcome.ocr_confidence > 0.8
    handbook = next(f for f in report.files if f.source == "handbook.pdf")
    assert handbook.ocr_pages == 0 and not handbook.warnings
    sentence = texts[1].split("\n")[1].split(". ")[0]  # the first sentence on page 2
    events = list(
        memory_services.answer(sentence + "?", collection="test", viewer=Viewer.as_operator())
    )
    citations = next(e for e in events if isinstance(e, Citations)).citations
    top = citations[0]
    assert top.chunk.source == "signed-contract.pdf"
    assert top.chunk.page_start is not None and top.chunk.page_end is not None
    assert top.chunk.page_start <= 2 <= top.chunk.page_end
    assert " ".join(sentence.split()[:6]) in " ".join(top.chunk.text.split())


def test_ocr_result_json_round_trip_keeps_words(tmp_path: Path) -> None:
    cache = OcrCache(tmp_path / "c.sqlite")
    page = OcrPage("Straße 5", 0.93, (OcrWord("Straße", 0.9, (1.0, 2.0, 3.0, 4.0)),))
    cache.put("k", page)
    cache.link("doc", 3, "k")

    assert cache.page_of("doc", 3) == page
    assert cache.page_of("doc", 4) is None


def test_mixed_pdf_only_the_scanned_page_is_ocrd(tmp_path: Path) -> None:
    import io

    from pypdf import PdfReader, PdfWriter

    from tests.pdf_factory import make_pdf

    text_page = page_texts("en", 1)[0]
    scan, truth = scanned_pdf("de", 1)
    writer = PdfWriter()
    for data in (make_pdf([text_page]), scan):
        writer.append(PdfReader(io.BytesIO(data)))
    path = tmp_path / "mixed.pdf"
    with path.open("wb") as handle:
        writer.write(handle)

    with_ocr = load(path, root=tmp_path, ocr=OcrConfig())
    without = load(path, root=tmp_path, ocr=None)

    assert [b.page for b in with_ocr.blocks] == [1, 2]
    assert with_ocr.blocks[0] == without.blocks[0]  # the text page: pypdf's text, untouched
    assert cer(with_ocr.blocks[1].text, truth[0]) < 0.03
    assert (with_ocr.ocr_pages, with_ocr.unreadable) == (1, ())
    assert list(map(str, without.warnings)) == ["1 of 2 pages have no text; OCR needed"]


def _quality_by_character(text: str) -> tuple[int, float]:
    """`text_quality`'s counts, the plain way: every character looked at on its own."""
    import re
    import unicodedata

    from ingest.ocr_gate import _OK_PUNCT

    cids = len(re.findall(r"\(cid:\d+\)", text))
    chars = [c for c in re.sub(r"\(cid:\d+\)", "\ufffd", text) if not c.isspace()]
    bad = 0.0
    for char in chars:
        if char.isalnum() or char in _OK_PUNCT:
            continue
        category = unicodedata.category(char)
        odd = char == "\ufffd" or category in ("Co", "Cn", "Cc", "Cs", "Cf")
        if odd or not category.startswith(("P", "S")):
            bad += 1
        elif category.startswith("S") and ord(char) < 0x2000:
            bad += 0.5
    return len(chars), min(1.0, (bad + cids) / len(chars)) if chars else 0.0


@pytest.mark.parametrize("seed", range(10))
def test_text_quality_judges_each_odd_character_as_one_by_one(seed: int) -> None:
    import random

    from ingest.ocr_gate import text_quality

    rng = random.Random(seed)
    alphabet = [chr(c) for c in range(0x20, 0x3000) if rng.random() < 0.05] + list(
        " \t\n\r\u00a0\u2009\u3000_(cid:12)Zahl 1.234,5 € Straße\ufffd\ue000\u0301\u200b"
    )
    for _ in range(30):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        quality = text_quality(text)
        assert (quality.chars, quality.bad_ratio) == _quality_by_character(text), repr(text)
