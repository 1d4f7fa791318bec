from __future__ import annotations

import pytest

from rag.citations import resolve
from rag.extractive import (
    LEAD,
    MAX_EMBEDDED,
    NOT_FOUND,
    candidates,
    cite,
    extractive_answer,
    rank_sentences,
)
from rag.wording import not_found, offline_lead, offline_not_found
from tests.fakes.chunks import scored
from tests.fakes.embedder import HashEmbedder

HANDBOOK = (
    "Welcome to Northwind. The office opens at 8 in the morning. "
    "Full-time employees receive 25 days of paid vacation per calendar year. "
    "Unused vacation days may be carried over until March 31."
)
FAQ = (
    "Beacon synchronises devices every hour. Contractors are not entitled to paid vacation "
    "under the Northwind policy. The Beacon app runs on Linux and macOS."
)


def _answer(query: str, sources: list, **kwargs: object) -> str:
    return "".join(extractive_answer(query, sources, **kwargs))  # type: ignore[arg-type]


def test_extractive_answer_quotes_best_sentence_with_its_marker() -> None:
    sources = [scored(HANDBOOK, page=2), scored(FAQ, source="faq.md", page=None)]
    text = _answer("How many vacation days do employees get?", sources)
    assert text.startswith(LEAD)
    first = text[len(LEAD) :].splitlines()[0]
    assert first == "- Full-time employees receive 25 days of paid vacation per calendar year [1]."


def test_extractive_answer_cites_the_right_source_number() -> None:
    sources = [scored(HANDBOOK), scored(FAQ, source="faq.md", page=None)]
    text = _answer("Do contractors get paid vacation?", sources)
    assert "Contractors are not entitled to paid vacation under the Northwind policy [2]." in text


def test_extractive_answer_nothing_relevant_says_so() -> None:
    sources = [scored(HANDBOOK)]
    assert _answer("What is the boiling point of mercury?", sources) == NOT_FOUND
    assert "Offline mode" in NOT_FOUND


def test_extractive_answer_no_sources_says_not_found() -> None:
    assert _answer("vacation days", []) == NOT_FOUND


def test_extractive_answer_citations_resolve_to_quoted_sentences() -> None:
    sources = [scored(HANDBOOK), scored(FAQ, source="faq.md", page=None)]
    text = _answer("vacation days carried over", sources)
    result = resolve(text, sources)
    assert result.citations and not result.dropped and not result.uncited
    for citation in result.citations:
        assert citation.quote in citation.chunk.text
        assert citation.quote[:-1] in text  # each quote appears verbatim (minus its full stop)


def test_extractive_answer_limits_sentences() -> None:
    topics = ["travel", "parking", "laptops", "holidays", "training", "badges"]
    text = " ".join(f"The vacation rule for {t} differs from the others." for t in topics)
    answer = _answer("vacation rule", [scored(text)], max_sentences=2)
    assert answer.count("\n- ") == 2


def test_rank_sentences_with_embedder_still_ranks_matching_sentence_first() -> None:
    picks = rank_sentences("paid vacation days", [scored(HANDBOOK)], embedder=HashEmbedder(256))
    assert picks[0].sentence.startswith("Full-time employees receive 25 days")


def test_cite_puts_marker_before_full_stop() -> None:
    assert cite("It is so.", 3) == "It is so [3]."
    assert cite("Is it?", 1) == "Is it? [1]"


def test_extractive_answer_skips_questions_and_cut_off_fragments() -> None:
    text = (
        "vacation days are counted per year. How many vacation days do I get?\n\n"
        "Every employee gets 30 vacation days."
    )
    answer = _answer("How many vacation days do I get?", [scored(text)])
    assert "- Every employee gets 30 vacation days [1]." in answer
    assert "How many" not in answer and "are counted" not in answer


