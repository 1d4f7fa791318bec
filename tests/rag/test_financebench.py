"""The answer eval's number normaliser and the FinanceBench reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import ConfigError
from rag.eval.financebench import contains_figure, figures, read_financebench


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$1,577 million", [1577.0, 1.577]),
        ("1577.00", [1577.0]),
        ("(56)", [-56.0]),
        ("36.8%", [36.8]),
        ("$1.58 billion", [1.58, 1580.0]),
        ("in FY 2022 revenue was 17,606", [17606.0]),
        ("Q2'2023 results", []),  # a quarter and a year are not figures
        ("no figures here", []),
    ],
)
def test_figures_reads_statement_numbers(text: str, expected: list[float]) -> None:
    assert figures(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("answer", "gold", "hit"),
    [
        ("Capital expenditure was 1577.00 [1].", "$1,577 million", True),
        ("It was $1,577 million.", "1577.00", True),
        ("About $1.58 billion.", "$1,577 million", True),
        ("It was $1,677 million.", "$1,577 million", False),
        ("Operating margin fell to 34.6% [2].", "No, it declined from 36.8% to 34.6%.", True),
        ("The ratio is 0.96.", "0.96", True),
        ("The ratio is 0.98.", "0.96", False),
        ("Yes, it did.", "Yes", True),
        ("The segment is Consumer Health.", "consumer  health", True),
        ("Pharma.", "Consumer Health", False),
    ],
)
def test_contains_figure_normalises_numbers(answer: str, gold: str, hit: bool) -> None:
    assert contains_figure(answer, gold) is hit


def test_read_financebench_gold_pages_are_one_based(tmp_path: Path) -> None:
    row = {
        "financebench_id": "fb1", "doc_name": "ACME_2022_10K", "question": "Revenue?",
        "answer": "$10", "evidence": [{"evidence_page_num": 0}, {"evidence_page_num": 4}],
    }  # fmt: skip
    (tmp_path / "questions.jsonl").write_text(json.dumps(row) + "\n")
    (question,) = read_financebench(tmp_path)
    assert question.gold_pages == frozenset({1, 5}) and question.doc_name == "ACME_2022_10K"


def test_read_financebench_bad_file_is_one_config_error(tmp_path: Path) -> None:
    (tmp_path / "questions.jsonl").write_text('{"question": "no id"}\n')
    with pytest.raises(ConfigError, match="not a FinanceBench questions file"):
        read_financebench(tmp_path)
