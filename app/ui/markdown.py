"""Strings made safe for `st.markdown`: pure.

`md_escape` shows any text literally (file names, notices, errors, questions). `answer_markdown`
keeps an answer's emphasis and lists and its `[n]` citation markers, and escapes everything that
would make the browser fetch or run something: images `![x](url)`, link targets and reference
definitions, raw HTML and autolinks in `<…>`, and `$` (LaTeX).
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:])")
# A citation marker `[3]` not followed by `(` or `:` stays as it is; any other bracket,
# `!`, `<`, `>`, `$` or backslash is escaped, so no image, link, HTML or LaTeX can form.
_ANSWER_SPECIAL = re.compile(r"(\[\d{1,3}\](?![(:]))|([\\\[\]!<>$])")


def md_escape(text: str) -> str:
    """Plain text shown literally by st.markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def answer_markdown(text: str) -> str:
    """The answer as markdown: emphasis, lists and citation markers kept; no image, link,
    HTML or LaTeX can form."""
    return _ANSWER_SPECIAL.sub(lambda m: m.group(1) or "\\" + m.group(2), text)
