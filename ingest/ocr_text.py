"""What OCR gives back for a page, and where a quote sits on it; pure data, no IO.

`OcrWord` boxes are in PDF user space (points, origin bottom left, y up: the space of the page's
MediaBox), so a viewer can draw them over a render of the scan whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BoxPt = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, x0 < x1, y0 < y1


@dataclass(frozen=True, slots=True)
class OcrWord:
    text: str
    conf: float  # 0..1
    box: BoxPt


@dataclass(frozen=True, slots=True)
class OcrPage:
    text: str  # lines joined by "\n", paragraphs by a blank line
    confidence: float  # 0..1: mean word confidence, weighted by word length; 0.0 for no words
    words: tuple[OcrWord, ...] = ()


def _letters(text: str) -> str:
    """Letters and digits only, case-folded: OCR and pypdf agree on these, not on spacing."""
    return "".join(char for char in text.casefold() if char.isalnum())


def boxes_for_quote(words: Sequence[OcrWord], quote: str) -> list[BoxPt]:
    """The boxes of the words that spell `quote` (compared on letters and digits only), in
    reading order; [] when the quote is not on the page."""
    wanted = _letters(quote)
    if not wanted:
        return []
    spelled: list[str] = []
    owner: list[int] = []  # for each character of the page's letters, the word it came from
    for index, word in enumerate(words):
        letters = _letters(word.text)
        spelled.append(letters)
        owner.extend([index] * len(letters))
    at = "".join(spelled).find(wanted)
    if at < 0:
        return []
    first, last = owner[at], owner[at + len(wanted) - 1]
    return [words[index].box for index in range(first, last + 1) if spelled[index]]
