from __future__ import annotations

import pytest

from rag.sentences import content_terms, split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One here. Two there! Three?", ["One here.", "Two there!", "Three?"]),
        ("See e.g. the table. Next one.", ["See e.g. the table.", "Next one."]),
        ("Wrapped line that goes\non here. Next.", ["Wrapped line that goes on here.", "Next."]),
        (
            "Vacation and leave\nEmployees get 30 days.",
            ["Vacation and leave", "Employees get 30 days."],
        ),
        ("Para one\n\npara two", ["Para one", "para two"]),
        ("Intro:\n- first item\n- second item", ["Intro:", "- first item", "- second item"]),
        ("Version 2.5 is out. It works.", ["Version 2.5 is out.", "It works."]),
        ("", []),
    ],
)
def test_split_sentences_table(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_content_terms_drop_stopwords_and_stem() -> None:
    assert content_terms("How many vacation days do the employees get?") == [
        "vacat",
        "day",
        "employe",
    ]
