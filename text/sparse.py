"""BM25 sparse vectors: our own tokenizer and term weights; Qdrant applies the IDF.

A document's vector holds, per term, the BM25 term-frequency component
`tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg_len))`; the query's vector holds 1 per
distinct term. With the collection's sparse vectors created with `Modifier.IDF`, Qdrant
multiplies by each term's inverse document frequency at query time, so the dot product is the
classic BM25 score. Terms are hashed to stable 31-bit indices (crc32), so no vocabulary is
kept. Which terms a text yields (language, stemming, stop words, German compounds) is
`text.analyzer`'s business.
"""

from __future__ import annotations

import zlib
from collections import Counter

from text import analyzer

K1 = 1.2
B = 0.75
AVG_DOC_TOKENS = 120.0  # typical chunk length in terms; only shapes length normalisation
# Part of every collection's identity (recorded at creation, checked before a sparse search):
# change it whenever the vectors of the same text would change.
SCHEME = f"bm25-k{K1}-b{B}-avg{AVG_DOC_TOKENS}-lang-v2"


def tokenize(text: str) -> list[str]:
    """A chunk's terms: lower-cased, stop words dropped, stemmed in the chunk's language."""
    return analyzer.document_terms(text)


def term_index(term: str) -> int:
    return zlib.crc32(term.encode("utf-8")) & 0x7FFFFFFF


def document_vector(
    text: str, *, k1: float = K1, b: float = B, avg_len: float = AVG_DOC_TOKENS
) -> tuple[list[int], list[float]]:
    terms = tokenize(text)
    if not terms:
        return [], []
    counts = Counter(term_index(t) for t in terms)
    norm = k1 * (1 - b + b * len(terms) / avg_len)
    indices = sorted(counts)
    return indices, [counts[i] * (k1 + 1) / (counts[i] + norm) for i in indices]


def query_vector(text: str) -> tuple[list[int], list[float]]:
    indices = sorted({term_index(t) for t in analyzer.query_terms(text)})
    return indices, [1.0] * len(indices)
