from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from app.container import Services
from app.ui import app as app_module
from app.ui.sidebar import AskOptions
from app.ui.state import HISTORY_KEY
from core.errors import AuthenticationError
from tests.fakes.chat import FakeChat
from tests.fakes.passwords import hashed
from tests.ui.conftest import start_app

ServicesFactory = Callable[..., Services]
LINK_1 = "[\\[1\\]](#rag-src-0-1)"  # the first answer's [1], linked to its source card


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question)
    return at.run()


def test_app_offline_banner_says_offline(services_factory: ServicesFactory) -> None:
    at = start_app(services_factory())
    assert not at.exception
    assert at.info and "Offline mode" in at.info[0].value


def test_app_ask_streams_answer_with_cited_source(services_factory: ServicesFactory) -> None:
    at = ask(start_app(services_factory()), "How many days of paid vacation do employees get?")
    assert not at.exception
    text = _markdown(at)
    assert "25 days of paid vacation per calendar year \\[1\\]" not in text  # answer is not escaped
    assert f"25 days of paid vacation per calendar year {LINK_1}." in text  # [1] links below
    assert '<span class="rag-source" id="rag-src-0-1"></span>**[1]** handbook\\.pdf, page 2' in text
    assert (
        "<mark>Full-time employees receive 25 days of paid vacation per calendar year.</mark>"
        in text
    )
    assert len(at.session_state[HISTORY_KEY]) == 1


def test_app_keeps_history_and_rewrites_follow_up(services_factory: ServicesFactory) -> None:
    at = start_app(services_factory())
    at.toggle(key="rag_show_query").set_value(True)
    at = ask(at, "How many days of paid vacation do employees get?")
    at = ask(at, "And can they be carried over?")
    assert not at.exception
    history = at.session_state[HISTORY_KEY]
    assert [e.question for e in history] == [
        "How many days of paid vacation do employees get?",
        "And can they be carried over?",
    ]
    assert history[1].rewritten and "paid vacation" in history[1].query
    assert "carried over until March 31 [1]" in history[1].text
    assert "Searched for (rewritten)" in _markdown(at)


def test_app_with_chat_model_flags_invalid_citations(services_factory: ServicesFactory) -> None:
    chat = FakeChat(reply="Everyone gets a pony [5].")
    at = ask(start_app(services_factory(chat)), "ponies?")
    assert any("cites no source" in w.value for w in at.warning)
    assert any("Ignored [5]" in c.value for c in at.caption)


