"""BM25 terms in the text's own language: stemming, stop words and German compound parts.

- A chunk is analysed in the language `text.language` detects for it (per chunk, so a document
  that mixes German and English sections gets each section right): that language's Snowball
  stemmer and stop list. Languages without a list of their own here fall back to English.
- A question is analysed in its language too; when the call is unsure (a short or keyword-only
  question: "Notice period?" reads as German to every detector) it is analysed as German *and*
  English, deduplicated. Chunks keep one language each, and the other language's stems rarely
  match anything.
- German compounds: a word of >= `MIN_COMPOUND` letters is split at its longest suffix
  (>= `MIN_HEAD` letters) that is a known word, and the part before it (minus a linking element
  -s-, -es-, -n-, -en-, -e-) is kept too when known. "Known" means: in `HEADS` (common nouns of
  company documents) or a word of the same text. The parts are indexed *beside* the whole
  word, so "Urlaubsanspruch" matches "Urlaub", "Anspruch" and "Urlaubsanspruch" alike.

Measured (XQuAD-de, 240 paragraphs, 1,190 questions, BM25 hit@1 / hit@5; research r12): English
stemming 0.874 / 0.966; German stemming and stop words 0.896 / 0.974; with a splitter over the
whole collection's vocabulary 0.909 / 0.979. A splitter that tries every split point (no
vocabulary) costs 0.05 hit@1, which is why parts must be known words. English is unchanged.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import cache, lru_cache

import snowballstemmer

from text.language import guess

_TOKEN = re.compile(r"\w+", re.UNICODE)
MIN_COMPOUND = 10
MIN_HEAD = 5
MIN_LEFT = 4
_LINKS = ("es", "s", "en", "n", "e", "")  # German linking elements (Fugen), longest first

# Lucene's English stop list plus question words (as the English-only scheme before it).
STOP_EN = frozenset(
    str.split(
        "a an and are as at be but by for if in into is it no not of on or such that the their "
        "then there these they this to was will with what which who whom how why when where does "
        "do did"
    )
)
# Snowball's German stop list plus question words.
STOP_DE = frozenset(
    str.split(
        """aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
        anderes anderm andern anderr anders auch auf aus bei bin bis bist da damit dann der den des
        dem die das dass daß derselbe derselben denselben desselben demselben dieselbe dieselben
        dasselbe dazu dein deine deinem deinen deiner deines denn derer dessen dich dir du dies
        diese diesem diesen dieser dieses doch dort durch ein eine einem einen einer eines einig
        einige einigem einigen einiger einiges einmal er ihn ihm es etwas euer eure eurem euren
        eurer eures für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich mich mir
        ihr ihre ihrem ihren ihrer ihres euch im in indem ins ist jede jedem jeden jeder jedes jene
        jenem jenen jener jenes jetzt kann kein keine keinem keinen keiner keines können könnte
        machen man manche manchem manchen mancher manches mein meine meinem meinen meiner meines mit
        muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner
        seines selbst sich sie ihnen sind so solche solchem solchen solcher solches soll sollte
        sondern sonst über um und uns unsere unserem unseren unser unseres unter viel vom von vor
        während war waren warst was weg weil weiter welche welchem welchen welcher welches wenn
        werde werden wie wieder will wir wird wirst wo wollen wollte würde würden zu zum zur zwar
        zwischen wer wem wen wessen wann warum wieso weshalb wofür woher wohin womit wurde wurden
        worden"""
    )
)
_STOP = {"en": STOP_EN, "de": STOP_DE}
_SNOWBALL = {"en": "english", "de": "german"}

# Common heads and modifiers of German compounds in handbooks, contracts and reports. Chosen
# by hand from those domains (not from any eval set); a text's own words are added per text.
HEADS = frozenset(
    str.split(
        """abrechnung absicherung abteilung angebot anlage anspruch antrag arbeit arbeitgeber
        arbeitnehmer aufgabe aufwand ausgabe auskunft ausweis auszahlung bank bedingung beginn
        behörde beitrag bereich bericht berechnung bescheid beschäftigung beschluss betrag betrieb
        bewerbung bezahlung bilanz daten dauer dienst dokument eigentum einkommen einnahme entgelt
        ergebnis erklärung ersatz erstattung fahrt fall familie firma frist führung gebühr gehalt
        geld genehmigung gericht gesellschaft gesetz gewinn grenze grund gruppe haftung handel haus
        höhe information inhaber jahr kapital kasse kind konto kosten kraft krankheit kredit kunde
        kündigung land leistung leitung liste lohn markt miete mitarbeiter mittel monat nachweis
        nutzung ordnung person personal pflicht plan preis projekt prüfung quote rahmen rat recht
        rechnung regel regelung reise rente risiko satz schaden schluss schutz sicherheit sitz
        sonder stand stelle steuer stunde system tag tarif teil termin umsatz unternehmen urlaub
        verantwortung verfahren vergütung verlust vermögen versicherung vertrag verwaltung
        vorschrift wagen wert woche zahl zahlung zeit ziel zins zulage zuschlag zweck"""
    )
)


_per_thread = threading.local()


def _stemmer(language: str) -> snowballstemmer.stemmer:
    """This thread's stemmer for `language`: a stemmer keeps state between the steps of a call
    (and PyStemmer a cache), so one instance shared by the UI's session threads is unsafe."""
    stemmers: dict[str, snowballstemmer.stemmer] = _per_thread.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(_SNOWBALL[language])
    return stemmers[language]


