"""Named documents (rag.entities) and financial query expansion (rag.expand)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.container import Services
from core.access import Viewer
from rag.entities import document_name, named_sources
from rag.events import fold
from rag.expand import expand, expansions, metrics, on_statement, statements_for
from store.qdrant import QdrantStore
from tests.conftest import make_settings
from tests.fakes.embedder import HashEmbedder

OPERATOR = Viewer.as_operator()

FILINGS = [
    "PFIZER_2021_10K.pdf",
    "Pfizer_2023Q2_10Q.pdf",
    "AMAZON_2017_10K.pdf",
    "reports/Adobe Annual Report.pdf",
    "THERMO_2022_10K.pdf",
]


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("PFIZER_2021_10K.pdf", "pfizer"),
        ("reports/Adobe Annual Report.pdf", "adobe"),
        ("JOHNSON_JOHNSON_2023_8K.pdf", "johnson"),
        ("2023_report.pdf", "report"),
    ],
)
def test_document_name_is_the_first_word_of_the_file_name(source: str, name: str) -> None:
    assert document_name(source) == name


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What was Pfizer's revenue in 2023?", ("PFIZER_2021_10K.pdf", "Pfizer_2023Q2_10Q.pdf")),
        ("Amazon DPO in FY2017?", ("AMAZON_2017_10K.pdf",)),
        ("Adobe's operating margin", ("reports/Adobe Annual Report.pdf",)),
        ("What is the quick ratio?", ()),  # "the" is no prefix of "thermo"
        ("How did the Thermostat line do?", ("THERMO_2022_10K.pdf",)),
    ],
)
def test_named_sources_matches_names_in_the_question(
    question: str, expected: tuple[str, ...]
) -> None:
    assert named_sources(question, FILINGS) == expected


def test_expand_adds_line_items_of_named_ratios_once() -> None:
    assert expansions("What is the quick ratio and current ratio?")[:2] == [
        "current assets",
        "cash and cash equivalents",
    ]
    assert expansions("What was total revenue?") == []
    assert expand("Amazon DPO?") == "Amazon DPO? (accounts payable; cost of sales)"
    assert expansions("EBITDA") == [
        "operating income",
        "depreciation",
        "amortization",
        "net income",
    ]


def _services(tmp_path: Path, **settings: object) -> Services:
    data = tmp_path / "docs"
    data.mkdir(exist_ok=True)
    (data / "ACME_2022_10K.md").write_text("# ACME\n\nTotal revenue was 1,577 million in 2022.\n")
    (data / "BETA_2022_10K.md").write_text("# Beta\n\nTotal revenue was 9,999 million in 2022.\n")
    services = Services(
        make_settings(tmp_path, **settings), QdrantStore.local(), HashEmbedder(), None
    )
    services.ingest([data], collection="test")
    return services


def test_prefer_named_documents_asks_only_the_named_filing(tmp_path: Path) -> None:
    on = _services(tmp_path, prefer_named_documents=True)
    state = fold(on.answer("What was Beta's total revenue?", collection="test", viewer=OPERATOR))
    assert {h.chunk.source for h in state.sources} == {"BETA_2022_10K.md"}
    off = _services(tmp_path, prefer_named_documents=False)
    state = fold(off.answer("What was Beta's total revenue?", collection="test", viewer=OPERATOR))
    assert {h.chunk.source for h in state.sources} == {"ACME_2022_10K.md", "BETA_2022_10K.md"}
    state = fold(
        on.answer("What was the total revenue?", collection="test", viewer=OPERATOR)
    )  # names none
    assert len({h.chunk.source for h in state.sources}) == 2


def test_retriever_expands_only_the_sparse_query(tmp_path: Path) -> None:
    services = _services(tmp_path, expand_financial_terms=True)
    calls: list[object] = []
    store = services.store
    original = store.search

    def spy(name: str, queries: object, **kwargs: object) -> object:
        calls.append(queries)
        return original(name, queries, **kwargs)  # type: ignore[arg-type]

    store.search = spy  # type: ignore[method-assign]
    fold(services.answer("What is ACME's EBITDA?", collection="test", viewer=OPERATOR))
    dense, sparse = calls[0]  # type: ignore[misc]
    assert dense.vector == services.embedder.embed_query("What is ACME's EBITDA?")
    from text.sparse import query_vector

    plain = set(query_vector("What is ACME's EBITDA?")[0])
    assert plain < set(sparse.indices)  # the line items' terms were added


@pytest.mark.parametrize(
    ("question", "statements"),
    [
        ("Does Adobe have an improving operating margin profile?", {"income"}),
        ("What is the FY2018 capex for 3M?", {"cash"}),
        ("Is the quick ratio healthy?", {"balance"}),
        ("What is Amazon's days payable outstanding (DPO)?", {"balance", "income"}),
        ("Wie hoch ist die Eigenkapitalquote 2023?", {"balance"}),
        ("Wie viel wurde laut Kapitalflussrechnung investiert?", {"cash"}),
        ("Who created Python?", set()),
        ("Which segment will be discontinued?", set()),
    ],
)
def test_statements_for_names_the_statement_a_metric_comes_from(
    question: str, statements: set[str]
) -> None:
    assert statements_for(question) == statements


def test_on_statement_reads_the_heading_path_or_the_first_lines() -> None:
    cash = frozenset({"cash"})
    assert on_statement(("Item 8.", "Consolidated Statements of Cash Flows"), "| Net |", cash)
    assert on_statement((), "ADOBE INC.\nCONSOLIDATED STATEMENTS OF CASH FLOWS\n| x |", cash)
    assert on_statement(("Konzernabschluss", "Konzern-Kapitalflussrechnung"), "", cash)
    assert on_statement(("Konzernbilanz zum 31. Dezember",), "", frozenset({"balance"}))
    assert not on_statement(("Item 7. Management's Discussion",), "Cash flows rose.", cash)
    assert not on_statement(("Bilanzierungsmethoden",), "", frozenset({"balance"}))


def test_a_ratio_question_lifts_the_statement_its_inputs_come_from(tmp_path: Path) -> None:
    data = tmp_path / "filing"
    data.mkdir()
    (data / "acme-discussion.md").write_text(
        "# Item 7. Management's Discussion\n\n"
        "Acme's margin improved as operating costs fell, management said.\n"
    )
    (data / "acme-statements.md").write_text(
        "# Consolidated Statements of Income\n\n"
        "| | 2022 | 2021 |\n|---|---|---|\n| Total revenue | 17,606 | 15,785 |\n"
        "| Operating income | 6,098 | 5,802 |\n"
    )
    question = "Does Acme have an improving operating margin?"

    def sources(expand_terms: bool) -> list[tuple[str, ...]]:
        services = Services(
            make_settings(tmp_path, expand_financial_terms=expand_terms),
            QdrantStore.local(), HashEmbedder(), None,
        )  # fmt: skip
        services.ingest([data], collection="test")
        state = fold(services.answer(question, collection="test", viewer=OPERATOR))
        return [h.chunk.headings for h in state.sources]

    assert sources(False)[0] == ("Item 7. Management's Discussion",)  # words shared
    assert sources(True)[0] == ("Consolidated Statements of Income",)  # the figures


def test_a_german_ratio_question_expands_to_german_line_items() -> None:
    # "eigenkapital" is in the question's own compound, which German BM25 splits anyway
    assert expansions("Wie hoch ist die Eigenkapitalquote 2023?") == ["bilanzsumme", "summe aktiva"]
    assert metrics("Wie hat sich die Liquidität 2. Grades entwickelt?") == ["liquidität 2. grades"]
    assert statements_for("Wie hoch ist die Nettoverschuldung?") == {"balance"}
