"""What the answer path itself says, in the language of the question.

The offline answer's lead line and the "not found" replies; a chat model answers in the
question's language on its own (the system prompt asks it to). The language is detected from
the question as the person typed it; a language without a catalogue entry gets English.
"""

from __future__ import annotations

from core.i18n import Catalogue, Messages, choose_language
from text.language import detect

ANSWER_MESSAGES: Catalogue = {
    "en": {
        "not_found": "I could not find this in your documents.",
        "offline_lead": "Quoted from your documents (offline mode: no language model wrote this):",
        "offline_not_found": (
            "{not_found} (Offline mode quotes passages that match your question; none did. "
            "Try other words, or check that the right collection is selected.)"
        ),
        "rate_limit_wait": "waiting {seconds}s for the rate limit",
        "retrying": "{reason}; retrying in {seconds}s",
        "rewrite_failed": "could not rewrite the follow-up with the model ({reason})",
        "empty_answer": "The model returned an empty answer.",
        "stopped_early": "The answer stopped early: {reason}",
        "no_answer": "No answer: {reason}",
    },
    "de": {
        "not_found": "Dazu habe ich in Ihren Dokumenten nichts gefunden.",
        "offline_lead": (
            "Zitiert aus Ihren Dokumenten (Offline-Modus: kein Sprachmodell hat das geschrieben):"
        ),
        "offline_not_found": (
            "{not_found} (Im Offline-Modus werden Stellen zitiert, die zur Frage passen; "
            "keine passte. Versuchen Sie andere Worte oder prüfen Sie, ob die richtige "
            "Sammlung ausgewählt ist.)"
        ),
        "rate_limit_wait": "warte {seconds} s auf das Anfragelimit",
        "retrying": "{reason}; neuer Versuch in {seconds} s",
        "rewrite_failed": (
            "die Anschlussfrage konnte nicht mit dem Modell umformuliert werden ({reason})"
        ),
        "empty_answer": "Das Modell hat eine leere Antwort geliefert.",
        "stopped_early": "Die Antwort brach vorzeitig ab: {reason}",
        "no_answer": "Keine Antwort: {reason}",
    },
}


def answer_language(question: str) -> str:
    """The catalogue language to answer `question` in ("en" when it has none for it)."""
    return choose_language(ANSWER_MESSAGES, detect(question))


def answer_messages(language: str) -> Messages:
    return Messages(ANSWER_MESSAGES, choose_language(ANSWER_MESSAGES, language))


def not_found(language: str) -> str:
    """The reply when nothing relevant was retrieved."""
    return answer_messages(language)("not_found")


def offline_lead(language: str) -> str:
    """The extractive answer's first line, followed by a blank line."""
    return answer_messages(language)("offline_lead") + "\n\n"


def offline_not_found(language: str) -> str:
    """The extractive answer when no sentence answers the question."""
    messages = answer_messages(language)
    return messages("offline_not_found", not_found=messages("not_found"))
