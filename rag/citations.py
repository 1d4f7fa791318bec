"""From `[n]` markers in an answer back to the chunks they cite. Pure functions.

Markers come as `[1]`, `[1, 2]`, `[1][2]`, `[1-3]` and, from some models, `[Source 1]`. A marker
that points at no source is dropped and reported; the sources are listed in order of first
citation, each with the sentence of the chunk that best supports the claims citing it (the
passage the UI highlights). An answer with text but no valid citation is flagged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.records import Citation, ScoredChunk
from rag.events import Citations
from rag.sentences import content_terms, prose_and_rows, split_sentences

_NUMBER_LIST = r"\d{1,3}(?:\s*(?:,|;|-|–|and)\s*\d{1,3})*"
MARKER = re.compile(rf"\[\s*(?:sources?\s*:?\s*)?({_NUMBER_LIST})\s*\]", re.IGNORECASE)
_MAX_RANGE = 20  # `[1-300]` is not a citation anybody meant
# An answer that says the documents are silent needs no citation.
_DECLINES = re.compile(
    r"\b(?:do(?:es)?\s+not|don't|doesn't)\s+(?:say|mention|contain|cover|answer)"
    r"|\bcould(?:\s+not|n't)\s+find|\bnot\s+(?:found|mentioned|covered)\s+in"
    r"|\bno\s+(?:relevant\s+)?information\b|\bnothing\s+(?:relevant|about)",
    re.IGNORECASE,
)


def marker_numbers(inner: str) -> list[int]:
    """The numbers inside one marker's brackets, ranges expanded, in written order."""
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,|;|and)\s*", inner):
        bounds = re.split(r"\s*[-–]\s*", part)
        if len(bounds) == 2:
            low, high = int(bounds[0]), int(bounds[1])
            if low <= high and high - low < _MAX_RANGE:
                numbers.extend(range(low, high + 1))
            else:
                numbers.extend((low, high))
        elif part:
            numbers.append(int(part))
    return numbers


def parse_markers(text: str) -> list[int]:
    """Every cited number, in order of appearance (repeats kept)."""
    return [n for m in MARKER.finditer(text) for n in marker_numbers(m.group(1))]


def strip_markers(text: str) -> str:
    """The text without citation markers (for history sent back to the model, and for matching)."""
    stripped = MARKER.sub("", text)
    stripped = re.sub(r"[ \t]+([.,;:!?])", r"\1", stripped)
    return re.sub(r"[ \t]{2,}", " ", stripped).strip()


def claims_citing(text: str) -> dict[int, list[str]]:
    """For each cited number, the answer sentences that cite it (markers removed)."""
    claims: dict[int, list[str]] = {}
    for match in MARKER.finditer(text):
        before = strip_markers(text[: match.start()])
        sentences = split_sentences(before)
        if not sentences:
            continue
        claim = sentences[-1].lstrip("-*• ").strip()
        for number in marker_numbers(match.group(1)):
            bucket = claims.setdefault(number, [])
            if claim and claim not in bucket:
                bucket.append(claim)
    return claims


def _quotables(text: str) -> list[str]:
    """The chunk's sentences, and each Markdown table row on its own (as one "sentence" the
    whole table would be marked for a claim about one row)."""
    return [
        piece
        for run, row in prose_and_rows(text)
        for piece in ([run] if row else split_sentences(run))
    ]


def best_quote(chunk_text: str, claims: Sequence[str]) -> str:
    """The sentence (or table row) of the chunk that shares the most meaning-bearing words with
    the claims."""
    sentences = _quotables(chunk_text)
    if not sentences:
        return ""
    for claim in claims:  # an extractive answer quotes the chunk verbatim: prefer exact matches
        verbatim = claim.removesuffix("…").strip().rstrip(".")
        for sentence in sentences:
            if len(verbatim) > 10 and verbatim in sentence:
                return sentence
    wanted = {t for claim in claims for t in content_terms(claim)}
    if not wanted:
        return ""

    def overlap(sentence: str) -> float:
        terms = set(content_terms(sentence))
        return len(terms & wanted) / (1 + 0.05 * len(terms))

    best = max(sentences, key=overlap)
    return best if overlap(best) > 0 else ""


def locate(text: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` sits in `text` (ignoring differences in whitespace), as a slice."""
    parts = quote.split()
    if not parts:
        return None
    match = re.search(r"\s+".join(re.escape(p) for p in parts), text)
    return (match.start(), match.end()) if match else None


def declines(answer: str) -> bool:
    """Whether the answer says the documents do not cover the question."""
    return bool(_DECLINES.search(answer))


def resolve(answer: str, sources: Sequence[ScoredChunk]) -> Citations:
    """Validate the answer's markers against `sources` (numbered from 1)."""
    order: list[int] = []
    dropped: list[int] = []
    for number in parse_markers(answer):
        if 1 <= number <= len(sources):
            if number not in order:
                order.append(number)
        elif number not in dropped:
            dropped.append(number)
    claims = claims_citing(answer)
    citations = tuple(
        Citation(
            number=n,
            chunk=sources[n - 1].chunk,
            score=sources[n - 1].score,
            quote=best_quote(sources[n - 1].chunk.text, claims.get(n, [])),
        )
        for n in order
    )
    uncited = bool(answer.strip()) and not citations and not declines(answer)
    return Citations(citations=citations, dropped=tuple(dropped), uncited=uncited)
