"""HTML: the page's own text with its heading path, without navigation, scripts or chrome.

Uses the standard library's `html.parser` (tolerant of broken markup). Boilerplate elements
(`nav`, `header`, `footer`, `aside`, `script`, `style`, forms, hidden elements, ARIA navigation
landmarks) are dropped; when the page marks its content with `<main>` or `<article>`, only that
is kept. Headings `h1`–`h6` become the heading path of the text below them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from core.errors import NoTextError
from core.reasons import Reason
from core.records import Block, Document
from ingest.loaders.text import read_text

_SKIP = frozenset(
    {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
     "svg", "iframe", "button", "select", "canvas", "object", "head"}
)  # fmt: skip
_SKIP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip
_BREAK = frozenset(
    {"p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "tr",
     "table", "blockquote", "pre", "figure", "figcaption", "br", "hr", "td", "th"}
)  # fmt: skip
_HEADING = re.compile(r"^h([1-6])$")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.sections: list[tuple[tuple[str, ...], list[str], bool]] = []
        self._skip: list[str] = []  # open boilerplate elements
        self._content_depth = 0  # inside <main>/<article>
        self._path: list[tuple[int, str]] = []
        self._heading: tuple[int, list[str]] | None = None
        self._in_title = False
        self._in_pre = 0
        self._new_section()

    def _new_section(self) -> None:
        headings = tuple(t for _, t in self._path)
        self.sections.append((headings, [], self._content_depth > 0))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag in _BREAK and not self._skip:
                self._write("\n")
            return
        if tag == "title":
            self._in_title = True
            return
        values = dict(attrs)
        hidden = "hidden" in values or values.get("aria-hidden") == "true"
        if self._skip or tag in _SKIP or hidden or values.get("role") in _SKIP_ROLES:
            self._skip.append(tag)
            return
        if tag in ("main", "article"):
            self._content_depth += 1
            self._new_section()
        elif tag == "pre":
            self._in_pre += 1
        match = _HEADING.match(tag)
        if match:
            self._heading = (int(match.group(1)), [])
        elif tag in _BREAK:
            self._write("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
            return
        if self._skip:
            if tag in self._skip:
                while self._skip and self._skip.pop() != tag:
                    pass
            return
        if tag in ("main", "article") and self._content_depth:
            self._content_depth -= 1
            self._new_section()
        elif tag == "pre" and self._in_pre:
            self._in_pre -= 1
        if _HEADING.match(tag) and self._heading is not None:
            level, parts = self._heading
            self._heading = None
            title = " ".join("".join(parts).split())
            if title:
                while self._path and self._path[-1][0] >= level:
                    self._path.pop()
                self._path.append((level, title))
                self._new_section()
                self._write(title + "\n")
        elif tag in _BREAK:
            self._write("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif self._skip:
            return
        elif self._heading is not None:
            self._heading[1].append(data)
        else:
            self._write(data if self._in_pre else _SPACES.sub(" ", data.replace("\n", " ")))

    def _write(self, text: str) -> None:
        self.sections[-1][1].append(text)


def _clean(text: str) -> str:
    lines = [line.strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def html_blocks(markup: str) -> tuple[list[Block], str]:
    """The content blocks of a page (main/article only when the page has one) and its title."""
    parser = _Extractor()
    parser.feed(markup)
    parser.close()
    sections = parser.sections
    if any(in_content and "".join(parts).strip() for _, parts, in_content in sections):
        sections = [s for s in sections if s[2]]
    blocks = []
    for headings, parts, _ in sections:
        text = _clean("".join(parts))
        if text:
            blocks.append(Block(text=text, headings=headings))
    return blocks, " ".join(parser.title.split())


def read(
    path: Path, *, source: str, kind: str, content_hash: str, password: str | None
) -> Document:
    blocks, title = html_blocks(read_text(path, source))
    if not blocks:
        raise NoTextError(source, Reason("html_no_text"))
    if not title:
        title = blocks[0].headings[0] if blocks[0].headings else path.stem
    return Document(
        source=source, title=title, kind=kind, content_hash=content_hash, blocks=tuple(blocks)
    )