def test_extractive_answer_overlapping_chunks_quote_a_sentence_once() -> None:
    whole = "Contractors are not eligible for the home-office allowance; their rates cover it."
    first = scored("Intro sentence that is long enough. Contractors are not eligible for the home")
    second = scored(f"Another sentence about policies here. {whole}", position=1)
    text = _answer("Are contractors eligible for the allowance?", [first, second])
    assert text.count("Contractors are not eligible") == 1
    assert f"{whole[:-1]} [2]." in text


def test_rank_sentences_embeds_a_bounded_number_of_sentences() -> None:
    embedder = HashEmbedder(64)
    text = " ".join(f"Rule {i} says the vacation policy applies to team {i}." for i in range(60))
    rank_sentences("vacation policy", [scored(text)], embedder=embedder)
    assert embedder.calls == [MAX_EMBEDDED]


def test_extractive_answer_follow_up_quotes_only_sentences_about_its_own_words() -> None:
    sources = [scored(HANDBOOK, page=2), scored(FAQ, source="faq.md", page=None)]
    rewritten = "How many vacation days do employees get? and for contractors?"

    focused = _answer(rewritten, sources, focus="and for contractors?")
    unfocused = _answer(rewritten, sources)

    assert "25 days of paid vacation" in unfocused  # the rewritten query alone drifts back
    quoted = focused[len(LEAD) :].splitlines()
    assert quoted == [
        "- Contractors are not entitled to paid vacation under the Northwind policy [2]."
    ]


def test_extractive_answer_follow_up_without_matching_sentence_falls_back_to_query() -> None:
    sources = [scored(HANDBOOK, page=2)]
    text = _answer(
        "How many vacation days do employees get? and interns?", sources, focus="and interns?"
    )
    assert "25 days of paid vacation per calendar year [1]." in text


HANDBUCH = (
    "Vollzeitbeschäftigte erhalten 30 Urlaubstage pro Kalenderjahr. "
    "Nicht genommene Urlaubstage verfallen am 31. März des Folgejahres. "
    "Flüge werden erstattet, wenn die Budgetverantwortliche sie vorab genehmigt hat."
)


def test_extractive_answer_german_question_gets_german_lead_and_unbroken_date() -> None:
    text = _answer("Wie viele Urlaubstage bekomme ich?", [scored(HANDBUCH)])
    assert text.startswith(offline_lead("de")) and offline_lead("de") != LEAD
    assert "- Vollzeitbeschäftigte erhalten 30 Urlaubstage pro Kalenderjahr [1]." in text
    assert "- Nicht genommene Urlaubstage verfallen am 31. März des Folgejahres [1]." in text


def test_extractive_answer_german_stemming_matches_inflected_words() -> None:
    # "erstattet" in the question, "erstattet" in the sentence; "Flüge"/"Flug" share a stem
    text = _answer("Wird ein Flug erstattet?", [scored(HANDBUCH)])
    assert "Flüge werden erstattet" in text, text


def test_extractive_answer_german_nothing_relevant_says_so_in_german() -> None:
    text = _answer("Wie hoch ist die Hundesteuer?", [scored(HANDBUCH)])
    assert text == offline_not_found("de")
    assert text.startswith(not_found("de"))


def test_extractive_answer_language_given_overrides_detection() -> None:
    text = _answer("Urlaubstage", [scored(HANDBUCH)], language="en")
    assert text.startswith(LEAD)


def test_extractive_figure_question_quotes_the_table_row_that_carries_it() -> None:
    table = scored(
        "ACME reports its results below.\n"
        "| CONSOLIDATED STATEMENTS OF INCOME |\n"
        "| | 2022 | 2021 |\n"
        "| Total revenue | 1,577 | 1,400 |\n"
        "| Cost of revenue | 900 | 850 |\n"
        "| Gross profit | 677 | 550 |"
    )
    prose = scored("Total revenue grew because customers bought more anvils than in the past.")
    answer = "".join(extractive_answer("What was ACME's total revenue in 2022?", [table, prose]))
    first = answer.removeprefix(LEAD).splitlines()[0]
    assert first == "- Total revenue: 1,577 (2022), 1,400 (2021) [1]"  # the years say which
    assert "| | 2022 | 2021 |" not in answer  # a header row is no answer


