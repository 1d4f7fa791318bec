"""The page speaks the browser's language when it can, else RAG_UI_LANGUAGE, else English."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.container import Services
from app.ui.state import SERVICES_KEY
from app.ui.strings import UI_MESSAGES, ui_messages
from core.i18n import missing_ids
from rag.wording import not_found
from tests.ui.conftest import ROOT

ServicesFactory = Callable[..., Services]


def _start(services: Services, locale: str | None) -> AppTest:
    at = AppTest.from_file(str(Path(ROOT) / "streamlit_app.py"), default_timeout=60)
    at.session_state[SERVICES_KEY] = services
    at.context = {"locale": locale}
    return at.run()


def _page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [s.value for s in at.subheader]
    parts += [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [t.value for t in at.title] + [s.label for s in at.selectbox]
    return "\n".join(str(p) for p in parts)


def test_app_german_browser_gets_german_page(services_factory: ServicesFactory) -> None:
    at = _start(services_factory(), "de-DE")

    assert not at.exception
    assert at.title[0].value == "Fragen Sie Ihre Dokumente"
    assert at.info and at.info[0].value.startswith("Offline-Modus:")
    assert [s.value for s in at.sidebar.subheader] == ["Dokumente", "Antworten"]
    assert at.sidebar.selectbox[0].label == "Sammlung"
    assert at.chat_input[0].placeholder == "Fragen Sie zu den Dokumenten in docs…"
    assert "Ask your documents" not in _page_text(at)


def test_app_german_browser_german_question_not_found_in_german(
    services_factory: ServicesFactory,
) -> None:
    at = _start(services_factory(), "de-AT")
    at.chat_input[0].set_value("Wie hoch ist die Hundesteuer in Berlin?").run()

    assert not at.exception
    assert not_found("de") in _page_text(at)


def test_app_english_browser_gets_english_page_whatever_the_setting(
    services_factory: ServicesFactory,
) -> None:
    at = _start(services_factory(ui_language="de"), "en-US")

    assert at.title[0].value == "Ask your documents"
    assert at.info[0].value.startswith("Offline mode:")


@pytest.mark.parametrize("locale", [None, "fr-FR"])
def test_app_unknown_or_missing_browser_language_falls_back_to_the_setting(
    services_factory: ServicesFactory, locale: str | None
) -> None:
    at = _start(services_factory(ui_language="de"), locale)

    assert at.title[0].value == "Fragen Sie Ihre Dokumente"
    assert at.sidebar.subheader[0].value == "Dokumente"


def test_app_no_browser_language_and_no_setting_is_english(
    services_factory: ServicesFactory,
) -> None:
    at = _start(services_factory(), None)
    assert at.title[0].value == "Ask your documents"


def test_ui_messages_german_translates_every_id_with_only_known_placeholders() -> None:
    assert missing_ids(UI_MESSAGES) == {}
    for message_id, english in UI_MESSAGES["en"].items():
        german = UI_MESSAGES["de"][message_id]
        fields = {f.split("}")[0] for f in english.split("{")[1:]}
        assert {f.split("}")[0] for f in german.split("{")[1:]} <= fields, message_id


@pytest.mark.parametrize(
    ("locale", "configured", "title"),
    [
        ("de-CH", None, "Fragen Sie Ihre Dokumente"),
        ("en-GB", "de", "Ask your documents"),
        ("it-IT", "de-DE", "Fragen Sie Ihre Dokumente"),
        (None, None, "Ask your documents"),
    ],
)
def test_ui_messages_language_choice(
    locale: str | None, configured: str | None, title: str
) -> None:
    assert ui_messages(locale, configured)("title") == title
