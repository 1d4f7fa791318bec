"""Split a `Document` into `Chunk`s that fit the embedding model: pure, deterministic.

- Sizes are counted with tiktoken (`text.tokens`). The budget is the smaller of the configured
  chunk size and a margin below the embedding model's input limit (tiktoken's counts differ from
  the model's own tokenizer), so no chunk is ever truncated by the model.
- Paragraphs are kept whole when they fit; longer ones are split at sentence ends, then at
  whitespace, and only a single over-long "word" is cut inside (`ingest.pieces`). Every piece is
  a verbatim slice of the source text, so a chunk's text can be found on the page(s) it cites.
- A new heading section starts a new chunk, except that a small section is merged forward into
  the next one. Within a section, consecutive chunks overlap by about `overlap` tokens.
- A Markdown table (as the PDF loader writes statements) is cut between rows, never inside one,
  and a chunk that continues a table starts with the table's header rows ("| | 2022 | 2021 |"),
  repeated, so its figures still say which year they are.
- Chunks never cross documents; a chunk spanning PDF pages records the first and the last.
- Ids are `chunk_id(source, position, text)`: the same file and settings always give the same ids.
"""

from __future__ import annotations

import dataclasses
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise

from core.records import Block, Chunk, Document, chunk_id
from ingest.pieces import WHITESPACE, paragraph_pieces, text_spans
from text.tables import table_header
from text.tokens import count_tokens

MODEL_MARGIN = 0.75  # use at most this share of the model's input limit, in tiktoken tokens
MIN_BUDGET = 32
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_JOIN = "\n\n"


def chunk_budget(chunk_tokens: int, max_input_tokens: int) -> int:
    """The token budget per chunk: the configured size, capped below the model's input limit."""
    return max(MIN_BUDGET, min(chunk_tokens, int(max_input_tokens * MODEL_MARGIN)))


