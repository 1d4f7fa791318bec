from __future__ import annotations

import pytest

from core.i18n import missing_ids
from rag.prompt import NOT_FOUND_ANSWER
from rag.wording import ANSWER_MESSAGES, answer_language, not_found, offline_not_found


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Wie viele Urlaubstage bekomme ich?", "de"),
        ("Werden Flüge erstattet?", "de"),
        ("How many vacation days do I get?", "en"),
        ("Combien de jours de congé?", "en"),  # no French catalogue yet: English
        ("?", "en"),
    ],
)
def test_answer_language_of_the_question_or_english(question: str, language: str) -> None:
    assert answer_language(question) == language


def test_not_found_is_worded_per_language_and_english_for_unknown_ones() -> None:
    assert not_found("en") == NOT_FOUND_ANSWER
    assert not_found("de") == "Dazu habe ich in Ihren Dokumenten nichts gefunden."
    assert not_found("fr") == NOT_FOUND_ANSWER
    assert offline_not_found("de").startswith(not_found("de") + " (Im Offline-Modus")


def test_answer_messages_german_translates_every_id() -> None:
    assert missing_ids(ANSWER_MESSAGES) == {}