def test_app_mid_stream_error_is_one_line_and_keeps_text(services_factory: ServicesFactory) -> None:
    error = AuthenticationError("token invalid or expired", operation="chat", status=401)
    chat = FakeChat(reply="Employees get 25 days [1]. And then", fail_after=5, error=error)
    at = ask(start_app(services_factory(chat)), "vacation?")
    assert not at.exception
    assert f"Employees get 25 days {LINK_1}." in _markdown(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "token invalid or expired" in errors[0]
    assert "\n" not in errors[0] and "Traceback" not in errors[0]


def test_app_reasoning_kept_out_and_collapsed(services_factory: ServicesFactory) -> None:
    chat = FakeChat(reply="Employees get 25 days [1].", reasoning="secret musing")
    at = ask(start_app(services_factory(chat)), "vacation?")
    assert "secret musing" not in _markdown(at)
    expander = next(e for e in at.expander if e.label == "Reasoning")
    assert "secret musing" in expander.text[0].value


def test_app_nothing_relevant_says_not_found(services_factory: ServicesFactory) -> None:
    chat = FakeChat(reply="should not be called")
    at = ask(start_app(services_factory(chat, min_score=0.99)), "vacation?")
    assert "could not find this in your documents" in _markdown(at)
    assert chat.streams == []


def test_app_password_login_gates_the_app(services_factory: ServicesFactory) -> None:
    at = start_app(services_factory(auth_password=hashed("letmein")))
    assert not at.chat_input  # nothing but the sign-in form
    at.text_input[0].set_value("wrong")
    at = at.button[0].click().run()
    assert at.error and at.error[0].value == "Wrong password."
    at.text_input[0].set_value("letmein")
    at = at.button[0].click().run()
    assert at.chat_input and not at.error


def test_app_access_lists_hide_and_block_collections(
    services_factory: ServicesFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = services_factory(
        auth_users={"alice": hashed("a"), "bob": hashed("b")},
        collection_access={"hr": ["alice"], "docs": ["*"]},
    )
    at = start_app(services)
    at.text_input[0].set_value("bob")
    at.text_input[1].set_value("b")
    at = at.button[0].click().run()
    assert at.selectbox(key="rag_collection").options == ["docs"]

    # Even when the page is made to ask "hr" (a tampered session), the query is refused.
    real_sidebar = getattr(app_module, "render_sidebar")  # noqa: B009

    def tampered(*args: Any) -> AskOptions | None:
        options = real_sidebar(*args)
        return dataclasses.replace(options, collection="hr") if options else None

    monkeypatch.setattr(app_module, "render_sidebar", tampered)
    at = ask(at, "When are salary bands reviewed?")
    assert "April" not in _markdown(at)
    assert any("bob may not read the collection 'hr'" in e.value for e in at.error)


def test_app_access_lists_allow_the_listed_user(services_factory: ServicesFactory) -> None:
    services = services_factory(
        auth_users={"alice": hashed("a")}, collection_access={"hr": ["alice"]}
    )
    at = start_app(services)
    at.text_input[0].set_value("alice")
    at.text_input[1].set_value("a")
    at = at.button[0].click().run()
    assert "hr" in at.selectbox(key="rag_collection").options
    at.selectbox(key="rag_collection").set_value("hr")
    at = ask(at, "When are salary bands reviewed?")
    assert "reviewed every April" in _markdown(at)


def test_app_creates_collection(services_factory: ServicesFactory) -> None:
    services = services_factory()
    at = start_app(services)
    at.text_input(key="rag_new_collection").set_value("contracts")
    at = at.button(key="rag_create_collection").click().run()
    assert not at.exception
    assert services.store.exists("contracts")
    assert at.selectbox(key="rag_collection").value == "contracts"


def test_app_rejects_bad_collection_name(services_factory: ServicesFactory) -> None:
    services = services_factory()
    at = start_app(services)
    at.text_input(key="rag_new_collection").set_value("../etc")
    at = at.button(key="rag_create_collection").click().run()
    assert any("letters, digits" in e.value for e in at.error)
    assert "../etc" not in services.store.collections()


def test_app_streamlit_oidc_configured_asks_to_log_in(services_factory: ServicesFactory) -> None:
    from streamlit.testing.v1 import AppTest

    from app.ui.state import SERVICES_KEY
    from tests.ui.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state[SERVICES_KEY] = services_factory()
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback"}
    at = at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.chat_input


def test_app_document_picker_scopes_the_answer(services_factory: ServicesFactory) -> None:
    from tests.conftest import bm25
    from tests.fakes.chunks import chunk

    services = services_factory()
    faq = [chunk("Contractors get no paid vacation days.", source="faq.md", page=None)]
    vectors = services.embedder.embed_documents([c.text for c in faq])
    services.store.upsert_chunks("docs", faq, vectors, bm25(faq))
    at = start_app(services)
    picker = at.multiselect(key="rag_scope_docs")
    assert picker.options == ["faq.md", "handbook.pdf"]
    picker.set_value(["faq.md"])
    at = ask(at.run(), "How many days of paid vacation do employees get?")
    assert not at.exception
    exchange = at.session_state[HISTORY_KEY][-1]
    assert exchange.sources and {h.chunk.source for h in exchange.sources} == {"faq.md"}
