"""`Outcomes`: a run's file outcomes, packed, and the same outcomes when read back."""

from __future__ import annotations

import pytest

from core.reasons import Reason
from core.records import FileOutcome, FileStatus, IngestReport, Outcomes


def test_outcomes_read_back_as_they_were_given_in_order() -> None:
    given = [
        FileOutcome("handbook.pdf", FileStatus.INGESTED, chunks=12, pages=3),
        FileOutcome("Ärger ü\udcff.md", FileStatus.UNCHANGED),  # not UTF-8 on disk
        FileOutcome("scan.pdf", FileStatus.INGESTED, chunks=2, pages=2, ocr_pages=2,
                    ocr_confidence=0.8, warnings=(Reason("no_text_on_pages", pages="2"),)),
        FileOutcome("bad.pdf", FileStatus.FAILED, Reason("pdf_unreadable", detail="EOF")),
        FileOutcome("gone.md", FileStatus.PRUNED, Reason("no_longer_found")),
    ]  # fmt: skip

    outcomes = Outcomes(given)

    assert list(outcomes) == given and outcomes == given and len(outcomes) == 5
    assert outcomes[2] is given[2]  # an outcome with more to say is kept whole
    assert outcomes[-1] == given[-1] and outcomes[1].source == "Ärger ü\udcff.md"
    with pytest.raises(IndexError):
        outcomes[5]
    assert outcomes.count(FileStatus.INGESTED) == 2 and outcomes.chunks == 14


def test_ingest_report_takes_a_list_and_grows_like_one() -> None:
    report = IngestReport("docs", files=[FileOutcome("a.md", FileStatus.INGESTED, chunks=1)])

    report.files += [FileOutcome("b.md", FileStatus.SKIPPED, Reason("no_text"))]
    report.files.append(FileOutcome("c.md", FileStatus.INGESTED, chunks=4))

    assert isinstance(report.files, Outcomes)
    assert [f.source for f in report.files] == ["a.md", "b.md", "c.md"]
    assert (report.count(FileStatus.INGESTED), report.count("skipped"), report.chunks) == (2, 1, 5)
    assert report.ok
