"""`rag eval`: measure retrieval on a BEIR folder or a SQuAD-format file.

    rag eval --dataset ../shared/eval/scifact [--mode all] [--json] [--limit N] [--docs N]
    rag eval --dataset A --dataset B ... --calibrate-floor    # the relevance floor, from data

Prints nDCG@10, Recall@100 and MRR@10 (BEIR) or hit@1, hit@5 and MRR@10 (SQuAD) per mode, with
query latency p50/p95 (query embedding excluded). `--answers` scores the answers instead
(`app.cli.eval_answers`).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from app.cli.eval_answers import run_answer_eval
from app.container import Services
from core.settings import RetrievalMode
from rag.eval.cache import CachingEmbedder
from rag.eval.datasets import read_dataset
from rag.eval.floor import FloorReport, calibrate_floor
from rag.eval.metrics import percentile
from rag.eval.runner import EvalReport, run_eval


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "eval", help="measure retrieval quality on a BEIR or SQuAD-format dataset"
    )
    parser.add_argument(
        "--dataset", type=Path, required=True, action="append",
        help="BEIR folder or SQuAD .json (repeat it to measure several)",
    )  # fmt: skip
    parser.add_argument(
        "--mode", choices=[*(m.value for m in RetrievalMode), "all"], default="all",
        help="retrieval mode to measure (default: all three)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--calibrate-floor", action="store_true",
        help="measure the relevance floor for the embedding model over the data sets given "
        "(answerable: each set's own questions; off-topic: sets of the other kind)",
    )  # fmt: skip
    parser.add_argument("--limit", type=int, default=None, help="only the first N queries")
    parser.add_argument(
        "--docs", type=int, default=None,
        help="only N documents: all judged relevant plus fixed random distractors (quick runs)",
    )  # fmt: skip
    parser.add_argument(
        "--answers", action="store_true",
        help="score answers (evidence pages, gold figures, citations) instead of retrieval",
    )  # fmt: skip
    parser.add_argument(
        "--scope", choices=["scoped", "unscoped", "both"], default="both",
        help="with --answers: ask each question of its own document, of all, or both",
    )  # fmt: skip
    parser.set_defaults(handler=run)


def format_report(report: EvalReport) -> str:
    lines = [
        f"{report.dataset} ({report.kind}): {report.documents} documents, {report.chunks} chunks, "
        f"{report.results[0].queries if report.results else 0} queries; "
        f"collection {report.collection}"
        + (f" (embedded {report.embedded_now} new texts)" if report.embedded_now else " (cached)"),
    ]
    if not report.results:
        return lines[0]
    names = list(report.results[0].metrics)
    header = ["mode", *names, "p50 ms", "p95 ms"]
    rows = [
        [r.mode, *(f"{r.metrics[n]:.3f}" for n in names), f"{r.p50_ms:.1f}", f"{r.p95_ms:.1f}"]
        for r in report.results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        lines.append(
            "  ".join(
                cell.rjust(w) if i else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(lines)


def run(args: argparse.Namespace, services: Services) -> int:
    if args.answers:
        return run_answer_eval(args, services)
    modes = list(RetrievalMode) if args.mode == "all" else [RetrievalMode(args.mode)]
    if args.calibrate_floor:
        modes = [RetrievalMode.HYBRID]
    indexed = []
    cache = services.settings.store_path.parent / "eval-cache" / "embeddings.sqlite"
    for path in args.dataset:
        evalset = read_dataset(path).limited(args.limit).subset(args.docs)
        report = run_eval(
            evalset,
            store=services.store,
            embedder=services.embedder,
            settings=services.settings,
            modes=[] if args.calibrate_floor else modes,
            cache_path=cache,
            progress=lambda message: print(message, file=sys.stderr, flush=True),
        )
        indexed.append((evalset, report.collection))
        if not args.calibrate_floor:
            print(json.dumps(asdict(report), indent=2) if args.json else format_report(report))
    if args.calibrate_floor:
        cached = CachingEmbedder(services.embedder, cache)  # the questions' vectors, once
        try:
            floor = calibrate_floor(indexed, store=services.store, embedder=cached)
        finally:
            cached.close()
        print(format_floor(floor))
    return 0


def format_floor(report: FloorReport) -> str:
    lines = [f"relevance floor for {report.model}: {report.floor:.3f} (hybrid relevance)"]
    lines += [f"  kept answerable  {name}: {share:.3f}" for name, share in report.kept.items()]
    lines += [f"  refused off-topic {pair}: {share:.3f}" for pair, share in report.refused.items()]
    for name, scores in report.answerable.items():
        lines.append(
            f"  top-1 relevance {name}: p2 {percentile(scores, 2):.3f} "
            f"p50 {percentile(scores, 50):.3f} p98 {percentile(scores, 98):.3f}"
        )
    return "\n".join(lines)
