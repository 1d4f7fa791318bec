"""`[n]` markers as in-page links to their sources: only markers whose source is shown, only
`#` + our own id, and nothing a model writes can add a link target of its own."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.container import Services
from app.ui.markdown import answer_markdown, source_anchor
from tests.fakes.chat import FakeChat
from tests.ui.conftest import start_app

ServicesFactory = Callable[..., Services]


@pytest.mark.parametrize(
    ("text", "linked", "expected"),
    [
        ("Thirty days [1].", {1}, "Thirty days [\\[1\\]](#rag-src-4-1)."),
        ("Thirty days [1][2].", {2}, "Thirty days [1][\\[2\\]](#rag-src-4-2)."),
        ("No source [3].", {1}, "No source [3]."),
        ("[1](http://evil.example/x)", {1}, "\\[1\\](http://evil.example/x)"),
        ("![1](http://h/p.png) [1]", {1}, "\\!\\[1\\](http://h/p.png) [\\[1\\]](#rag-src-4-1)"),
        ("<a href='#rag-src-4-1'>x</a>", {1}, "\\<a href='#rag-src-4-1'\\>x\\</a\\>"),
    ],
)
def test_answer_markdown_links_only_shown_sources(
    text: str, linked: set[int], expected: str
) -> None:
    assert answer_markdown(text, exchange_key="4", linked=linked) == expected


def test_answer_markdown_without_a_key_links_nothing() -> None:
    assert answer_markdown("Thirty days [1].", linked={1}) == "Thirty days [1]."
    assert source_anchor("0", 2) == "rag-src-0-2"


def test_app_answer_markers_link_to_their_source_cards(services_factory: ServicesFactory) -> None:
    chat = FakeChat(reply="Employees get 25 days [1].")
    at = start_app(services_factory(chat))
    at.chat_input[0].set_value("How many vacation days?")
    at.run()
    text = [m.value for m in at.markdown]
    assert any("25 days [\\[1\\]](#rag-src-0-1)" in t for t in text)
    assert any('<span class="rag-source" id="rag-src-0-1"></span>**[1]**' in t for t in text)