def test_extractive_figure_question_prefers_an_amount_to_a_sentence_with_only_a_year() -> None:
    dated = scored("The revenue of the Consumer Health business was reported in March 2023.")
    amount = scored("The revenue of the Consumer Health business was $15.0 billion.")
    answer = _answer("What was the revenue of the Consumer Health business?", [dated, amount])
    assert answer.removeprefix(LEAD).splitlines()[0].endswith("$15.0 billion [2].")


def test_extractive_how_many_question_still_takes_a_number_in_words() -> None:
    sources = [
        scored("The council of the city has several standing committees and many members."),
        scored("The council of the city has seven members elected every four years."),
    ]
    answer = _answer("How many members does the city council have?", sources)
    first = answer.removeprefix(LEAD).splitlines()[0]
    assert first.startswith("- The council of the city has seven")


class SameEmbedder(HashEmbedder):
    """Every text at cosine 1 from every other: only the lexical scores and bonuses rank."""

    def _vector(self, text: str) -> list[float]:
        return [1.0] + [0.0] * (self.dim - 1)


def test_a_ratio_question_quotes_the_rows_the_ratio_is_computed_from() -> None:
    income = scored(
        "| | 2022 | 2021 |\n"
        "| Subscription revenue | 16,388 | 14,573 |\n"
        "| Total revenue | 17,606 | 15,785 |\n"
        "| Operating expenses | 9,343 | 8,118 |\n"
        "| Operating lease cost | 112 | 113 |\n"
        "| Total cost of revenue | 2,165 | 1,865 |\n"
        "| Operating income | 6,098 | 5,802 |"
    )
    question = "Does Adobe have an improving operating margin profile?"
    rows = _answer(question, [income]).removeprefix(LEAD).splitlines()  # other rows: too far
    assert rows == [
        "- Operating income: 6,098 (2022), 5,802 (2021) [1]",
        "- Total revenue: 17,606 (2022), 15,785 (2021) [1]",
    ]
    alike = "".join(extractive_answer(question, [income], embedder=SameEmbedder()))
    assert alike.removeprefix(LEAD).splitlines()[:2] == [  # every row close: the inputs first
        "- Operating income: 6,098 (2022), 5,802 (2021) [1]",
        "- Total revenue: 17,606 (2022), 15,785 (2021) [1]",
    ]


@pytest.mark.parametrize(
    ("table", "question", "first"),
    [
        (
            "| | 2022 | 2021 |\n"
            "| Income before income taxes | 1,797 | 2,426 |\n"
            "| Provision for income taxes | (411) | (491) |\n"
            "| Effective tax rate | 23% | 20% |",
            "How much has the effective tax rate of Corning changed between FY2021 and FY2022?",
            "- Effective tax rate: 23% (2022), 20% (2021) [1]",
        ),
        (
            "| | 2023 | 2022 |\n"
            "| Sachanlagen | 1.204 | 1.180 |\n"
            "| Eigenkapital | 4.512 | 4.310 |\n"
            "| Bilanzsumme | 9.980 | 9.995 |\n"
            "| Eigenkapitalquote | 45,2 % | 43,1 % |",
            "Wie hoch war die Eigenkapitalquote?",
            "- Eigenkapitalquote: 45,2 % (2023), 43,1 % (2022) [1]",
        ),
    ],
)
def test_a_row_that_states_the_named_ratio_comes_first_with_its_years(
    table: str, question: str, first: str
) -> None:
    answer = "".join(extractive_answer(question, [scored(table)], embedder=SameEmbedder()))
    assert answer.splitlines()[2] == first  # after the lead line and a blank line


def test_a_header_of_dates_is_not_quoted_as_a_row() -> None:
    table = scored(
        "| Years Ended | December 2, | December 3, |\n"
        "|  | 2022 | 2021 |\n"
        "| Total revenue | 17,606 | 15,785 |"
    )
    quotable = [c.sentence for c in candidates([table])]
    assert quotable == ["Total revenue: 17,606 (2022), 15,785 (2021)"]
