"""Prose pages read by pdfium, table pages by pypdf's layout mode (ingest/loaders/pdf_text.py)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from ingest.loaders import load
from ingest.loaders.pdf_text import PdfiumText, figure_rows, fragmented, is_prose, mend
from tests.pdf_factory import serialize

PROSE = (
    "The committee met in March 2022 to review the handbook. Every team reads the safety "
    "chapter before its first shift, and the night crew signs the register at the gate. "
    "Questions about the rota go to the office, which answers them within two working days."
)
ROWS = [
    ("", "2022", "2021", "2020"),
    ("Total revenue", "17,606", "15,785", "12,868"),
    ("Cost of revenue", "2,165", "1,865", "1,722"),
    ("Gross profit", "15,441", "13,920", "11,146"),
    ("Operating income", "6,098", "5,802", "4,237"),
    ("Interest and other income", "(64)", "(31)", "(34)"),
    ("Income before income taxes", "6,034", "5,771", "4,203"),
    ("Provision for income taxes", "1,252", "1,012", "(1,057)"),
    ("Net income", "4,756", "4,822", "5,260"),
]


def _text(x: int, y: int, text: str) -> str:
    return f"BT /F1 10 Tf {x} {y} Td ({text}) Tj ET"


def _prose_stream() -> str:
    words, lines, line = PROSE.split(), [], ""
    for word in words:
        if len(line) + len(word) > 80:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(_text(56, 760 - 14 * i, line) for i, line in enumerate(lines))


def _table_stream() -> str:
    ops = [_text(56, 780, "CONSOLIDATED STATEMENTS OF INCOME")]
    for i, row in enumerate(ROWS):
        y = 750 - 16 * i
        ops += [_text(56, y, row[0])] if row[0] else []
        ops += [_text(300 + 80 * j, y, cell) for j, cell in enumerate(row[1:])]
    return "\n".join(ops)


def _pdf(streams: list[str]) -> bytes:
    objects = [b"", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for stream in streams:
        body = stream.encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % len(objects)
        )
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    refs = b" ".join(b"%d 0 R" % k for k in kids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))
    return serialize(objects, root=1)


def _pdfium_text(path: Path, index: int) -> str:
    document = pdfium.PdfDocument(str(path))
    try:
        return str(document[index].get_textpage().get_text_range())
    finally:
        document.close()


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "report.pdf"
    path.write_bytes(_pdf([_prose_stream(), _table_stream()]))
    return path


def test_prose_page_is_read_by_pdfium_table_page_left_to_pypdf(report: Path) -> None:
    assert is_prose(mend(_pdfium_text(report, 1)))  # long and clean: only its rows decide
    fast = PdfiumText.open(report, None, 2)
    assert fast is not None
    try:
        prose = fast.prose(0)
        assert prose is not None and "night crew signs the register" in prose
        assert fast.prose(1) is None  # the statement table keeps the layout path
    finally:
        fast.close()


def test_contents_page_and_numbered_code_are_prose(tmp_path: Path) -> None:
    contents = [
        (f"{n}.{k} The handbook on topic {'ABC'[k - 1]} " + ". " * 30, str(10 * n + k))
        for n in range(1, 4)
        for k in range(1, 4)
    ]
    code = [(f"{n:05d}", f"int value_{n} = compute(alpha, beta);  // step {n}") for n in range(9)]
    page = [_text(56, 780 - 16 * i, left) + "\n" + _text(520, 780 - 16 * i, right)
            for i, (left, right) in enumerate(contents)]  # fmt: skip
    page += [_text(56, 600 - 14 * i, number) + "\n" + _text(100, 600 - 14 * i, line)
             for i, (number, line) in enumerate(code)]  # fmt: skip
    path = tmp_path / "manual.pdf"
    path.write_bytes(_pdf(["\n".join(page)]))
    fast = PdfiumText.open(path, None, 1)
    assert fast is not None
    try:
        text = fast.prose(0)
    finally:
        fast.close()
    assert text is not None and "2.3 The handbook on topic C" in text and "value_8" in text


def test_load_table_page_keeps_markdown_rows_prose_page_keeps_its_words(
    report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers: list[str | None] = []
    prose = PdfiumText.prose

    def spy(self: PdfiumText, index: int) -> str | None:
        answers.append(prose(self, index))
        return answers[-1]

    monkeypatch.setattr(PdfiumText, "prose", spy)
    document = load(report, root=report.parent)
    assert [answer is not None for answer in answers] == [True, False]
    by_page = {page: [b for b in document.blocks if b.page == page] for page in (1, 2)}
    assert "Questions about the rota go to the office" in by_page[1][0].text
    table = "\n".join(b.text for b in by_page[2])
    assert "| Total revenue | 17,606 | 15,785 | 12,868 |" in table
    assert "| Operating income | 6,098 | 5,802 | 4,237 |" in table


def test_load_reads_every_page_with_pypdf_when_pdfium_refuses_the_file(
    report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise pdfium.PdfiumError("refused")

    monkeypatch.setattr(pdfium, "PdfDocument", refuse)
    assert PdfiumText.open(report, None, 2) is None
    document = load(report, root=report.parent)
    text = "\n".join(b.text for b in document.blocks)
    assert "night crew signs the register" in text
    assert "| Total revenue | 17,606 | 15,785 | 12,868 |" in text


def test_page_count_disagreement_sends_the_file_to_pypdf(report: Path) -> None:
    assert PdfiumText.open(report, None, 3) is None


def test_page_pdfium_cannot_read_goes_to_pypdf(report: Path) -> None:
    fast = PdfiumText.open(report, None, 2)
    assert fast is not None
    try:
        assert fast.prose(7) is None
    finally:
        fast.close()


@pytest.mark.parametrize(
    ("text", "prose"),
    [
        (PROSE, True),
        (PROSE[:150], False),  # under 200 clean characters: the OCR gate decides on pypdf's
        ("\ufffd\ufffd x " * 80, False),  # a broken font map
    ],
)
def test_is_prose(text: str, prose: bool) -> None:
    assert is_prose(text) is prose


@pytest.mark.parametrize(
    ("line", "row"),
    [
        ("Net income $ 4,756 $ 4,822 $ 5,260", True),
        ("Interest income (64) (31) 12", True),
        ("U.S. statutory income tax rate 21.0 % 21.0 %", True),
        ("1,071 1,085 (1.3)", True),  # figures continuing the label above
        ("In 2022 the board met 12 times", False),  # prose with figures
        ("> incomes <- c(60, 49, 40, 61)", False),  # code
        ("[1] 2 3 4 5", False),  # a console print-out: no money punctuation
    ],
)
def test_figure_rows_reads_statement_rows_not_prose_or_code(line: str, row: bool) -> None:
    assert figure_rows(line) == int(row)


def test_fragmented_needs_most_lines_short() -> None:
    assert fragmented("\n".join("PulmonaryHypertension"))
    assert not fragmented("\n".join([PROSE] * 25))


def test_mend_writes_line_end_hyphens_back_and_unix_line_ends() -> None:
    assert mend("third\ufffeparty func\x02tion\r\nnext") == "third-party func-tion\nnext"
