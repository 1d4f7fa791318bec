from __future__ import annotations

import pytest

from text import language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Der Arbeitnehmer hat Anspruch auf bezahlten Erholungsurlaub.", "de"),
        ("Wie lange ist die Kündigungsfrist in der Probezeit?", "de"),
        ("The employee is entitled to paid annual leave.", "en"),
        ("What is the notice period during probation?", "en"),
        ("Le salarié a droit à un congé payé chaque année.", "fr"),
    ],
)
def test_detects_the_language_of_chunks_and_questions(text: str, expected: str) -> None:
    assert language.detect(text) == expected


def test_too_little_text_is_the_default_and_unsure() -> None:
    assert language.guess("42 %") == language.Guess(language.DEFAULT, sure=False)


def test_short_questions_are_never_sure() -> None:
    assert not language.guess("Notice period?").sure
    assert language.guess("What is the notice period for employees?").sure


def test_each_chunk_of_a_mixed_document_gets_its_own_language() -> None:
    chunks = [
        "Die Reisekosten werden nach der Rückkehr innerhalb von vier Wochen erstattet.",
        "Travel expenses are refunded within four weeks after the trip has ended.",
    ]
    assert [language.detect(c) for c in chunks] == ["de", "en"]
