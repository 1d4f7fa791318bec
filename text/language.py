"""The language of a question or a passage: `detect_language(text) -> "de" | "en" | ...`.

py3langid (BSD-3-Clause, its model inside the wheel, numpy only) restricted to the languages the
product serves, which removes most confusions on short questions. When it is unsure, a count of
German and English function words decides; text with too few letters to judge is `DEFAULT`.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import Any

SUPPORTED: tuple[str, ...] = ("de", "en", "fr", "es", "it", "nl")
DEFAULT = "en"
MIN_LETTERS = 3
MIN_CONFIDENCE = 0.9

_GERMAN = frozenset(
    """
    der die das und ist nicht mit für auf den dem des sich ein eine wird von zu im sie ich wie
    was wer wann wo warum welche welcher gibt habe hat sind kann muss werden bekomme
    """.split()  # noqa: SIM905
)
_ENGLISH = frozenset(
    """
    the and is are of to in for with that this on was be by an it as at how what who when
    where why which do does can i my there
    """.split()  # noqa: SIM905
)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)
_lock = threading.Lock()


@cache
def _identifier() -> Any:
    from py3langid import langid

    identifier = langid.LanguageIdentifier.from_modelpath(
        langid.MODEL_DIR / langid.MODEL_FILE, norm_probs=True
    )
    identifier.set_languages(list(SUPPORTED))
    return identifier


def _vote(text: str) -> str | None:
    words = _WORD.findall(text.lower())
    german = sum(w in _GERMAN for w in words)
    english = sum(w in _ENGLISH for w in words)
    if german == english:
        return None
    return "de" if german > english else "en"


def detect_language(text: str) -> str:
    """ISO 639-1 code of `text`'s language among `SUPPORTED`; `DEFAULT` when it cannot tell."""
    if len(_LETTER.findall(text)) < MIN_LETTERS:
        return DEFAULT
    with _lock:  # set_languages mutates the identifier: build and use it one thread at a time
        language, confidence = _identifier().classify(text)
    if confidence < MIN_CONFIDENCE:
        return _vote(text) or str(language)
    return str(language)
