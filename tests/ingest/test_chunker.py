from __future__ import annotations

import itertools
import random

import pytest

from core.records import Block, Chunk, Document
from ingest.chunker import chunk_budget, chunk_document, overlap_for
from text.tokens import count_tokens

WORDS = [
    *[
        "the",
        "policy",
        "covers",
        "leave",
        "travel",
        "expenses",
        "claims",
        "within",
        "days",
        "managers",
        "approve",
    ],
    *[
        "requests",
        "über",
        "naïve",
        "東京",
        "café",
        "12.5%",
        "(see",
        "§4)",
        "e-mail:",
        "hr@example.com",
    ],
]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _random_document(seed: int) -> Document:
    rng = random.Random(seed)
    blocks = []
    headings: tuple[str, ...] = ()
    for page in range(1, rng.randint(2, 8)):
        if rng.random() < 0.4:
            headings = (f"Section {page}",) if rng.random() < 0.5 else (*headings[:1], "Sub")
        paragraphs = []
        for _ in range(rng.randint(1, 6)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(1, 400))]
            if rng.random() < 0.2:
                words.append(
                    "".join(rng.choices("abcdefgh", k=rng.randint(300, 3000)))
                )  # long "word"
            sentence_ends = (". ", "! ", "\n", " ")
            paragraphs.append("".join(w + rng.choice(sentence_ends) for w in words).strip())
        blocks.append(Block("\n\n".join(paragraphs), page=page, headings=headings))
    return Document(
        source="doc.pdf", title="A title", kind="pdf", content_hash="h" * 64, blocks=tuple(blocks)
    )


def _covers(text: str, pieces: list[str]) -> bool:
    """Whether the pieces, found in order in `text`, leave no gap but whitespace."""
    reached = 0
    searched = 0
    for piece in pieces:
        start = text.find(piece, searched)
        if start < 0 or text[reached:start].strip():
            return False
        reached = max(reached, start + len(piece))
        searched = start + 1
    return not text[reached:].strip()


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(("budget", "overlap"), [(40, 10), (192, 48), (350, 50)])
def test_chunker_random_documents_hold_invariants(seed: int, budget: int, overlap: int) -> None:
    document = _random_document(seed)

    chunks = chunk_document(document, budget=budget, overlap=overlap)

    assert chunks
    text = _norm(" ".join(b.text for b in document.blocks))
    for position, chunk in enumerate(chunks):
        assert count_tokens(chunk.text) <= budget  # never over budget
        assert count_tokens(chunk.indexed_text) <= budget  # nor is what gets embedded
        assert chunk.token_count == count_tokens(chunk.text)
        assert chunk.position == position and chunk.source == "doc.pdf"
        assert chunk.doc_hash == document.content_hash
        assert _norm(chunk.text) in text  # verbatim slices: nothing invented or reordered
    assert _covers(text, [_norm(c.text) for c in chunks])  # full coverage, in order
    assert len({c.id for c in chunks}) == len(chunks)


def test_chunker_same_document_gives_same_ids() -> None:
    first = chunk_document(_random_document(3), budget=100, overlap=20)
    second = chunk_document(_random_document(3), budget=100, overlap=20)

    assert [c.id for c in first] == [c.id for c in second]


def test_chunker_chunk_spanning_pages_records_both() -> None:
    document = Document(
        source="a.pdf", title="", kind="pdf", content_hash="h",
        blocks=(Block("End of page one.", page=1), Block("Start of page two.", page=2)),
    )  # fmt: skip

    (chunk,) = chunk_document(document, budget=100)

    assert (chunk.page_start, chunk.page_end) == (1, 2)
    assert chunk.pages_label == "pages 1–2"


def test_chunker_pages_cite_the_text_they_hold() -> None:
    pages = [" ".join(f"page{n}word{i}." for i in range(120)) for n in range(1, 5)]
    document = Document(
        source="a.pdf", title="", kind="pdf", content_hash="h",
        blocks=tuple(Block(text, page=n) for n, text in enumerate(pages, start=1)),
    )  # fmt: skip

    chunks = chunk_document(document, budget=80, overlap=20)

    for chunk in chunks:
        cited = {n for n in range(chunk.page_start or 0, (chunk.page_end or 0) + 1)}
        found = {int(w[4 : w.index("word")]) for w in chunk.text.split()}
        assert found <= cited and chunk.page_start in found and chunk.page_end in found


