from __future__ import annotations

from rag.prompt import (
    NO_SOURCES,
    Turn,
    build_messages,
    fit_sources,
    format_source,
    system_message,
)
from tests.fakes.chunks import scored


def test_system_message_numbers_sources_with_file_and_page() -> None:
    sources = [
        scored("Employees get 25 vacation days.", source="handbook.pdf", page=3),
        scored("Beacon syncs every hour.", source="faq.md", page=None, headings=("Sync",)),
    ]
    text = system_message(sources)
    assert "[1] handbook.pdf, page 3\nEmployees get 25 vacation days." in text
    assert "[2] faq.md, Sync\nBeacon syncs every hour." in text
    assert "Cite every claim" in text
    assert "The documents do not say." in text


def test_system_message_without_sources_says_so() -> None:
    assert NO_SOURCES in system_message([])


def test_format_source_pdf_with_headings_names_page_and_section() -> None:
    text = format_source(4, scored("Body.", page=2, headings=("Leave", "Vacation")))
    assert text.startswith("[4] handbook.pdf, page 2 (Leave › Vacation)\n")


def test_build_messages_context_in_system_then_history_then_question() -> None:
    history = [Turn("How many vacation days?", "You get 25 days [1].")]
    messages = build_messages("And contractors?", [scored("x y z")], history=history)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[-1]["content"] == "And contractors?"
    assert messages[2]["content"] == "You get 25 days."  # old markers do not leak into the talk


def test_build_messages_history_limited_to_last_turns() -> None:
    history = [Turn(f"q{i}", f"a{i}") for i in range(5)]
    messages = build_messages("now", [], history=history, history_turns=2)
    assert [m["content"] for m in messages[1:]] == ["q3", "a3", "q4", "a4", "now"]


def test_fit_sources_over_budget_keeps_leading_sources() -> None:
    sources = [scored("word " * 300, position=i) for i in range(5)]
    kept = fit_sources(sources, max_tokens=700)
    assert kept == sources[:2]


def test_fit_sources_first_source_always_kept() -> None:
    sources = [scored("word " * 300)]
    assert fit_sources(sources, max_tokens=10) == sources
