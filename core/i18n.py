"""Messages in the reader's language: catalogues keyed by language, then by message id.

A catalogue is a plain mapping, `{"en": {"not_found": "…"}, "de": {"not_found": "…"}}`, kept next
to the code that shows its messages (the answer's wording in `rag/wording.py`, the UI's strings in
`app/ui/strings.py`). English is complete and the fallback for every id; another language may
leave ids out. Adding a language is adding its mapping: nothing else changes.

    core.i18n (mechanism)  <-  rag.wording (answers)  <-  app.ui.strings (the page)
                           <-  core.reasons (why ingest skipped or failed a file)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FALLBACK = "en"

Catalogue = Mapping[str, Mapping[str, str]]


def base_language(tag: str | None) -> str | None:
    """`de` for "de-DE", "de_AT" or "DE"; None for nothing usable."""
    if not tag:
        return None
    base = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return base if base.isalpha() and 2 <= len(base) <= 3 else None


def choose_language(catalogue: Catalogue, *preferences: str | None) -> str:
    """The first preference the catalogue speaks (by base language), else English."""
    for tag in preferences:
        base = base_language(tag)
        if base is not None and base in catalogue:
            return base
    return FALLBACK


@dataclass(frozen=True, slots=True)
class Messages:
    """One catalogue in one language: `messages("id", name=...)` is the formatted text."""

    catalogue: Catalogue
    language: str = FALLBACK

    def __call__(self, message_id: str, /, **values: object) -> str:
        own = self.catalogue.get(self.language, {})
        template = own.get(message_id) or self.catalogue[FALLBACK][message_id]
        return template.format(**values) if values else template


def missing_ids(catalogue: Catalogue) -> dict[str, set[str]]:
    """Per language, the ids it does not translate (English has them all by definition)."""
    every = set(catalogue[FALLBACK])
    return {lang: every - set(ids) for lang, ids in catalogue.items() if every - set(ids)}
