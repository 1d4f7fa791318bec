"""The Streamlit app with settings that do not validate: one error box per bad variable, no
traceback, and the page stops there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.ui.state import _process_services
from tests.ui.conftest import ROOT


@pytest.fixture
def fresh_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No .env, no services cached by an earlier test in this process."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAG_STORE_PATH", str(tmp_path / "qdrant"))
    _process_services.clear()
    yield
    _process_services.clear()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("RAG_TOP_K", "abc"),
        ("RAG_AUTH_USERS", '{"alice": "her password"'),
        ("IONOS_API_TOKEN", "eyJhbGciOi“secret”.payload"),
    ],
)
def test_app_bad_setting_shows_one_error_naming_its_variable(
    fresh_process: None, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()

    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert message.startswith(f"{variable}: ") and "secret" not in message
    assert not at.chat_input  # stopped before the page
