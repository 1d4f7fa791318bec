"""Eval dataset readers: BEIR folders and SQuAD-format QA files, into one `EvalSet`.

- BEIR: `corpus.jsonl` (`_id`, `title`, `text`), `queries.jsonl` (`_id`, `text`) and
  `qrels/<split>.tsv` (`query-id`, `corpus-id`, `score`, with a header row). Only the queries
  judged in the split are kept.
- SQuAD v1.1: `{"data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question"}]}]}]}`.
  Each paragraph becomes a document (`<article index>-<paragraph index>`) and each question's
  one relevant document is its own paragraph, so hit@k is "the gold paragraph is in the top k".
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError


@dataclass(frozen=True, slots=True)
class EvalDoc:
    id: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class EvalSet:
    name: str
    kind: str  # "beir" or "squad": decides which metrics are reported
    docs: tuple[EvalDoc, ...]
    queries: dict[str, str]  # query id -> text
    qrels: dict[str, dict[str, int]]  # query id -> doc id -> relevance

    @property
    def fingerprint(self) -> str:
        """Changes whenever the corpus does: part of the cached collection's name."""
        digest = hashlib.sha256()
        for doc in self.docs:
            digest.update(f"{doc.id}\x00{doc.title}\x00{doc.text}\x01".encode())
        return digest.hexdigest()

    def limited(self, n: int | None) -> EvalSet:
        """The first `n` queries (by id order in the file), for quick runs."""
        if n is None:
            return self
        keep = list(self.queries)[:n]
        return EvalSet(
            self.name, self.kind, self.docs,
            {q: self.queries[q] for q in keep}, {q: self.qrels[q] for q in keep},
        )  # fmt: skip

    def subset(self, n_docs: int | None, *, seed: int = 0) -> EvalSet:
        """At most `n_docs` documents: every one judged relevant to a kept query, then random
        distractors (`random.Random(seed)`, so before/after runs use the same subset). Fewer
        distractors make every method score higher: compare methods on the same subset only."""
        if n_docs is None or n_docs >= len(self.docs):
            return self
        relevant = {d for judged in self.qrels.values() for d, rel in judged.items() if rel > 0}
        others = [doc.id for doc in self.docs if doc.id not in relevant]
        extra = max(0, n_docs - len(relevant))
        keep = relevant | set(random.Random(seed).sample(others, min(extra, len(others))))
        docs = tuple(doc for doc in self.docs if doc.id in keep)
        return EvalSet(f"{self.name}-{len(docs)}", self.kind, docs, self.queries, self.qrels)


def _jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_beir(folder: Path, *, split: str = "test") -> EvalSet:
    qrels_path = folder / "qrels" / f"{split}.tsv"
    for needed in (folder / "corpus.jsonl", folder / "queries.jsonl", qrels_path):
        if not needed.is_file():
            raise ConfigError(f"{folder} is not a BEIR dataset: {needed.name} is missing")
    docs = tuple(
        EvalDoc(str(row["_id"]), str(row.get("title") or ""), str(row.get("text") or ""))
        for row in _jsonl(folder / "corpus.jsonl")
    )
    qrels: dict[str, dict[str, int]] = {}
    with qrels_path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t")
        for row in reader:
            if len(row) < 3 or not row[2].lstrip("-").isdigit():
                continue  # the header, or a blank line
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    texts = {str(row["_id"]): str(row["text"]) for row in _jsonl(folder / "queries.jsonl")}
    queries = {q: texts[q] for q in qrels if q in texts}
    return EvalSet(folder.name, "beir", docs, queries, {q: qrels[q] for q in queries})


def read_squad(path: Path) -> EvalSet:
    try:
        articles = json.loads(path.read_text(encoding="utf-8"))["data"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path} is not a SQuAD-format file: {exc}") from exc
    docs: list[EvalDoc] = []
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for a, article in enumerate(articles):
        title = str(article.get("title", "")).replace("_", " ")
        for p, paragraph in enumerate(article["paragraphs"]):
            doc_id = f"{a}-{p}"
            docs.append(EvalDoc(doc_id, title, str(paragraph["context"])))
            for qa in paragraph.get("qas", []):
                queries[str(qa["id"])] = str(qa["question"])
                qrels[str(qa["id"])] = {doc_id: 1}
    return EvalSet(path.parent.name or path.stem, "squad", tuple(docs), queries, qrels)


def read_dataset(path: Path) -> EvalSet:
    """A BEIR folder, a SQuAD json file, or a folder holding exactly one SQuAD json file."""
    if path.is_dir() and (path / "corpus.jsonl").exists():
        return read_beir(path)
    if path.is_file() and path.suffix == ".json":
        return read_squad(path)
    if path.is_dir():
        candidates = sorted(path.glob("*.json"))
        if len(candidates) == 1:
            return read_squad(candidates[0])
    raise ConfigError(
        f"{path}: expected a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv) "
        "or a SQuAD-format .json file"
    )
