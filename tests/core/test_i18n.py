from __future__ import annotations

import pytest

from core.i18n import Messages, base_language, choose_language, missing_ids

CATALOGUE = {
    "en": {"hello": "Hello {name}", "bye": "Bye"},
    "de": {"hello": "Hallo {name}"},
}


@pytest.mark.parametrize(
    ("tag", "base"),
    [("de-DE", "de"), ("de_AT", "de"), ("EN", "en"), ("", None), (None, None), ("*", None)],
)
def test_base_language_of_a_locale_tag(tag: str | None, base: str | None) -> None:
    assert base_language(tag) == base


def test_choose_language_first_supported_preference_else_english() -> None:
    assert choose_language(CATALOGUE, None, "fr-FR", "de-CH") == "de"
    assert choose_language(CATALOGUE, "en-GB", "de") == "en"
    assert choose_language(CATALOGUE, "fr") == "en"


def test_messages_format_and_fall_back_to_english_for_a_missing_id() -> None:
    german = Messages(CATALOGUE, "de")
    assert german("hello", name="Ada") == "Hallo Ada"
    assert german("bye") == "Bye"
    with pytest.raises(KeyError):
        german("nope")


def test_missing_ids_lists_untranslated_messages() -> None:
    assert missing_ids(CATALOGUE) == {"de": {"bye"}}
