"""Kept conversations in the page (AppTest): saved on answer, reopened from the URL after a
reload, listed, renamed, deleted, searched; per-answer regenerate and feedback; per-user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.container import Services
from app.ui.state import HISTORY_KEY, SERVICES_KEY, USER_KEY
from app.ui.threads import THREAD_PARAM, export_name
from tests.fakes.passwords import hashed
from tests.ui.conftest import ROOT, start_app
from threads import Feedback, ThreadStore, open_thread_store

QUESTION = "How many days of paid vacation do employees get?"


@pytest.fixture
def kept(
    services_factory: Callable[..., Services], tmp_path: Path
) -> Iterator[Callable[..., Services]]:
    stores: list[ThreadStore] = []

    def build(**settings: object) -> Services:
        services = services_factory(**settings)
        services.threads = open_thread_store(f"sqlite:///{tmp_path / 'threads.sqlite3'}")
        stores.append(services.threads)
        return services

    yield build
    for store in stores:
        store.close()


def _reload(services: Services, thread_id: str | None, user: str | None = None) -> AppTest:
    """A fresh browser session on the same server, opened at ?thread=<id>."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[SERVICES_KEY] = services
    if user is not None:
        at.session_state[USER_KEY] = user
    if thread_id is not None:
        at.query_params[THREAD_PARAM] = thread_id
    return at.run()


def _ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question)
    return at.run()


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_threads_answer_is_saved_and_a_reload_restores_it(kept: Callable[..., Services]) -> None:
    services = kept()
    at = _ask(start_app(services), QUESTION)
    assert not at.exception
    thread_id = at.query_params[THREAD_PARAM]
    assert services.threads is not None
    [thread] = services.threads.list(None)
    assert thread.id == thread_id and thread.title == QUESTION

    again = _reload(services, thread_id)
    assert not again.exception
    restored = again.session_state[HISTORY_KEY]
    assert [e.question for e in restored] == [QUESTION]
    assert restored[0].citations is not None and restored[0].citations.citations
    assert "**[1]** handbook\\.pdf, page 2" in _text(again)  # the cited source is drawn again
    assert "<mark>" in _text(again)


def test_threads_follow_up_after_reload_uses_the_stored_history(
    kept: Callable[..., Services],
) -> None:
    services = kept()
    at = _ask(start_app(services), QUESTION)
    thread_id = at.query_params[THREAD_PARAM]
    again = _reload(services, thread_id)
    again.toggle(key="rag_show_query").set_value(True)
    again = _ask(again, "And can they be carried over?")
    assert not again.exception
    follow_up = again.session_state[HISTORY_KEY][-1]
    assert follow_up.rewritten  # the rewrite saw the stored first question
    assert services.threads is not None
    assert len(services.threads.load(thread_id, None).messages) == 2


def test_threads_sidebar_lists_opens_and_starts_new(kept: Callable[..., Services]) -> None:
    services = kept()
    at = _ask(start_app(services), QUESTION)
    first = at.query_params[THREAD_PARAM]
    at.button(key="rag_thread_new").click().run()
    assert THREAD_PARAM not in at.query_params and at.session_state[HISTORY_KEY] == []
    at = _ask(at, "When does the office open?")
    second = at.query_params[THREAD_PARAM]
    assert second != first
    at.button(key=f"rag_thread_{first}").click().run()
    assert not at.exception
    assert [e.question for e in at.session_state[HISTORY_KEY]] == [QUESTION]
    at.text_input(key="rag_thread_search").set_value("office").run()
    controls = {"rag_thread_new", "rag_thread_rename", "rag_thread_delete"}
    keys = [b.key or "" for b in at.button]
    listed = [k for k in keys if k.startswith("rag_thread_") and k not in controls]
    assert listed == [f"rag_thread_{second}"]


def test_threads_rename_and_delete(kept: Callable[..., Services]) -> None:
    services = kept()
    at = _ask(start_app(services), QUESTION)
    thread_id = at.query_params[THREAD_PARAM]
    at.text_input(key=f"rag_rename_{thread_id}").set_value("Urlaub")
    at.button(key="rag_thread_rename").click().run()
    assert services.threads is not None
    assert services.threads.get(thread_id, None).title == "Urlaub"
    at.button(key="rag_thread_delete").click().run()
    assert not at.exception
    assert services.threads.list(None) == []
    assert THREAD_PARAM not in at.query_params and at.session_state[HISTORY_KEY] == []


