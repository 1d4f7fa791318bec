"""Documents a question dates (rag.periods) and the preference that combines names and periods."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.container import Services
from core.access import Viewer
from rag.entities import initials, named_sources, preferred_sources
from rag.events import fold
from rag.periods import Period, dated_sources, period
from store.qdrant import QdrantStore
from tests.conftest import make_settings
from tests.fakes.embedder import HashEmbedder

FILINGS = [
    "PFIZER_2021_10K.pdf",
    "Pfizer_2023Q2_10Q.pdf",
    "AMAZON_2017_10K.pdf",
    "JOHNSON_JOHNSON_2022_10K.pdf",
    "JOHNSON_JOHNSON_2023_8K_dated-2023-08-30.pdf",
    "MGMRESORTS_2022Q4_EARNINGS.pdf",
    "CVSHEALTH_2022_10K.pdf",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PFIZER_2021_10K", Period(frozenset({2021}), frozenset(), frozenset({"10-K"}))),
        ("Pfizer_2023Q2_10Q", Period(frozenset({2023}), frozenset({2}), frozenset({"10-Q"}))),
        ("MGMRESORTS_2022Q4_EARNINGS", Period(frozenset({2022}), frozenset({4}), frozenset())),
        ("Did Pfizer grow its PPNE between FY20 and FY21?",
         Period(frozenset({2020, 2021}), frozenset(), frozenset())),
        ("Which region had the biggest drop in Q22023?",
         Period(frozenset({2023}), frozenset({2}), frozenset())),
        ("As of Q2'2023, is Pfizer spinning off anything?",
         Period(frozenset({2023}), frozenset({2}), frozenset())),
        ("in the second quarter of FY 2022, per the 8-K",
         Period(frozenset({2022}), frozenset({2}), frozenset({"8-K"}))),
        ("How many employees are there?", Period(frozenset(), frozenset(), frozenset())),
        ("Revenue was 12,345 million", Period(frozenset(), frozenset(), frozenset())),
    ],
)  # fmt: skip
def test_period_reads_years_quarters_and_forms(text: str, expected: Period) -> None:
    assert period(text) == expected


@pytest.mark.parametrize(
    ("question", "sources", "expected"),
    [
        # the year named picks that year's filing of the company
        ("Pfizer's PPNE between FY20 and FY21?", FILINGS[:2], ("PFIZER_2021_10K.pdf",)),
        # a year no filing carries: the earliest filing that still reports on it
        ("Pfizer's net income in 2019?", FILINGS[:2], ("PFIZER_2021_10K.pdf",)),
        ("Pfizer's drop in Q2'2023?", FILINGS[:2], ("Pfizer_2023Q2_10Q.pdf",)),
        ("companies acquired by Pfizer in this 10K report", FILINGS[:2], ("PFIZER_2021_10K.pdf",)),
        ("JnJ's gain as of August 30, 2023", FILINGS[3:5], (FILINGS[4],)),
        # a quarter no filing of that year carries: the year alone decides
        ("CVS dividends in Q2 of FY2022?", ["CVSHEALTH_2022_10K.pdf", "AMAZON_2017_10K.pdf"],
         ("CVSHEALTH_2022_10K.pdf",)),
        # nothing dated, or nothing of that period: no preference
        ("How much will Pfizer pay to spin off Upjohn?", FILINGS[:2], ()),
        ("Pfizer's revenue in 1995?", FILINGS[:2], ()),
        ("Revenue in 2022?", ["A_2022.pdf", "B_2022.pdf"], ()),
    ],
)  # fmt: skip
def test_dated_sources_keeps_the_documents_of_the_named_period(
    question: str, sources: list[str], expected: tuple[str, ...]
) -> None:
    assert dated_sources(question, sources) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Is CVS Health capital-intensive?", ("CVSHEALTH_2022_10K.pdf",)),
        ("Which region had the highest EBITDAR for MGM?", ("MGMRESORTS_2022Q4_EARNINGS.pdf",)),
        ("How many times has JnJ sold its inventory?", tuple(FILINGS[3:5])),
        ("What did J&J gain?", tuple(FILINGS[3:5])),
        ("What does the cvs file say?", ()),  # lower case "cvs": 3 letters name nothing
        ("How did the FY go?", ()),  # "FY" spells no initials of these names
    ],
)
def test_named_sources_reads_short_names_in_capitals_and_initials(
    question: str, expected: tuple[str, ...]
) -> None:
    assert named_sources(question, FILINGS) == expected


def test_initials_need_a_name_of_several_words() -> None:
    assert initials("JOHNSON_JOHNSON_2022_10K.pdf") == "jj"
    assert initials("reports/Adobe Annual Report.pdf") == "aar"
    assert initials("PFIZER_2021_10K.pdf") == ""


def test_preferred_sources_applies_names_then_periods() -> None:
    question = "What was Pfizer's revenue in Q2 2023?"
    assert preferred_sources(question, FILINGS, names=True, periods=True) == (
        "Pfizer_2023Q2_10Q.pdf",
    )
    assert preferred_sources(question, FILINGS, names=True, periods=False) == tuple(
        sorted(FILINGS[:2])
    )
    assert preferred_sources(question, FILINGS, names=False, periods=True) == (
        "Pfizer_2023Q2_10Q.pdf",
    )  # the quarter decides between the two filings of 2023
    assert preferred_sources("Revenue in 2023?", FILINGS, names=False, periods=True) == (
        "JOHNSON_JOHNSON_2023_8K_dated-2023-08-30.pdf",
        "Pfizer_2023Q2_10Q.pdf",
    )
    assert preferred_sources(question, FILINGS, names=False, periods=False) == ()


def test_prefer_named_periods_asks_only_that_years_filing(tmp_path: Path) -> None:
    data = tmp_path / "docs"
    data.mkdir()
    (data / "ACME_2021_10K.md").write_text("# ACME\n\nTotal revenue was 1,200 million.\n")
    (data / "ACME_2022_10K.md").write_text("# ACME\n\nTotal revenue was 1,577 million.\n")
    viewer = Viewer.as_operator()

    def sources(**settings: object) -> set[str]:
        services = Services(
            make_settings(tmp_path, **settings), QdrantStore.local(), HashEmbedder(), None
        )
        services.ingest([data], collection="test")
        state = fold(services.answer("ACME total revenue in FY2022?", collection="test",
                                     viewer=viewer))  # fmt: skip
        return {h.chunk.source for h in state.sources}

    assert sources(prefer_named_periods=True) == {"ACME_2022_10K.md"}
    assert sources(prefer_named_periods=False) == {"ACME_2021_10K.md", "ACME_2022_10K.md"}
