"""Does a PDF page need OCR, and is OCR's text better than pypdf's? Pure text checks.

`needs_ocr(text, info)`: text first, for free. A page with 200 or more clean characters never
goes to OCR, whatever it holds. Only for short or garbled text (broken font maps give U+FFFD,
private-use characters, `(cid:N)` or vowelless letter soup) is `info` asked whether there is ink
to read: images covering the page, or many vector paths (outlined text). Thresholds measured on
../shared/pdfs (44 of 465 pages sent, none with good text) and on 1,088 FinanceBench text pages
(none sent).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from ingest.ocr_text import OcrPage

MIN_CONFIDENCE = 0.6  # below it the page's script is one the models cannot read (CJK: 0.0-0.3)


_CID = re.compile(r"\(cid:\d+\)")
_OK_PUNCT = set(".,;:!?-–—()[]{}\"'’‘“”„«»/\\%&§$€£@#*+=<>|_~^°©®™•·…")
_VOWELS = set("aeiouyäöüàáâèéêìíîòóôùúûæøåAEIOUYÄÖÜÀÁÂÈÉÊÌÍÎÒÓÔÙÚÛÆØÅ")
_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True, slots=True)
class TextQuality:
    chars: int  # non-space characters
    bad_ratio: float  # share of replacement, private-use, control or odd characters
    vowelless_ratio: float  # share of Latin letter tokens (4+ letters) without a vowel


# What needs no second look: whitespace, letters and digits (`str.isalnum`), common punctuation.
_PLAIN = re.compile(r"\s+|[^\W_]+|[" + re.escape("".join(sorted(_OK_PUNCT))) + "]+")
_SPACE = re.compile(r"\s+")


def text_quality(text: str) -> TextQuality:
    cids = len(_CID.findall(text))
    text = _CID.sub("\ufffd", text)
    chars = len(_SPACE.sub("", text))  # `str.isspace` and regex `\s` are the same test
    if not chars:
        return TextQuality(0, 0.0, 0.0)
    bad = 0.0
    for char in _PLAIN.sub("", text):  # a page's few odd characters, one by one
        category = unicodedata.category(char)
        if char == "\ufffd" or category in ("Co", "Cn", "Cc", "Cs", "Cf"):
            bad += 1
        elif not category.startswith(("P", "S")):
            bad += 1  # combining marks from a broken ToUnicode map
        elif category.startswith("S") and ord(char) < 0x2000:
            bad += 0.5
    tokens = [
        t for t in _WORD.findall(text)
        if t.isascii() or all("LATIN" in unicodedata.name(c, "") for c in t)
    ]  # fmt: skip
    vowelless = sum(1 for t in tokens if not set(t) & _VOWELS) / len(tokens) if tokens else 0.0
    return TextQuality(chars, min(1.0, (bad + cids) / chars), vowelless)


@dataclass(frozen=True, slots=True)
class PageInfo:
    image_coverage: float  # 0..1, share of the page (CropBox) under images
    paths: int = 0
    text_objects: int = 0


def needs_ocr(page_text: str, info: Callable[[], PageInfo] | PageInfo | None = None) -> bool:
    """Whether pypdf's text for a page is unusable, so the page should be OCR'd.

    200+ clean characters: never. Otherwise `info` (a `PageInfo`, or a callable evaluated only
    now) says whether there is ink to read: images, or many vector paths (outlined text)."""
    quality = text_quality(page_text)
    garbage = quality.chars >= 20 and (
        quality.bad_ratio > 0.3 or (quality.vowelless_ratio > 0.5 and quality.bad_ratio > 0.05)
    )
    if quality.chars >= 200 and not garbage:
        return False
    if info is None:
        return quality.chars == 0 or garbage
    page = info() if callable(info) else info
    has_ink = page.image_coverage >= 0.05 or page.paths >= 200
    if garbage:
        return has_ink or page.text_objects > 0
    if quality.chars == 0:
        return has_ink
    # a little text on a page that is mostly image: a scan with a stamp or a Bates number
    return page.image_coverage >= 0.3 and quality.chars < 200 * page.image_coverage


def use_ocr_text(page_text: str, result: OcrPage) -> bool:
    """Whether OCR's text replaces pypdf's for a page `needs_ocr` chose: some words, a confident
    read, and when pypdf had text, at least a quarter as many characters."""
    if not result.words or result.confidence < MIN_CONFIDENCE:
        return False
    before = text_quality(page_text).chars
    return not before or len("".join(result.text.split())) >= 0.25 * before
