"""Strings made safe for `st.markdown`: pure.

`md_escape` shows any text literally (file names, notices, errors, questions). `answer_markdown`
keeps an answer's emphasis and lists and its `[n]` citation markers, and escapes everything that
would make the browser fetch or run something: images `![x](url)`, link targets and reference
definitions, raw HTML and autolinks in `<…>`, and `$` (LaTeX). The only links it makes are its
own: a marker whose source is shown becomes an in-page link to it (`source_anchor`), `#` and an
id we built, never a target taken from the text.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:])")
# A citation marker `[3]` not followed by `(` or `:` stays as it is; any other bracket,
# `!`, `<`, `>`, `$` or backslash is escaped, so no image, link, HTML or LaTeX can form.
_ANSWER_SPECIAL = re.compile(r"(\[\d{1,3}\](?![(:]))|([\\\[\]!<>$])")


def md_escape(text: str) -> str:
    """Plain text shown literally by st.markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def source_anchor(exchange_key: str, number: int) -> str:
    """The element id of source `number` under one answer (`exchange_key`: digits, our own)."""
    return f"rag-src-{exchange_key}-{number}"


def answer_markdown(
    text: str, *, exchange_key: str | None = None, linked: Collection[int] = ()
) -> str:
    """The answer as markdown: emphasis, lists and citation markers kept; no image, link,
    HTML or LaTeX can form, except that a marker `[n]` with `n` in `linked` links to its source
    shown below (`#rag-src-<exchange_key>-<n>`)."""

    def keep(match: re.Match[str]) -> str:
        marker = match.group(1)
        if not marker:
            return "\\" + match.group(2)
        number = int(marker[1:-1])
        if exchange_key is None or number not in linked:
            return marker
        return f"[\\[{number}\\]](#{source_anchor(exchange_key, number)})"

    return _ANSWER_SPECIAL.sub(keep, text)
