"""Which documents a question is asked about: patterns resolved against a collection's sources.

    resolve_sources(["reports/2023/*", "Pfizer"], names) -> the matching source names

A pattern matches a source name when it is the name, a glob over it (`*`, `?`, `[...]`; `*`
crosses folders), the folder it lies in ("reports" or "reports/"), or the start of the name or
of its file name ("AMAZON_2017" matches "filings/AMAZON_2017_10K.pdf"); a document's full name
selects that document alone ("0-1" not also "0-10"). Case is ignored. A
pattern that matches nothing is an error, never a silent "search everything": a misspelled
scope must not widen the question to every document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase

from core.errors import ScopeError
from core.records import SearchFilter

_GLOB = frozenset("*?[")


def matches(pattern: str, source: str) -> bool:
    p = pattern.strip().casefold().replace("\\", "/")
    s = source.casefold()
    if not p:
        return False
    if s == p:  # before globbing: "Vertrag [final].pdf" names itself
        return True
    if _GLOB & set(p):
        return fnmatchcase(s, p) or fnmatchcase(s.rsplit("/", 1)[-1], p)
    folder = p.rstrip("/") + "/"
    return s.startswith(folder) or s.startswith(p) or s.rsplit("/", 1)[-1].startswith(p)


def resolve_sources(patterns: Sequence[str], sources: Iterable[str]) -> tuple[str, ...]:
    """The sources any pattern matches, sorted; `ScopeError` naming a pattern that matches none."""
    names = sorted(set(sources))
    chosen: set[str] = set()
    exact = {name.casefold(): name for name in names}
    for pattern in patterns:
        if pattern.strip().casefold() in exact:  # a full name means that document only
            chosen.add(exact[pattern.strip().casefold()])
            continue
        found = [name for name in names if matches(pattern, name)]
        if not found:
            raise ScopeError(f"No document matches {pattern!r} in this collection.")
        chosen.update(found)
    return tuple(sorted(chosen))


def scope_filter(patterns: Sequence[str], sources: Iterable[str]) -> SearchFilter | None:
    """The filter for `patterns` (None: no patterns, the whole collection)."""
    if not patterns:
        return None
    return SearchFilter(sources=resolve_sources(patterns, sources))
