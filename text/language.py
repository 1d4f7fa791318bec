"""The language of a chunk or a question: `detect(text)` and `guess(text)`.

py3langid (BSD-3-Clause, 4.6 MB, its model ships in the package) restricted to the languages
the product's users write (restricting removes most confusions on short texts). A stop-word vote
settles py3langid's low-confidence calls between German and English. Measured on XQuAD (240
paragraphs, 1,190 questions per language): paragraphs 1.000 / 1.000, questions de 0.998 /
en 0.998; keyword-only English queries ("Notice period?") can come out German, which is why
`guess` reports whether the call is sure and BM25 analyses an unsure question as both.

py3langid ships its model xz-compressed (4.6 MB, 68 MB unpacked): loading it costs each process
that detects a language 0.52-0.67 CPU s, every parser process of an ingest among them (each
chunk's BM25 terms need its language, so loading it lazily saves nothing there). So the model,
restricted to `SUPPORTED`, is kept unpacked (41 MB, an uncompressed npz) in a folder of this
user's (`text.private_cache`, 0700, under the temp folder) once a process has
built it, written atomically, and loaded from there in 0.07-0.08 CPU s; the zip's CRCs check the
arrays as they are read, and it classifies exactly as the packaged model (tested). Any doubt
(missing, not ours, corrupt, another py3langid) falls back to the packaged model, which then
writes it again. The process holds 27 MB less: not the 142 languages' table, only our six.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from text import private_cache

SUPPORTED: tuple[str, ...] = ("de", "en", "fr", "es", "it", "nl")
DEFAULT = "en"
MIN_LETTERS = 3
SURE = 0.9  # py3langid's normalised probability above which a call is trusted
SHORT_WORDS = 4  # a question of fewer words is never "sure": keyword queries mislead detectors

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)
_VOTE_DE = frozenset(
    str.split(
        "der die das und ist nicht mit für auf den dem des sich ein eine wird von zu im sie ich "
        "wie was wer wann wo warum welche welcher gibt habe hat sind kann muss"
    )
)
_VOTE_EN = frozenset(
    str.split(
        "the and is are of to in for with that this on was be by an it as at how what who when "
        "where why which do does can i my there"
    )
)
_lock = threading.RLock()


@dataclass(frozen=True, slots=True)
class Guess:
    language: str  # ISO 639-1
    sure: bool  # False: short, or the detector hesitated; analyse as more than one language


@cache
def _identifier() -> Any:
    with _lock:
        folder = private_cache.folder()
        ident = _cached_identifier(folder) if folder is not None else None
        if ident is None:
            ident = _packaged_identifier()
            if folder is not None:
                _save_identifier(ident, folder)
    return ident


def _packaged_identifier() -> Any:
    """The identifier from the model py3langid ships (unpacked here: 0.5 CPU s)."""
    from py3langid import langid

    ident = langid.LanguageIdentifier.from_modelpath(
        langid.MODEL_DIR / langid.MODEL_FILE, norm_probs=True
    )
    ident.set_languages(list(SUPPORTED))
    return ident


def _cache_file(folder: Path) -> Path:
    import py3langid
    from py3langid import langid

    version = py3langid.__version__  # not importlib.metadata: 30 ms of imports
    packed = (langid.MODEL_DIR / langid.MODEL_FILE).stat().st_size
    return folder / f"py3langid-{version}-{packed}-{'.'.join(SUPPORTED)}-walk.npz"


def _cached_identifier(folder: Path) -> Any:
    """The identifier from the unpacked model, or None when it is missing or in any doubt."""
    import numpy as np
    from py3langid import langid

    from text.langwalk import Walk, fast_identifier

    try:
        path = _cache_file(folder)
        if not private_cache.owned(path):
            return None
        with np.load(path, allow_pickle=False) as data:  # zip CRCs checked on every read
            ptc, pc, classes = data["ptc"], data["pc"], data["classes"].tolist()
            nextmove, row = data["nextmove"], data["nextmove_row"]
            output, depth = data["out_feat"], int(data["depth"])
        if sorted(classes) != sorted(SUPPORTED) or not ptc.shape[1] == len(classes) == len(pc):
            return None
        # py3langid's own walk is replaced by `walk`, so its tables stay numpy arrays
        walk = Walk(nextmove, row, output, depth)
        ident = fast_identifier(
            langid.LanguageIdentifier, walk, ptc, pc, classes, nextmove, output.tolist(),
            norm_probs=True, tk_row=row.tolist(),  # Python ints: py3langid shifts them
        )  # fmt: skip
        ident.set_languages(list(SUPPORTED))
        return ident
    except Exception:  # missing, corrupt, or another layout: the packaged model
        return None


def _save_identifier(ident: Any, folder: Path) -> None:
    """Write the restricted model where `_cached_identifier` finds it; best effort, atomic."""
    import numpy as np

    from text.langwalk import automaton_depth

    try:
        nextmove = np.frombuffer(ident.tk_nextmove, dtype=f"u{ident.tk_nextmove.itemsize}")
        row = np.frombuffer(ident.tk_row, dtype=f"u{ident.tk_row.itemsize}")
        tables = {
            "ptc": ident.nb_ptc,
            "pc": ident.nb_pc,
            "classes": np.array(ident.nb_classes),
            "nextmove": nextmove,
            "nextmove_row": row,
            "out_feat": np.array(ident.tk_output, dtype=np.int32),
            "depth": np.array(automaton_depth(nextmove, row)),
        }
    except Exception:  # another py3langid's layout: the packaged model serves from memory
        return
    private_cache.write(_cache_file(folder), lambda handle: np.savez(handle, **tables))


def _vote(words: list[str]) -> str | None:
    de = sum(w in _VOTE_DE for w in words)
    en = sum(w in _VOTE_EN for w in words)
    if de == en:
        return None
    return "de" if de > en else "en"


def guess(text: str) -> Guess:
    """The language of `text` among `SUPPORTED`, and whether the call can be trusted."""
    if len(_LETTER.findall(text)) < MIN_LETTERS:
        return Guess(DEFAULT, sure=False)
    with _lock:  # the identifier keeps per-call state in numpy buffers
        lang, prob = _identifier().classify(text)
    words = _WORD.findall(text.lower())
    language, sure = str(lang), float(prob) >= SURE
    if not sure:
        voted = _vote(words)
        if voted is not None:
            language = voted
    return Guess(language, sure=sure and len(words) >= SHORT_WORDS)


def detect(text: str) -> str:
    """The language of `text` (ISO 639-1), `DEFAULT` when there is too little to tell."""
    return guess(text).language
