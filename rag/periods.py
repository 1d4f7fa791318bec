"""Filings a question dates: "in FY2022", "Q2'2023", "this 10-K" -> the documents named so.

A document's period is read from its file name: the years in it ("PFIZER_2021_10K.pdf" -> 2021,
"JOHNSON_JOHNSON_2023_8K_dated-2023-08-30.pdf" -> 2023), the quarter ("Pfizer_2023Q2_10Q" -> Q2)
and the form (10-K, 10-Q, 8-K; "10K" too). A question's period is read the same way from its
words: years ("2019", "FY2022", "FY 2022", "FY21", "Q2'2023", "Q22023"), quarters and forms.

`dated_sources` narrows a set of documents to those the question's period points at:
1. a form the question names keeps the documents of that form;
2. of those, the latest year it names keeps the documents of that year; when none is of that
   year, the earliest documents of the two years after it (a 10-K reports three years: a
   question about 2019 is answered by the FY2021 10-K, not by a 2023 quarterly report);
3. a quarter it names then keeps the documents of that quarter, when any has one.
A step that would keep nothing is skipped. Pure; `Services.answer` applies it when
`prefer_named_periods` is set and no explicit scope is given, after `rag.entities` (so "Pfizer's
FY2021 10-K" picks that filing among Pfizer's).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

COVERS = 2  # a filing of year Y reports on years Y-2..Y (three years of statements)

_YEAR = re.compile(r"(?<![0-9])((?:19|20)\d\d)(?![0-9])")
_QUARTER_YEAR = re.compile(r"q[1-4]'?\s?((?:19|20)\d\d)(?![0-9])", re.IGNORECASE)  # "Q22023"
_SHORT_FY = re.compile(r"\bFY\s?'?(\d\d)\b", re.IGNORECASE)  # "FY20", "FY '21"
_FORM = re.compile(r"(?<![a-z0-9])(10|8)[-\s]?([kq])(?![a-z0-9])", re.IGNORECASE)
# "Q2", "Q2'2023", "Q22023", "2023Q2"; the quarter's digit must not run into a number ("Q2 3")
_QUARTER = re.compile(
    r"(?:(?<=\d{4})|(?<![a-z0-9]))q([1-4])(?=(?:'?\s?(?:19|20)\d\d)|[^0-9]|$)", re.IGNORECASE
)
_ORDINAL_QUARTER = re.compile(r"\b(first|second|third|fourth)\s+quarter\b", re.IGNORECASE)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}


@dataclass(frozen=True, slots=True)
class Period:
    years: frozenset[int]
    quarters: frozenset[int]
    forms: frozenset[str]  # "10-K", "10-Q", "8-K"

    def __bool__(self) -> bool:
        return bool(self.years or self.quarters or self.forms)


def period(text: str) -> Period:
    """The years, quarters and forms `text` names (a file name's stem or a question)."""
    text = text.replace("_", " ")  # "PFIZER_2021_10K": underscores are word characters
    years = {int(y) for y in _YEAR.findall(text)}
    years |= {int(y) for y in _QUARTER_YEAR.findall(text)}
    years |= {2000 + int(y) for y in _SHORT_FY.findall(text)}
    quarters = {int(q) for q in _QUARTER.findall(text)}
    quarters |= {_ORDINALS[w.casefold()] for w in _ORDINAL_QUARTER.findall(text)}
    forms = {f"{number}-{kind.upper()}" for number, kind in _FORM.findall(text)}
    return Period(frozenset(years), frozenset(quarters), frozenset(forms))


def _stem(source: str) -> str:
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def _narrow(chosen: Sequence[str], keep: Iterable[str]) -> list[str]:
    wanted = set(keep)
    kept = [s for s in chosen if s in wanted]
    return kept or list(chosen)


def dated_sources(question: str, sources: Iterable[str]) -> tuple[str, ...]:
    """The sources the question's period points at, sorted (empty: it dates none of them)."""
    asked = period(question)
    names = sorted(set(sources))
    if not asked or not names:
        return ()
    periods = {s: period(_stem(s)) for s in names}
    chosen = names
    if asked.forms:
        chosen = _narrow(chosen, (s for s in chosen if periods[s].forms & asked.forms))
    if asked.years:
        latest = max(asked.years)
        exact = [s for s in chosen if latest in periods[s].years]
        if exact:
            chosen = exact
        else:
            later = [
                min(y for y in periods[s].years if latest <= y <= latest + COVERS)
                for s in chosen
                if any(latest <= y <= latest + COVERS for y in periods[s].years)
            ]
            if later:
                first = min(later)
                chosen = [s for s in chosen if first in periods[s].years]
    if asked.quarters:
        chosen = _narrow(chosen, (s for s in chosen if periods[s].quarters & asked.quarters))
    if len(chosen) == len(names):
        return ()
    return tuple(chosen)