def overlap_for(budget: int, chunk_overlap: int) -> int:
    """The overlap, never more than a quarter of the budget (the rest is new text)."""
    return max(0, min(chunk_overlap, budget // 4))


@dataclass(frozen=True, slots=True)
class _Unit:
    text: str
    tokens: int
    page: int | None
    section: int
    headings: tuple[str, ...]
    budget: int  # the chunk budget less what the title and headings add when embedded
    sep: str = _JOIN  # the whitespace that precedes it in the source ("" inside a cut word)
    overlap: bool = False  # repeated from the previous chunk
    header: str = ""  # the header rows of the table this unit continues
    lead: bool = False  # those header rows, repeated at the start of a chunk


def context_tokens(title: str, headings: tuple[str, ...]) -> int:
    """Tokens the title and heading path add to what is embedded (`Chunk.indexed_text`)."""
    context = "\n".join(part for part in (title, " › ".join(headings)) if part)
    return count_tokens(context) + 1 if context else 0


def _units(title: str, blocks: Iterable[Block], full_budget: int) -> Iterator[_Unit]:
    section = -1
    previous: tuple[str, ...] | None = None
    budget = full_budget
    for block in blocks:
        if block.headings != previous:
            section += 1
            previous = block.headings
            reserve = context_tokens(title, block.headings)
            budget = full_budget - min(reserve, full_budget // 3)
        for _, start, end in text_spans(block.text, _PARAGRAPH):
            paragraph = block.text[start:end].strip()
            if not paragraph:
                continue
            # Past ~8 characters a token a paragraph cannot fit: skip counting what gets split.
            tokens = count_tokens(paragraph) if len(paragraph) <= budget * 8 else budget + 1
            pieces = (
                [("", paragraph, tokens)]
                if tokens <= budget
                else paragraph_pieces(paragraph, budget)
            )
            header = table_header(paragraph) if len(pieces) > 1 else ""
            for i, (sep, piece, size) in enumerate(pieces):
                yield _Unit(
                    piece, size, block.page, section, block.headings, budget,
                    sep=_JOIN if i == 0 else sep, header=header if i else "",
                )  # fmt: skip


def _text(units: list[_Unit]) -> str:
    """The units joined as in the source; a repeated table header ends its own line."""
    joined = (("\n" if before.lead else u.sep) + u.text for before, u in pairwise(units))
    return units[0].text + "".join(joined)


def _tail(units: list[_Unit], overlap: int) -> list[_Unit]:
    """The last ~`overlap` tokens of a chunk, as whole units or a word-aligned slice of one."""
    if overlap <= 0 or not units:
        return []
    taken: list[_Unit] = []
    total = 0
    for unit in reversed(units):
        if total + unit.tokens + 1 <= overlap:
            taken.insert(0, unit)
            total += unit.tokens + 1
            continue
        if not taken and unit.text.startswith("|"):  # table rows: whole rows only
            starts = [m.end() for m in re.finditer(r"\n", unit.text)]
            start = next((i for i in starts if count_tokens(unit.text[i:]) <= overlap), None)
            if start is not None:
                text = unit.text[start:]
                taken.append(dataclasses.replace(unit, text=text, tokens=count_tokens(text)))
        elif not taken:  # slice the end of the last unit at a word boundary
            starts = [start for _, start, _ in text_spans(unit.text, WHITESPACE)]
            first = _longest_fitting(unit.text, starts, overlap)
            if first is not None:
                text = unit.text[first:]
                taken.append(dataclasses.replace(unit, text=text, tokens=count_tokens(text)))
        break
    return [dataclasses.replace(u, overlap=True) for u in taken]


def _longest_fitting(text: str, starts: list[int], limit: int) -> int | None:
    """The start (of `starts`, ascending) of the longest suffix of `text` within `limit` tokens;
    None when not even the shortest fits.

    By bisection: a suffix's token count grows with its length, all but a token now and then
    (a word can take fewer tokens after a space than at the start), so the answer always fits
    and is the longest one wherever the counts are monotone. Six tokenizer calls for a 50-token
    overlap, where a word-by-word search made one per word.
    """
    low, high = 0, len(starts)  # the answer lies in [low, high]; high == len: none found yet
    while low < high:
        middle = (low + high) // 2
        if count_tokens(text[starts[middle] :]) <= limit:
            high = middle
        else:
            low = middle + 1
    return starts[high] if high < len(starts) else None


def _with_header(tail: list[_Unit], unit: _Unit) -> list[_Unit]:
    """`tail` led by the header rows of the table that it or `unit` continues, unless it holds
    them already."""
    header = unit.header or next((u.header for u in tail if u.header), "")
    if not header or any(header in u.text for u in tail):
        return tail
    lead = dataclasses.replace(
        unit, text=header, tokens=count_tokens(header), sep=_JOIN, overlap=True, header="",
        lead=True,
    )  # fmt: skip
    return [lead, *tail]


def _make_chunk(document: Document, units: list[_Unit], position: int, tokens: int) -> Chunk:
    text = _text(units)
    own = next((u for u in units if not u.overlap), units[0])
    pages = [u.page for u in units if u.page is not None]
    return Chunk(
        id=chunk_id(document.source, position, text),
        source=document.source,
        title=document.title,
        kind=document.kind,
        text=text,
        position=position,
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        headings=own.headings,
        doc_hash=document.content_hash,
        token_count=tokens,
    )


def chunk_document(document: Document, *, budget: int, overlap: int = 0) -> list[Chunk]:
    """The document's chunks, in order.

    Each chunk's `indexed_text` (title, heading path and text: what gets embedded) fits `budget`
    tiktoken tokens, unless a title and heading path alone take more than a third of it; the
    text itself always does.
    """
    return list(chunk_blocks(document, document.blocks, budget=budget, overlap=overlap))


def chunk_blocks(
    document: Document, blocks: Iterable[Block], *, budget: int, overlap: int = 0
) -> Iterator[Chunk]:
    """`chunk_document` over `blocks` as they come (`document` gives the source, title, kind
    and hash; its own blocks are not read): each chunk is yielded once no later block can
    change it, so a long PDF's first chunks leave while its last pages are still read."""
    if budget < MIN_BUDGET:
        raise ValueError(f"budget must be at least {MIN_BUDGET} tokens")
    overlap = min(overlap, budget // 4)
    small = budget // 3  # a section smaller than this is merged into the next one
    units = _units(document.title, blocks, budget)
    pending: deque[_Unit] = deque()  # units an over-full chunk handed back, before `units`
    chunks: list[Chunk] = []  # made and not yet yielded
    made = 0
    current: list[_Unit] = []
    total = 0  # estimated tokens of the current chunk's text
    cap = budget  # the smallest budget among the current chunk's units

    def limit(units: list[_Unit]) -> int:
        return min(u.budget for u in units)

    def emit() -> list[_Unit]:
        """Close the current chunk (re-queueing units if the exact count is over budget)."""
        nonlocal current, total, made
        while True:
            tokens = count_tokens(_text(current))
            if tokens <= limit(current) or sum(not u.overlap for u in current) <= 1:
                break
            pending.appendleft(current.pop())  # the estimate was low: move the last unit on
        if tokens > limit(current):  # one unit plus overlap: drop the overlap
            current = [u for u in current if not u.overlap]
            tokens = count_tokens(_text(current))
        chunks.append(_make_chunk(document, current, made, tokens))
        made += 1
        done, current, total = current, [], 0
        return done

    while (unit := pending.popleft() if pending else next(units, None)) is not None:
        new_section = bool(current) and unit.section != current[-1].section
        if new_section and sum(u.tokens + 1 for u in current if not u.overlap) >= small:
            emit()
        elif current and total + 1 + unit.tokens > min(cap, unit.budget):
            done = emit()
            if done and done[-1].section == unit.section:
                tail = _tail(done, overlap)
                for carried in (_with_header(tail, unit), tail):
                    size = sum(u.tokens + 1 for u in carried)
                    if carried and size + unit.tokens <= unit.budget:
                        current, total = carried, size - 1
                        cap = limit(current)
                        break
        cap = min(cap, unit.budget) if current else unit.budget
        current.append(unit)
        total += unit.tokens + (1 if len(current) > 1 else 0)
        yield from chunks
        chunks.clear()
    if current:
        emit()
    yield from chunks
