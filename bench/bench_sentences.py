"""Sentence splitting speed on real paragraphs (XQuAD German and English).

    .venv/bin/python bench/bench_sentences.py [--repeat 3]

Times `rag.sentences.split_sentences` over the 240 XQuAD paragraphs of each language in
../shared/eval (skipped with a note when that folder is absent) and prints ms per paragraph,
the best of `--repeat` passes. The extractive answerer splits the ~6 retrieved chunks of every
question, so a few ms per paragraph stays far below the embedding's cost.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.sentences import split_sentences

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def paragraphs(language: str) -> list[str] | None:
    path = EVAL / f"xquad-{language}" / f"xquad.{language}.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return [p["context"] for article in data["data"] for p in article["paragraphs"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for language in ("de", "en"):
        texts = paragraphs(language)
        if texts is None:
            print(f"xquad-{language}: skipped, {EVAL} has no xquad-{language}")
            continue
        best, sentences = float("inf"), 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            sentences = sum(len(split_sentences(text)) for text in texts)
            best = min(best, time.perf_counter() - start)
        per = 1000 * best / len(texts)
        counts = f"{len(texts)} paragraphs, {sentences} sentences"
        print(f"xquad-{language}: {counts}, {per:.2f} ms each")


if __name__ == "__main__":
    main()
