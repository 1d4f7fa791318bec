"""The snippet under each cited source: the chunk around its cited sentence, that sentence marked.

Pure: returns HTML in which every piece of document text is escaped, so a document can never
inject markup into the page; only our own `<mark>` is raw. Markdown's own specials (`!`, `[`,
`]`, `(`, `)`, `*`, `_`, backtick, `:`, `$`) become character references too, so
`![x](http://host/p.png)` in a document stays text even where Markdown is parsed around HTML.
"""

from __future__ import annotations

import html
import re

from rag.citations import locate

_MARKDOWN_REFS = str.maketrans({c: f"&#{ord(c)};" for c in "![]()*_`:$~\\"})
RADIUS = 240  # characters of context on each side of the cited sentence
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def _trim_left(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    return "… " + cut.split(" ", 1)[-1] if " " in cut else "… " + cut


def _trim_right(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut.rsplit(" ", 1)[0] + " …" if " " in cut else cut + " …"


def snippet_parts(text: str, quote: str, *, radius: int = RADIUS) -> tuple[str, str, str]:
    """(before, cited, after), whitespace collapsed; cited is "" when the quote is not found."""
    span = locate(text, quote) if quote else None
    if span is None:
        flat = " ".join(text.split())
        return _trim_right(flat, 2 * radius), "", ""
    before = " ".join(text[: span[0]].split())
    cited = " ".join(text[span[0] : span[1]].split())
    after = " ".join(text[span[1] :].split())
    return _trim_left(before, radius), cited, _trim_right(after, radius)


def plain(text: str) -> str:
    """Markdown's emphasis markers removed: the snippet shows text, not `**Enterprise**`."""
    return _EMPHASIS.sub(r"\2", text)


def escape(text: str) -> str:
    """Document text as inert HTML: tags escaped, Markdown's specials as character references."""
    return html.escape(text).translate(_MARKDOWN_REFS)


def snippet_html(text: str, quote: str, *, radius: int = RADIUS) -> str:
    before, cited, after = snippet_parts(plain(text), plain(quote), radius=radius)
    marked = f"<mark>{escape(cited)}</mark>" if cited else ""
    pieces = [escape(before), marked, escape(after)]
    return " ".join(p for p in pieces if p)