def test_chunker_small_section_merges_forward() -> None:
    document = Document(
        source="f.md", title="FAQ", kind="markdown", content_hash="h",
        blocks=(
            Block("Tiny intro.", headings=("FAQ",)),
            Block("Billing text " * 20, headings=("FAQ", "Billing")),
            Block("Support text " * 20, headings=("FAQ", "Support")),
        ),
    )  # fmt: skip

    chunks = chunk_document(document, budget=100)

    assert len(chunks) == 2
    assert chunks[0].text.startswith("Tiny intro.") and "Billing" in chunks[0].text
    assert chunks[0].headings == ("FAQ",)
    assert chunks[1].headings == ("FAQ", "Support") and "Billing" not in chunks[1].text


def test_chunker_consecutive_chunks_overlap_within_a_section() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(200))
    document = Document("t.txt", "", "text", "h", (Block(text),))

    chunks = chunk_document(document, budget=60, overlap=15)

    assert len(chunks) > 3
    for left, right in itertools.pairwise(chunks):
        head = right.text.split()[:3]
        assert " ".join(head) in left.text  # the next chunk starts inside the previous one
        assert 5 <= count_tokens(_shared_tail(left, right)) <= 15


def _shared_tail(left: Chunk, right: Chunk) -> str:
    for size in range(len(right.text), 0, -1):
        if left.text.endswith(right.text[:size]):
            return right.text[:size]
    return ""


def test_chunker_sections_do_not_overlap_across_headings() -> None:
    document = Document(
        "f.md", "", "markdown", "h",
        (Block("Alpha " * 80, headings=("A",)), Block("Beta " * 80, headings=("B",))),
    )  # fmt: skip

    chunks = chunk_document(document, budget=50, overlap=10)

    assert all(("Alpha" in c.text) != ("Beta" in c.text) for c in chunks)


@pytest.mark.parametrize(
    ("chunk_tokens", "model_limit", "expected"),
    [(350, 256, 192), (350, 8192, 350), (100, 8192, 100), (350, 20, 32)],
)
def test_chunk_budget_leaves_margin_below_model_limit(
    chunk_tokens: int, model_limit: int, expected: int
) -> None:
    assert chunk_budget(chunk_tokens, model_limit) == expected


def test_overlap_for_is_at_most_a_quarter_of_the_budget() -> None:
    assert overlap_for(192, 50) == 48 and overlap_for(350, 50) == 50


HEADER = "| Years Ended | December 2, | December 3, |\n|  | 2022 | 2021 |"


def _statement(rows: int = 60) -> Document:
    body = [HEADER, "| Revenue: |"]
    body += [
        f"| Line item {i} of the statement: | {i * 1000 + 123:,} | {i * 900:,} |"
        for i in range(rows)
    ]
    text = "CONSOLIDATED STATEMENTS OF INCOME\n\n" + "\n".join(body) + "\n\nSee the notes."
    return Document(
        source="r.pdf", title="R", kind="pdf", content_hash="h" * 64,
        blocks=(Block(text, page=5, headings=("Item 8.",)),),
    )  # fmt: skip


@pytest.mark.parametrize(("budget", "overlap"), [(120, 30), (200, 40), (350, 0)])
def test_chunker_cuts_a_table_between_rows_and_repeats_its_header(
    budget: int, overlap: int
) -> None:
    document = _statement()
    rows = document.blocks[0].text.split("\n")
    chunks = chunk_document(document, budget=budget, overlap=overlap)
    table = [c for c in chunks if "Line item" in c.text]
    assert len(table) > 2
    for chunk in chunks:
        assert count_tokens(chunk.indexed_text) <= budget
        for line in chunk.text.split("\n"):
            assert not line or line in rows  # whole rows and lines only, none cut
    for chunk in table[1:]:
        assert chunk.text.startswith(HEADER + "\n| Line item")  # the years, then the rows
    seen = [line for c in table for line in c.text.split("\n") if line.startswith("| Line")]
    numbers = [int(line.split()[3]) for line in seen]
    assert sorted(set(numbers)) == list(range(60))  # every row, in order, repeats only
    assert numbers == sorted(numbers)  # where chunks overlap


@pytest.mark.parametrize("seed", range(20))
def test_the_overlap_is_the_longest_suffix_that_fits_give_or_take_a_word(seed: int) -> None:
    from ingest.chunker import _longest_fitting

    rng = random.Random(seed)
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 120)))
    starts = [i for i, c in enumerate(text) if c != " " and (i == 0 or text[i - 1] == " ")]
    limit = rng.randint(1, 40)

    first = _longest_fitting(text, starts, limit)

    if first is None:  # not even the last word fits
        assert count_tokens(text[starts[-1] :]) > limit
    else:
        assert first in starts
        assert count_tokens(text[first:]) <= limit
        longer = starts.index(first) - 1
        assert longer < 0 or count_tokens(text[starts[longer] :]) > limit
