from __future__ import annotations

import zlib

import pytest

from text import sparse


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("The cats are running", ["cat", "run"]),
        ("What is BM25?", ["bm25"]),
        ("Proteins, protein; PROTEIN", ["protein", "protein", "protein"]),
        ("", []),
        ("the of and", []),
    ],
)
def test_tokenize_lowercases_drops_stop_words_and_stems(text: str, terms: list[str]) -> None:
    assert sparse.tokenize(text) == terms


def test_term_index_is_stable_crc32_in_31_bits() -> None:
    assert sparse.term_index("cat") == zlib.crc32(b"cat") & 0x7FFFFFFF
    assert 0 <= sparse.term_index("anything") < 2**31


def test_document_vector_matches_hand_computed_bm25_tf() -> None:
    # 4 terms, "cat" twice; avg_len 4 makes the length norm exactly k1
    indices, values = sparse.document_vector("cat cat dog bird", k1=1.2, b=0.75, avg_len=4.0)
    weights = dict(zip(indices, values, strict=True))
    assert indices == sorted(indices)
    assert weights[sparse.term_index("cat")] == pytest.approx(2 * 2.2 / (2 + 1.2))
    assert weights[sparse.term_index("dog")] == pytest.approx(1 * 2.2 / (1 + 1.2))


def test_document_vector_longer_text_weighs_a_term_less() -> None:
    short = sparse.document_vector("cat dog")
    long = sparse.document_vector("cat " + " ".join(f"word{i}" for i in range(200)))
    cat = sparse.term_index("cat")
    assert dict(zip(*long, strict=True))[cat] < dict(zip(*short, strict=True))[cat]


def test_query_vector_counts_each_term_once() -> None:
    indices, values = sparse.query_vector("cat cats CAT dog")
    assert indices == sorted({sparse.term_index("cat"), sparse.term_index("dog")})
    assert values == [1.0, 1.0]


def test_empty_text_gives_empty_vectors() -> None:
    assert sparse.document_vector("the a an") == ([], [])
    assert sparse.query_vector("") == ([], [])
