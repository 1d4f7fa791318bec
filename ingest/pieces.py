"""A paragraph too long for one chunk, cut into runs that fit: pure, deterministic.

Sentences first (a table's rows, when the paragraph is a Markdown table), grouped by length;
a sentence longer than a quarter chunk is cut at whitespace into runs of words; a single
over-long "word" (a URL, a run of digits) is cut inside. Every piece is a verbatim slice of the
paragraph, with the whitespace that preceded it, so `ingest.chunker` joins them back as they
stood and a chunk's text can still be found on its page.
"""

from __future__ import annotations

import re

from text.tokens import count_tokens

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")
_ROW_END = re.compile(r"\n+")  # a table's rows: "| Revenue: | 1,577 |" is one piece
WHITESPACE = re.compile(r"\s+")


def text_spans(text: str, boundary: re.Pattern[str]) -> list[tuple[str, int, int]]:
    """(whitespace before, start, end) of the non-blank pieces between boundary matches."""
    spans, start, before = [], 0, ""
    for match in boundary.finditer(text):
        if match.start() > start:
            spans.append((before, start, match.start()))
            before = ""
        before += match.group()
        start = match.end()
    if start < len(text):
        spans.append((before, start, len(text)))
    return spans


def _sep(whitespace: str) -> str:
    return "" if not whitespace else ("\n" if "\n" in whitespace else " ")


def _cut_long_word(word: str, limit: int) -> list[str]:
    """Cut a piece without whitespace into slices of at most `limit` tokens."""
    out = []
    while word:
        if count_tokens(word) <= limit:
            out.append(word)
            break
        low, high = 1, len(word)  # the longest prefix that fits
        while low < high:
            mid = (low + high + 1) // 2
            if count_tokens(word[:mid]) <= limit:
                low = mid
            else:
                high = mid - 1
        out.append(word[:low])
        word = word[low:]
    return out


def _words(text: str, limit: int) -> list[tuple[str, str, int]]:
    """An over-long sentence as runs of words of at most ~`limit` tokens: (sep, text, tokens)."""
    out: list[tuple[str, str, int]] = []
    group: tuple[str, int, int, int] | None = None  # sep, start, end, tokens
    for before, start, end in text_spans(text, WHITESPACE):
        tokens = count_tokens(text[start:end])
        if tokens > limit:
            if group:
                out.append((group[0], text[group[1] : group[2]], group[3]))
                group = None
            for i, cut in enumerate(_cut_long_word(text[start:end], limit)):
                out.append((_sep(before) if i == 0 else "", cut, count_tokens(cut)))
        elif group and group[3] + 1 + tokens <= limit:
            group = (group[0], group[1], end, group[3] + 1 + tokens)
        else:
            if group:
                out.append((group[0], text[group[1] : group[2]], group[3]))
            group = (_sep(before), start, end, tokens)
    if group:
        out.append((group[0], text[group[1] : group[2]], group[3]))
    return out


def paragraph_pieces(paragraph: str, budget: int) -> list[tuple[str, str, int]]:
    """A paragraph longer than the budget, as runs of sentences of about a quarter budget each.

    Neighbouring sentences (and PDF lines) are grouped by length first and counted once per
    group, which keeps tokenizer calls few; a group that counts too many tokens is taken apart
    again, and a single over-long sentence is split into runs of words.
    """
    out: list[tuple[str, str, int]] = []
    small = max(8, budget // 4)
    spans = text_spans(paragraph, _ROW_END if paragraph.startswith("|") else _SENTENCE_END)
    index = 0
    while index < len(spans):
        before, start, end = spans[index]
        last = index  # group while the text stays short: ~3 characters a token, conservatively
        while last + 1 < len(spans) and spans[last + 1][2] - start <= small * 3:
            last += 1
        end = spans[last][2]
        tokens = count_tokens(paragraph[start:end])
        if tokens <= budget // 2 or last > index:
            if tokens <= budget // 2:
                out.append((_sep(before), paragraph[start:end], tokens))
                index = last + 1
                continue
            last = index  # the estimate failed (dense text): one sentence at a time
            end = spans[index][2]
            tokens = count_tokens(paragraph[start:end])
            if tokens <= budget // 2:
                out.append((_sep(before), paragraph[start:end], tokens))
                index += 1
                continue
        words = _words(paragraph[start:end], small)
        out.extend([(_sep(before), words[0][1], words[0][2]), *words[1:]])
        index += 1
    return out
