"""`rag eval`: measure retrieval on a BEIR folder or a SQuAD-format file.

    rag eval --dataset ../shared/eval/scifact [--mode all] [--json] [--limit N]

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
from rag.eval.datasets import read_dataset
from rag.eval.runner import EvalReport, run_eval


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "eval", help="measure retrieval quality on a BEIR or SQuAD-format dataset"
    )
    parser.add_argument("--dataset", type=Path, required=True, help="BEIR folder or SQuAD .json")
    parser.add_argument(
        "--mode", choices=[*(m.value for m in RetrievalMode), "all"], default="all",
        help="retrieval mode to measure (default: all three)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--limit", type=int, default=None, help="only the first N queries")
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
    evalset = read_dataset(args.dataset).limited(args.limit)
    modes = list(RetrievalMode) if args.mode == "all" else [RetrievalMode(args.mode)]
    report = run_eval(
        evalset,
        store=services.store,
        embedder=services.embedder,
        settings=services.settings,
        modes=modes,
        cache_path=services.settings.store_path.parent / "eval-cache" / "embeddings.sqlite",
        progress=lambda message: print(message, file=sys.stderr, flush=True),
    )
    print(json.dumps(asdict(report), indent=2) if args.json else format_report(report))
    return 0
