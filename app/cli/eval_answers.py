"""`rag eval --answers`: ask every question of a set through the real answer path and score it.

    rag eval --answers --dataset ../shared/eval/financebench-dev [--scope both] [--limit N]
    rag eval --answers --dataset ../shared/eval/xquad/xquad.en.json --limit 50

A FinanceBench folder (`pdfs/` + `questions.jsonl`) is ingested with the product's own pipeline
into `eval-answers-<name>-<hash>` (the hash covers the embedding model and the chunk settings;
unchanged files are skipped on the next run, and document vectors go through the eval's
embedding cache); a SQuAD file is indexed like the retrieval eval. Then each question is asked
with the configured backend (offline extractive, or the chat model), scoped to its own document
and/or across the collection (`rag.eval.answers`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

from app.container import Services
from core.access import Viewer
from core.errors import ConfigError
from core.records import FileStatus
from rag.eval.answers import (
    AnswerCase,
    AnswerReport,
    financebench_cases,
    format_answers,
    run_answers,
    squad_cases,
)
from rag.eval.cache import CachingEmbedder
from rag.eval.datasets import read_squad
from rag.eval.financebench import is_financebench
from rag.eval.runner import index
from rag.events import AnswerEvent


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _collection(services: Services, name: str) -> str:
    s = services.settings
    key = "\x00".join([services.embedder.model, str(s.chunk_tokens), str(s.chunk_overlap)])
    return f"eval-answers-{name}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"


def prepare(dataset: Path, services: Services, cache: Path) -> tuple[str, list[AnswerCase]]:
    """Index the dataset (or reuse its collection): (collection, questions)."""
    embedder = CachingEmbedder(services.embedder, cache)
    try:
        if is_financebench(dataset):
            cases = financebench_cases(dataset)
            name = _collection(services, dataset.name)
            cached = Services(
                settings=services.settings, store=services.store, embedder=embedder, chat=None
            )
            report = cached.ingest([dataset / "pdfs"], collection=name, glob="*.pdf")
            done, same = report.count(FileStatus.INGESTED), report.count(FileStatus.UNCHANGED)
            _say(
                f"ingested {done}, unchanged {same}, "
                f"failed {report.count(FileStatus.FAILED)} filings into {name} "
                f"(embedded {embedder.embedded} new texts)"
            )
            return name, cases
        if dataset.suffix == ".json":
            name, chunks, fresh = index(
                read_squad(dataset), store=services.store, embedder=embedder,
                settings=services.settings, progress=_say,
            )  # fmt: skip
            _say(f"{chunks} chunks in {name} (embedded {fresh} new texts)")
            return name, squad_cases(dataset)
    finally:
        embedder.close()
    raise ConfigError(
        f"{dataset}: --answers needs a FinanceBench folder (pdfs/ + questions.jsonl) or a "
        "SQuAD-format .json file"
    )


def run_answer_eval(args: argparse.Namespace, services: Services) -> int:
    cache = services.settings.store_path.parent / "eval-cache" / "embeddings.sqlite"
    k = services.settings.top_k
    operator = Viewer.as_operator()  # like `rag ask`: whoever runs the instance
    scopes = {"scoped": [True], "unscoped": [False], "both": [True, False]}[args.scope]
    reports: list[AnswerReport] = []
    for dataset in args.dataset:  # --dataset may be given more than once
        collection, cases = prepare(dataset, services, cache)
        cases = cases[: args.limit] if args.limit else cases

        def ask(
            question: str, sources: Sequence[str], name: str = collection
        ) -> Iterator[AnswerEvent]:
            return services.answer(question, viewer=operator, collection=name, sources=sources)

        for scoped in scopes:
            reports.append(
                run_answers(cases, ask, dataset=dataset.name, scoped=scoped, k=k, progress=_say)
            )
    if args.json:
        print(json.dumps([asdict(r) | {"summary": r.summary()} for r in reports], indent=2))
    else:
        print("\n".join(format_answers(r) for r in reports))
    return 0
