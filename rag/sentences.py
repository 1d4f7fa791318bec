"""Sentences and content words: the small text analysis the answer path shares.

Pure functions. The extractive answerer picks sentences, the citation step finds the sentence a
claim rests on, and the offline query rewriter looks for the topic of earlier questions; all
three need the same notion of "sentence" and of "word that carries meaning".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import snowballstemmer

from text.tables import is_row

# A sentence ends at . ! ? (optionally followed by closing quotes or brackets, which stay with it)
# before whitespace and a capital, digit, opening quote, § or bullet; or at a blank line / a line
# that starts a list item. A proposed end is undone after an abbreviation or a German ordinal.
_OPEN = "\"'(\\[„“‚‘«»"
_CLOSE = "\"')\\]“”‘’»«"
_SENTENCE_END = re.compile(
    rf"[.!?][{_CLOSE}]{{0,2}}(?P<end>\s+)(?=[{_OPEN}]?[A-ZÄÖÜ0-9•§\-*])"  # . ! ? then a new one
    r"|\n\s*\n"  # a blank line
    r"|\n(?=\s*(?:[-*•]|\d+[.)])\s)"  # a list item
)
# Abbreviations that never end a sentence, lower-cased without their final "." (German, English).
# Any single letter + "." is one too: "z. B.", "S. 2", "J. Smith", "U.S.".
_NON_TERMINAL = frozenset(
    """
    abs art bzgl bzw ca co dr dipl evtl gegr ggf hr hrsg inkl jh jhd kap lt max min mind mio mrd
    nr prof sog st str tel vgl zb zzgl abb anm bd ff fr frl geb gem hl ing jr kfz mwst röm verf
    ziff lit abschn anl aufl bspw ebd einschl entspr erg gez mtl ndr nrn tsd urt
    e.g i.e vs mr mrs ms fig figs approx no nos sec sect ch eq eqs ext gen gov jan feb mar apr jun
    jul aug sep sept oct nov dec dept est inc ltd corp vol pp al resp ref refs cf
    """.split()  # noqa: SIM905
)
# Abbreviations that often end a sentence: the boundary after them stays.
_TERMINAL = ("usw.", "etc.", "std.", "s. o.", "s.o.", "u. ä.", "u.ä.", "o. ä.", "o.ä.")
_BLANK_LINE = re.compile(r"\n\s*\n")
_LAST_TOKEN = re.compile(r"(\S+)$")
_ORDINAL = re.compile(r"(?:^|\s)\d{1,2}\.$")  # "am 31." "der 2." (German only: "is 5." ends)
_GERMAN_HINT = frozenset(
    "der die das und ist nicht mit für auf den dem des sich ein eine wird von zu im sie".split()  # noqa: SIM905
)
_ENGLISH_HINT = frozenset(
    "the and is are of to in for with that this on was be by an it as at".split()  # noqa: SIM905
)
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


GERMAN_STOPWORDS = frozenset(
    """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes
    auch auf aus bei bin bis bist da damit dann das dass dein deine dem den denn der des dich die
    dies diese diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines
    er es etwas euch euer eure für gegen gibt hab habe haben hat hatte hätte ich ihm ihn ihr ihre
    im in ist ja jede jedem jeden jeder jedes kann kein keine können könnte man manche mein meine
    mich mir mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine sich sie
    sind so solche soll sollte sondern um und uns unser unsere unter viel viele vom von vor wann
    war waren warum was weil welche welchem welchen welcher welches wenn wer werde werden wie
    wieder will wir wird wo wurde wurden zu zum zur über bekomme bekommt kriege sagt steht bitte
    """.split()  # noqa: SIM905
)
_STEMMERS = {"en": "english", "de": "german"}


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(_STEMMERS.get(language, "english"))


def stemmed_language(language: str) -> str:
    """The language whose stemming and stop words `content_terms` uses for `language`."""
    return language if language in _STEMMERS else "en"


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


def looks_german(text: str) -> bool:
    """More German than English function words: the cheap vote the ordinal rule needs."""
    found = [w.lower() for w in _WORD.findall(text)]
    return sum(w in _GERMAN_HINT for w in found) > sum(w in _ENGLISH_HINT for w in found)


def _continues(piece: str, *, german: Callable[[], bool]) -> bool:
    """True when the proposed boundary after `piece` is not the end of a sentence."""
    if not piece.endswith("."):  # "?", "!" and a closing quote end a sentence
        return False
    low = piece.lower()
    if low.endswith(_TERMINAL):
        return False
    match = _LAST_TOKEN.search(low)
    token = match.group(1).lstrip(_OPEN) if match else ""
    stem = token[:-1]
    if len(stem) == 1 and stem.isalpha():  # "z." "B." "S." initials
        return True
    if stem in _NON_TERMINAL or stem.replace(".", "") in _NON_TERMINAL or stem.endswith("str"):
        return True
    return bool(_ORDINAL.search(low)) and german()


def split_sentences(text: str, *, language: str = "auto") -> list[str]:
    """Split prose into sentences; whitespace inside a sentence is collapsed to single spaces.

    `language` is "de", "en" or "auto"; German turns on the ordinal rule ("am 31. März" is one
    sentence, "The answer is 5. Next." two). "auto" decides by a function-word vote over `text`.
    """
    verdict: list[bool] = []  # the vote runs only when an ordinal asks for it

    def german() -> bool:
        if not verdict:
            verdict.append(language == "de" or (language == "auto" and looks_german(text)))
        return verdict[0]

    text = _separate_headings(text)
    pieces: list[str] = []
    start, joinable = 0, False  # joinable: the boundary before the current piece may be undone
    for boundary in [*_SENTENCE_END.finditer(text), None]:
        if boundary is None:
            end = len(text)
        else:
            end = boundary.start("end") if boundary.group("end") is not None else boundary.start()
        sentence = " ".join(text[start:end].split())
        if sentence:
            if pieces and joinable and _continues(pieces[-1], german=german):
                pieces[-1] = f"{pieces[-1]} {sentence}"
            else:
                pieces.append(sentence)
        if boundary:
            start = boundary.end()
            joinable = boundary.group("end") is not None and not _BLANK_LINE.search(boundary[0])
    return pieces


def prose_and_rows(text: str) -> list[tuple[str, bool]]:
    """`text` as runs, in order: each Markdown table row on its own, stripped (True), and the
    lines between rows joined (False). A table has no full stops, so `split_sentences` alone
    would make the whole table one sentence."""
    runs: list[tuple[str, bool]] = []
    prose: list[str] = []
    for line in text.split("\n"):
        if is_row(line):
            if prose:
                runs.append(("\n".join(prose), False))
                prose = []
            runs.append((line.strip(), True))
        else:
            prose.append(line)
    if prose:
        runs.append(("\n".join(prose), False))
    return runs


def words(text: str) -> list[str]:
    """Lower-cased words, in order, stopwords included."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def content_terms(text: str, *, language: str = "en") -> list[str]:
    """Stemmed words that carry meaning (no stopwords, no single letters), in order.

    `language` picks the stemmer and stop words (English for a language without its own): the
    English stop words always, the German ones for German only ("die", "war", "hat" are English).
    """
    language = stemmed_language(language)
    stop = STOPWORDS | GERMAN_STOPWORDS if language == "de" else STOPWORDS
    kept = [w for w in words(text) if w not in stop and (len(w) > 1 or w.isdigit())]
    return [str(s) for s in _stemmer(language).stemWords(kept)]
