"""Sentences and content words: the small text analysis the answer path shares.

Pure functions. The extractive answerer picks sentences, the citation step finds the sentence a
claim rests on, and the offline query rewriter looks for the topic of earlier questions; all
three need the same notion of "sentence" and of "word that carries meaning".
"""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer

# A sentence ends at . ! ? (optionally followed by a closing quote or bracket) before whitespace
# and a capital, digit, quote or bullet; or at a blank line / line that starts a list item.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9•\-*])"  # . ! ? then a new sentence
    r"|\n\s*\n"  # a blank line
    r"|\n(?=\s*(?:[-*•]|\d+[.)])\s)"  # a list item
)
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "approx.", "no.", "vs.", "mr.", "mrs.", "dr.", "fig.")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    tell say says said please does according also get gets got may might must shall us let
    whats what's there's it's i'm ive i've im many much
    """.split()  # noqa: SIM905
)


@cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


_HEADING_MAX_CHARS = 60
_HEADING_MAX_WORDS = 8


def _separate_headings(text: str) -> str:
    """Put a paragraph break after heading-like lines (short, unpunctuated, before a capital).

    PDF text layers put a heading on its own line but with a single newline, like a wrapped line;
    without this the heading would be glued to the first sentence of its section.
    """
    lines = text.split("\n")
    for index, line in enumerate(lines[:-1]):
        stripped = line.strip()
        following = lines[index + 1].lstrip()[:1]
        if (
            stripped
            and len(stripped) <= _HEADING_MAX_CHARS
            and len(stripped.split()) <= _HEADING_MAX_WORDS
            and not stripped.endswith((".", "!", "?", ":", ",", ";", "-", "–"))
            and following.isupper()
        ):
            lines[index] = line + "\n"
    return "\n".join(lines)


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences; whitespace inside a sentence is collapsed to single spaces."""
    pieces: list[str] = []
    for raw in _SENTENCE_END.split(_separate_headings(text)):
        sentence = " ".join(raw.split())
        if not sentence:
            continue
        if pieces and pieces[-1].lower().endswith(_ABBREVIATIONS):
            pieces[-1] = f"{pieces[-1]} {sentence}"
        else:
            pieces.append(sentence)
    return pieces


def words(text: str) -> list[str]:
    """Lower-cased words, in order, stopwords included."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def content_terms(text: str) -> list[str]:
    """Stemmed words that carry meaning (no stopwords, no single letters), in order."""
    kept = [w for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    return [str(s) for s in _stemmer().stemWords(kept)]
