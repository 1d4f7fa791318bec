"""Documents a question names: "What was Pfizer's revenue?" -> the PFIZER_* filings.

A document's name is the first word of its file name (split at `_`, `-`, spaces and dots:
"PFIZER_2021_10K.pdf" -> "pfizer", "reports/Adobe Annual Report.pdf" -> "adobe"). A question
names it when one of its words is that name, or a prefix of it of 4 letters or more, or starts
with it ("Pfizer's"). Pure; `Services.answer` applies it when `prefer_named_documents` is set
and no explicit scope is given. r13 measured the rule on FinanceBench-dev: the right company's
filings for 27/27 questions (12 with two filings of that company).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[^\W\d_]+")
MIN_PREFIX = 4  # "the" must not name "THERMO_2022_10K"
MIN_NAME = 3


def document_name(source: str) -> str:
    stem = source.rsplit("/", 1)[-1]
    words = _WORD.findall(stem.casefold())
    return words[0] if words else ""


def named_sources(question: str, sources: Iterable[str]) -> tuple[str, ...]:
    """The sources whose name the question names, sorted (empty: it names none)."""
    words = set(_WORD.findall(question.casefold()))
    chosen = []
    for source in sources:
        name = document_name(source)
        if len(name) < MIN_NAME:
            continue
        if any(
            word == name
            or (len(word) >= MIN_PREFIX and name.startswith(word))
            or (len(name) >= MIN_PREFIX and word.startswith(name))
            for word in words
        ):
            chosen.append(source)
    return tuple(sorted(chosen))
