from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from text import language, private_cache


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Der Arbeitnehmer hat Anspruch auf bezahlten Erholungsurlaub.", "de"),
        ("Wie lange ist die Kündigungsfrist in der Probezeit?", "de"),
        ("The employee is entitled to paid annual leave.", "en"),
        ("What is the notice period during probation?", "en"),
        ("Le salarié a droit à un congé payé chaque année.", "fr"),
    ],
)
def test_detects_the_language_of_chunks_and_questions(text: str, expected: str) -> None:
    assert language.detect(text) == expected


def test_too_little_text_is_the_default_and_unsure() -> None:
    assert language.guess("42 %") == language.Guess(language.DEFAULT, sure=False)


def test_short_questions_are_never_sure() -> None:
    assert not language.guess("Notice period?").sure
    assert language.guess("What is the notice period for employees?").sure


def test_each_chunk_of_a_mixed_document_gets_its_own_language() -> None:
    chunks = [
        "Die Reisekosten werden nach der Rückkehr innerhalb von vier Wochen erstattet.",
        "Travel expenses are refunded within four weeks after the trip has ended.",
    ]
    assert [language.detect(c) for c in chunks] == ["de", "en"]


# --- the unpacked model kept between processes ---------------------------------------------------

CACHE_TEXTS = [
    "Die Kündigungsfrist beträgt drei Monate zum Quartalsende.",
    "The notice period is three months to the end of a quarter.",
    "Le délai de préavis est de trois mois.",
    "El plazo de preaviso es de tres meses.",
    "Notice period?",
    "Umsatz 2023",
]


def test_cached_model_classifies_exactly_as_the_packaged_one(tmp_path: Path) -> None:
    packaged = language._packaged_identifier()
    language._save_identifier(packaged, tmp_path)
    cached = language._cached_identifier(tmp_path)

    assert cached is not None
    assert cached.nb_classes == packaged.nb_classes
    assert (cached.nb_ptc == packaged.nb_ptc).all() and (cached.nb_pc == packaged.nb_pc).all()
    assert hasattr(cached, "_walk")  # scores through text.langwalk, not py3langid's walk
    for text in [*CACHE_TEXTS, *_varied_texts()]:
        assert cached.classify(text) == packaged.classify(text), text


def _varied_texts() -> list[str]:
    import random

    rng = random.Random(7)
    words = [
        "Kündigungsfrist",
        "Straße",
        "größer",
        "Umsatzerlöse",
        "naïve",
        "café",
        "año",
        "über",
        "東京",
        "Ελλάδα",
        "the",
        "of",
        "revenue",
        "12,345",
        "(3.4%)",
        "§4",
        "Abs.",
        "2",
        "—",
        "«quote»",
        "don't",
        "e-mail",
        "GmbH",
        "&",
        "Co.",
        "KG",
    ]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 300))) for _ in range(40)]
    return [*texts, "ANNUAL REPORT 2023 CONSOLIDATED STATEMENTS", "!!! ??? ...", "x"]


@pytest.mark.parametrize("seed", range(5))
def test_the_array_walk_counts_what_py3langids_walk_counts(seed: int, tmp_path: Path) -> None:
    import random

    from py3langid.langid import visit_counts

    packaged = language._packaged_identifier()
    language._save_identifier(packaged, tmp_path)
    cached = language._cached_identifier(tmp_path)
    rng = random.Random(seed)
    for _ in range(50):  # any bytes, not only text: every state the automaton can reach
        data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 400)))
        expected = visit_counts(packaged.tk_nextmove, packaged._rowbase, packaged.tk_output, data)
        found = cached._walk.counts(data)
        assert (found is None and expected is None) or list(found.items()) == list(expected.items())


def test_corrupt_cached_model_is_not_used(tmp_path: Path) -> None:
    language._save_identifier(language._packaged_identifier(), tmp_path)
    (path,) = tmp_path.glob("py3langid-*.npz")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte inside the state table
    path.write_bytes(bytes(data))

    assert language._cached_identifier(tmp_path) is None


def test_model_cache_folder_others_may_write_to_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    mine = private_cache.folder()
    assert mine is not None and mine.parent == tmp_path and mine.stat().st_mode & 0o777 == 0o700

    mine.chmod(0o777)
    assert private_cache.folder() is None
