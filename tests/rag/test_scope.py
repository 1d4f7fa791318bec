"""Scoped questions: patterns -> the collection's documents -> a retrieval filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.container import Services
from core.access import Viewer
from core.errors import ScopeError
from rag.events import Citations, Failed, Sources, fold
from rag.scope import matches, resolve_sources, scope_filter

OPERATOR = Viewer.as_operator()

NAMES = [
    "filings/AMAZON_2017_10K.pdf",
    "filings/Pfizer_2023Q2_10Q.pdf",
    "filings/PFIZER_2021_10K.pdf",
    "handbook.md",
    "hr/leave/policy.docx",
]


@pytest.mark.parametrize(
    ("pattern", "source", "hit"),
    [
        ("handbook.md", "handbook.md", True),
        ("Vertrag [final].pdf", "Vertrag [final].pdf", True),  # its own name, not a glob
        ("*.md", "handbook.md", True),
        ("filings/*", "filings/AMAZON_2017_10K.pdf", True),
        ("*10Q*", "filings/Pfizer_2023Q2_10Q.pdf", True),
        ("hr", "hr/leave/policy.docx", True),
        ("hr/", "hr/leave/policy.docx", True),
        ("amazon_2017", "filings/AMAZON_2017_10K.pdf", True),  # file-name prefix, any case
        ("pfizer", "filings/PFIZER_2021_10K.pdf", True),
        ("*.pdf", "handbook.md", False),
        ("10K", "filings/AMAZON_2017_10K.pdf", False),  # not a prefix, not a glob
        ("", "handbook.md", False),
        ("   ", "handbook.md", False),
    ],
)
def test_matches_names_globs_folders_and_prefixes(pattern: str, source: str, hit: bool) -> None:
    assert matches(pattern, source) is hit


def test_resolve_sources_union_of_patterns_sorted() -> None:
    assert resolve_sources(["pfizer", "*.md"], NAMES) == (
        "filings/PFIZER_2021_10K.pdf",
        "filings/Pfizer_2023Q2_10Q.pdf",
        "handbook.md",
    )


def test_resolve_sources_pattern_matching_nothing_fails_instead_of_widening() -> None:
    with pytest.raises(ScopeError, match="'verizon'"):
        resolve_sources(["amazon", "verizon"], NAMES)


def test_scope_filter_none_without_patterns() -> None:
    assert scope_filter([], NAMES) is None
    scoped = scope_filter(["hr/"], NAMES)
    assert scoped is not None and scoped.sources == ("hr/leave/policy.docx",)


def _write(root: Path) -> None:
    (root / "alpha").mkdir()
    (root / "alpha" / "travel.md").write_text(
        "# Travel\n\nTrain tickets are reimbursed in second class. Hotels: 120 EUR.\n"
    )
    (root / "beta.md").write_text(
        "# Travel at Beta\n\nTrain tickets are reimbursed in first class. Hotels: 200 EUR.\n"
    )


def test_services_answer_scoped_offline_cites_only_the_scoped_document(
    memory_services: Services, tmp_path: Path
) -> None:
    _write(tmp_path)
    memory_services.ingest([tmp_path], collection="test")
    unscoped = fold(
        memory_services.answer("Which class are train tickets?", collection="test", viewer=OPERATOR)
    )
    assert {h.chunk.source for h in unscoped.sources} == {"alpha/travel.md", "beta.md"}

    for pattern, source in [("beta*", "beta.md"), ("alpha", "alpha/travel.md")]:
        events = list(
            memory_services.answer(
                "Which class are train tickets?",
                collection="test",
                viewer=OPERATOR,
                sources=[pattern],
            )
        )
        sources = next(e for e in events if isinstance(e, Sources)).chunks
        citations = next(e for e in events if isinstance(e, Citations)).citations
        assert sources and {h.chunk.source for h in sources} == {source}
        assert citations and {c.chunk.source for c in citations} == {source}


def test_services_answer_unknown_scope_fails_in_one_line(
    memory_services: Services, tmp_path: Path
) -> None:
    _write(tmp_path)
    memory_services.ingest([tmp_path], collection="test")
    state = fold(
        memory_services.answer("q?", collection="test", viewer=OPERATOR, sources=["gamma"])
    )
    assert state.failed == "No document matches 'gamma' in this collection."
    assert state.sources == ()


def test_services_answer_scope_checks_access_before_listing_documents(
    memory_services: Services, tmp_path: Path
) -> None:
    _write(tmp_path)
    memory_services.ingest([tmp_path], collection="test")
    viewer = Viewer(user="eve", acl={"test": ["alice"]})
    events = list(memory_services.answer("q?", collection="test", sources=["x"], viewer=viewer))
    failed = next(e for e in events if isinstance(e, Failed))
    assert "may not read" in failed.message and "No document" not in failed.message


def test_resolve_sources_full_name_selects_that_document_only() -> None:
    assert resolve_sources(["0-1"], ["0-1", "0-10", "0-11"]) == ("0-1",)
    assert resolve_sources(["0-1*"], ["0-1", "0-10", "2-1"]) == ("0-1", "0-10")
