from __future__ import annotations

import pytest

from core.errors import APIError
from rag.prompt import Turn
from rag.rewrite import (
    clean_model_query,
    heuristic_rewrite,
    looks_like_follow_up,
    model_rewrite,
    rewrite_messages,
    standalone_query,
)
from tests.fakes.chat import FakeChat

HISTORY = [Turn("How many vacation days do employees get?", "They get 25 days [1].")]


@pytest.mark.parametrize(
    ("question", "follow_up"),
    [
        ("And for contractors?", True),
        ("what about interns", True),
        ("Does it apply to them?", True),
        ("Why?", True),
        ("How many vacation days do full-time employees get?", False),
        ("Which operating systems does the Beacon app support?", False),
        ("Und wie viele für Teilzeit?", True),
        ("Und für Teilzeitkräfte?", True),
        ("Was ist mit Praktikanten?", True),
        ("Gilt das auch für Werkstudenten?", True),
        ("Wie sieht es bei Teilzeitbeschäftigten aus?", True),
        ("Können sie ins nächste Jahr übertragen werden?", True),
        ("Wie viele Urlaubstage bekommen Vollzeitbeschäftigte pro Kalenderjahr?", False),
        ("Können Sie mir die Kündigungsfrist im Arbeitsvertrag nennen?", False),
        ("Wie hoch ist die Miete für das Büro in Berlin?", False),
    ],
)
def test_looks_like_follow_up_table(question: str, follow_up: bool) -> None:
    assert looks_like_follow_up(question) is follow_up


def test_heuristic_rewrite_german_follow_up_carries_the_topic() -> None:
    history = [Turn("Wie viele Urlaubstage bekommen Vollzeitbeschäftigte?", "30 Tage [1].")]
    query = heuristic_rewrite("Und wie viele für Teilzeit?", history)
    assert (
        query == "Wie viele Urlaubstage bekommen Vollzeitbeschäftigte? Und wie viele für Teilzeit?"
    )


def test_rewrite_prompt_keeps_the_language_of_the_question() -> None:
    history = [Turn("Wie viele Urlaubstage bekommen Vollzeitbeschäftigte?", "30 Tage [1].")]
    system = str(rewrite_messages("Und wie viele für Teilzeit?", history)[0]["content"])
    assert "language of the last message" in system


def test_heuristic_rewrite_follow_up_carries_the_topic() -> None:
    query = heuristic_rewrite("And for contractors?", HISTORY)
    assert query == "How many vacation days do employees get? And for contractors?"


def test_heuristic_rewrite_standalone_question_unchanged() -> None:
    question = "Which operating systems does the Beacon app support?"
    assert heuristic_rewrite(question, HISTORY) == question


def test_heuristic_rewrite_uses_previous_standalone_query() -> None:
    history = [Turn("And contractors?", "No [1].", query="vacation days employees; contractors")]
    assert heuristic_rewrite("interns?", history).startswith("vacation days employees; contractors")


def test_standalone_query_first_question_calls_no_model() -> None:
    chat = FakeChat(completion="should not be used")
    assert standalone_query("And for contractors?", [], chat=chat) == "And for contractors?"
    assert chat.completions == []


def test_model_rewrite_sends_history_and_uses_reply() -> None:
    chat = FakeChat(completion='Query: "vacation days for contractors"\n')
    query = model_rewrite("And for contractors?", HISTORY, chat)
    assert query == "vacation days for contractors"
    request = str(chat.completions[0][1]["content"])
    assert "How many vacation days do employees get?" in request
    assert "[1]" not in request


def test_model_rewrite_empty_reply_falls_back_to_heuristic() -> None:
    chat = FakeChat(completion="   ")
    assert model_rewrite("And for contractors?", HISTORY, chat).endswith("And for contractors?")


def test_model_rewrite_error_propagates() -> None:
    chat = FakeChat(fail_after=0, error=APIError("down"))
    with pytest.raises(APIError):
        standalone_query("And for contractors?", HISTORY, chat=chat)


def test_rewrite_messages_truncates_long_answers() -> None:
    history = [Turn("q", "word " * 500)]
    content = str(rewrite_messages("and?", history)[1]["content"])
    assert len(content) < 700


@pytest.mark.parametrize(
    ("reply", "query"),
    [
        ("vacation days contractors", "vacation days contractors"),
        ("Standalone search query: 'x y'", "x y"),
        ("“quoted”\nexplanation follows", "quoted"),
        ("", ""),
    ],
)
def test_clean_model_query_table(reply: str, query: str) -> None:
    assert clean_model_query(reply) == query