@lru_cache(maxsize=1 << 17)
def stem(word: str, language: str) -> str:
    # Words repeat heavily across chunks. snowballstemmer runs the C stemmers of PyStemmer
    # (the same Snowball algorithms: 0 of 55,112 XQuAD and SciFact words stem differently;
    # ~5 us a word, where its pure-Python ones take ~60 us).
    return str(_stemmer(language).stemWord(word))


@cache
def _head_stems() -> frozenset[str]:
    return frozenset(stem(w, "de") for w in HEADS)


def words(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def compound_parts(word: str, known: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The parts of a German compound (modifier first, head last), or [] when not split.

    `known` holds German stems besides `HEADS` (e.g. the stems of the text's own words).
    """
    if len(word) < MIN_COMPOUND or not word.isalpha():
        return []
    heads = _head_stems()
    for i in range(MIN_LEFT, len(word) - MIN_HEAD + 1):
        head = word[i:]
        if (s := stem(head, "de")) not in heads and s not in known:
            continue
        left = word[:i]
        for link in _LINKS:
            if left.endswith(link):
                modifier = left[: len(left) - len(link)]
                s = stem(modifier, "de")
                if len(modifier) >= 3 and (s in heads or s in known):
                    return [modifier, head]
        return [head]
    return []


def _terms(ws: Iterable[str], language: str, known: set[str]) -> list[str]:
    stop = _STOP[language]
    out: list[str] = []
    for w in ws:
        if w in stop:
            continue
        out.append(stem(w, language))
        if language == "de":
            out.extend(stem(part, "de") for part in compound_parts(w, known))
    return out


def _language(code: str) -> str:
    return code if code in _STOP else "en"


def _known(ws: list[str]) -> set[str]:
    return {stem(w, "de") for w in ws if len(w) >= MIN_HEAD and w not in STOP_DE}


def document_terms(text: str, *, language: str | None = None) -> list[str]:
    """The BM25 terms of a chunk, analysed in its detected (or the given) language."""
    lang = _language(language or guess(text).language)
    ws = words(text)
    return _terms(ws, lang, _known(ws) if lang == "de" else set())


def query_terms(text: str) -> list[str]:
    """The BM25 terms of a question: its language, or German and English when unsure."""
    found = guess(text)
    ws = words(text)
    known = _known(ws)
    languages = [_language(found.language)] if found.sure else ["de", "en"]
    seen: dict[str, None] = {}
    for lang in languages:
        for term in _terms(ws, lang, known if lang == "de" else set()):
            seen.setdefault(term, None)
    return list(seen)
