from __future__ import annotations

import pytest

from rag.citations import (
    best_quote,
    claims_citing,
    declines,
    locate,
    parse_markers,
    resolve,
    strip_markers,
)
from tests.fakes.chunks import scored


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Claim [1].", [1]),
        ("Claim [1, 2] and more [3].", [1, 2, 3]),
        ("Claim [1][2].", [1, 2]),
        ("Claim [2-4].", [2, 3, 4]),
        ("Claim [Source 3].", [3]),
        ("Claim [sources: 1; 2].", [1, 2]),
        ("A list [a] and a year [2024 is not] here.", []),
        ("No markers at all.", []),
        ("Huge range [1-300].", [1, 300]),
    ],
)
def test_parse_markers_table(text: str, numbers: list[int]) -> None:
    assert parse_markers(text) == numbers


def test_strip_markers_removes_markers_and_space_before_punctuation() -> None:
    assert strip_markers("You get 25 days [1]. Contractors none [2, 3].") == (
        "You get 25 days. Contractors none."
    )


def test_claims_citing_marker_after_full_stop_belongs_to_that_sentence() -> None:
    claims = claims_citing("Alpha is first. [1] Beta is second [2].")
    assert claims == {1: ["Alpha is first."], 2: ["Beta is second"]}


def test_resolve_orders_by_first_citation_and_drops_unknown() -> None:
    sources = [scored("One.", position=0), scored("Two.", position=1), scored("Three.", position=2)]
    result = resolve("B is true [3]. A is true [1]. C [7]. Again [3].", sources)
    assert [c.number for c in result.citations] == [3, 1]
    assert result.citations[0].chunk == sources[2].chunk
    assert result.dropped == (7,)
    assert result.uncited is False


def test_resolve_answer_without_valid_citation_is_flagged() -> None:
    result = resolve("Employees get 25 days [9].", [scored("Employees get 25 days.")])
    assert result.citations == ()
    assert result.dropped == (9,)
    assert result.uncited is True


def test_resolve_declining_answer_is_not_flagged() -> None:
    result = resolve("The documents do not say.", [scored("Something else.")])
    assert result.uncited is False
    assert declines("I could not find this in your documents.")


def test_resolve_quote_is_the_supporting_sentence() -> None:
    text = "The office opens at 8. Employees get 25 vacation days per year. Parking is free."
    result = resolve("Staff have 25 days of vacation each year [1].", [scored(text)])
    assert result.citations[0].quote == "Employees get 25 vacation days per year."


def test_best_quote_nothing_in_common_is_empty() -> None:
    assert best_quote("The office opens at 8.", ["Quantum chromodynamics"]) == ""


def test_locate_ignores_whitespace_differences() -> None:
    text = "Intro.\nEmployees get   25\nvacation days. End."
    span = locate(text, "Employees get 25 vacation days.")
    assert span is not None
    assert text[span[0] : span[1]].split() == ["Employees", "get", "25", "vacation", "days."]
    assert locate(text, "not there") is None


def test_best_quote_prefers_full_sentence_over_heading_inside_claim() -> None:
    text = "Support\n\nSupport is available by email on working days."
    quote = best_quote(text, ["Support is available by email on working days"])
    assert quote == "Support is available by email on working days."


def test_best_quote_marks_the_table_row_a_claim_quotes_not_the_whole_table() -> None:
    table = (
        "Consolidated statements of income.\n"
        "| | 2022 | 2021 |\n"
        "| Total cost of revenue | 2,165 | 1,865 |\n"
        "| Total revenue | 17,606 | 15,785 |\n"
        "| Operating income | 6,098 | 5,802 |"
    )
    claim = "Total revenue: 17,606 (2022), 15,785 (2021)"  # as the offline answer quotes a row
    assert best_quote(table, [claim]) == "| Total revenue | 17,606 | 15,785 |"
    assert best_quote(table, ["| Operating income | 6,098 | 5,802 |"]) == (
        "| Operating income | 6,098 | 5,802 |"
    )
