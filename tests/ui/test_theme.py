"""The Appearance picker: System by default, the cookie's choice after a reload, and a change
writes Streamlit's own theme entry with one fixed script."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.container import Services
from app.ui.theme import apply_script, chosen_theme
from tests.ui.conftest import start_app


@pytest.mark.parametrize(
    ("cookies", "expected"),
    [({}, "System"), ({"rag_theme": "Dark"}, "Dark"), ({"rag_theme": "<b>"}, "System")],
)
def test_theme_chosen_from_the_cookie_or_system(cookies: dict[str, str], expected: str) -> None:
    assert chosen_theme(cookies) == expected


def test_theme_script_only_for_known_themes() -> None:
    script = apply_script("Dark")
    assert 'JSON.stringify("Dark")' in script and "rag_theme=Dark" in script
    with pytest.raises(ValueError):
        apply_script('Dark"); alert(1); ("')


def test_app_theme_picker_in_sidebar_writes_the_theme_on_change(
    services_factory: Callable[..., Services],
) -> None:
    at = start_app(services_factory())
    picker = at.sidebar.get("button_group")[0]
    assert picker.value == "System"
    assert not at.get("html")
    picker.set_value("Dark").run()
    [script] = at.get("html")
    assert 'JSON.stringify("Dark")' in script.proto.body
    at.run()  # drawn once, not on every rerun
    assert not at.get("html")