def test_threads_regenerate_asks_again_and_keeps_both(kept: Callable[..., Services]) -> None:
    services = kept()
    at = _ask(start_app(services), QUESTION)
    [first] = at.session_state[HISTORY_KEY]
    at.button(key=f"rag_again_{first.message_id}").click().run()
    assert not at.exception
    assert [e.question for e in at.session_state[HISTORY_KEY]] == [QUESTION, QUESTION]
    assert services.threads is not None
    thread_id = at.query_params[THREAD_PARAM]
    assert len(services.threads.load(thread_id, None).messages) == 2


def test_threads_feedback_with_comment_is_stored(kept: Callable[..., Services]) -> None:
    services = kept()
    at = _ask(start_app(services), QUESTION)
    [exchange] = at.session_state[HISTORY_KEY]
    thread_id = at.query_params[THREAD_PARAM]
    at.text_input(key=f"rag_fb_note_{exchange.message_id}").set_value("wrong page").run()
    at.session_state[f"rag_fb_{exchange.message_id}"] = 0  # thumbs down
    at.text_input(key=f"rag_fb_note_{exchange.message_id}").set_value("wrong page!").run()
    assert not at.exception
    assert services.threads is not None
    [message] = services.threads.load(thread_id, None).messages
    assert (message.feedback, message.feedback_comment) == (Feedback.DOWN, "wrong page!")
    again = _reload(services, thread_id)
    assert again.session_state[HISTORY_KEY][0].feedback == "down"


def test_threads_of_another_user_do_not_open(kept: Callable[..., Services]) -> None:
    services = kept(auth_users={"alice": hashed("a-pass"), "bob": hashed("b-pass")})
    at = _reload(services, None, user="alice")
    at = _ask(at, QUESTION)
    thread_id = at.query_params[THREAD_PARAM]
    bob = _reload(services, thread_id, user="bob")
    assert not bob.exception
    assert bob.session_state[HISTORY_KEY] == []
    assert any("does not exist" in w.value for w in bob.warning)
    assert THREAD_PARAM not in bob.query_params
    alice = _reload(services, thread_id, user="alice")
    assert [e.question for e in alice.session_state[HISTORY_KEY]] == [QUESTION]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Urlaub 2026", "Urlaub-2026.md"),
        ("../../etc/passwd", "etc-passwd.md"),
        ("???", "conversation.md"),
        ("Größe & Maße", "Größe-Maße.md"),
    ],
)
def test_export_name_is_a_safe_file_name(title: str, expected: str) -> None:
    assert export_name(title) == expected


def test_threads_switching_user_in_one_session_does_not_keep_the_old_thread(
    kept: Callable[..., Services],
) -> None:
    services = kept(auth_users={"alice": hashed("a-pass"), "bob": hashed("b-pass")})
    at = _ask(_reload(services, None, user="alice"), QUESTION)
    alice_thread = at.query_params[THREAD_PARAM]
    at.session_state[USER_KEY] = "bob"  # signed out and in again as bob, same tab and URL
    at.run()
    assert at.session_state[HISTORY_KEY] == []
    at = _ask(at, "When does the office open?")
    assert not at.exception
    assert at.query_params[THREAD_PARAM] != alice_thread
    assert services.threads is not None
    assert [t.title for t in services.threads.list("bob")] == ["When does the office open?"]
    assert len(services.threads.load(alice_thread, "alice").messages) == 1


def test_threads_open_thread_deleted_elsewhere_starts_a_new_one(
    kept: Callable[..., Services],
) -> None:
    services = kept()
    at = _ask(start_app(services), QUESTION)
    first = at.query_params[THREAD_PARAM]
    assert services.threads is not None
    services.threads.delete(first, None)  # from another tab
    at = _ask(at, "When does the office open?")
    assert not at.exception and not at.error
    [thread] = services.threads.list(None)
    assert thread.id != first and at.query_params[THREAD_PARAM] == thread.id


def test_threads_sidebar_and_answer_actions_in_german(kept: Callable[..., Services]) -> None:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[SERVICES_KEY] = kept()
    at.context = {"locale": "de-DE"}
    at = _ask(at.run(), QUESTION)
    assert "Gespräche" in [s.value for s in at.sidebar.subheader]
    assert at.sidebar.button(key="rag_thread_new").label == "Neues Gespräch"
    assert any(b.label == "Neu erzeugen" for b in at.button)


def test_threads_unreachable_database_is_one_line_and_asks_nothing(
    kept: Callable[..., Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.errors import ThreadStoreError

    services = kept()
    store = services.threads
    assert store is not None

    def down(*args: object, **kwargs: object) -> None:
        raise ThreadStoreError("the conversation database is unreachable")

    monkeypatch.setattr(store, "create", down)
    at = _ask(start_app(services), QUESTION)
    assert not at.exception
    [error] = at.error
    assert "could not be kept" in error.value and "unreachable" in error.value
    assert not at.chat_message and at.chat_input
