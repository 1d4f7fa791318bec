"""`rag ingest PATH...` (and `python -m ingest PATH...`): ingest files and folders.

Exit codes: 0 when every file is ingested, unchanged or skipped with a reason; 1 when any file
failed, the run stopped early, or there was nothing to ingest; 2 for errors of the product
(raised to `app.cli.main`, which prints them as one line).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.args import collection_arg
from app.cli.progress import ProgressBar, progress_language, summary, write_report_json
from app.container import Services
from ingest.loaders import SUPPORTED_SUFFIXES


def _password(value: str) -> tuple[str, str]:
    name, sep, password = value.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError("expected FILE=PASSWORD")
    return name, password


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="ingest files and folders (PDF, Markdown, text, HTML, DOCX)",
        description="Ingest files and folders. Unchanged files are skipped; changed ones replaced.",
    )
    add_arguments(parser)
    parser.set_defaults(handler=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument(
        "--collection",
        type=collection_arg,
        help="collection to ingest into (default: RAG_COLLECTION)",
    )
    parser.add_argument(
        "--glob", metavar="PATTERN", help="only files whose path or name matches, e.g. '*.pdf'"
    )
    parser.add_argument(
        "--prune",
        action="store_true",
        help="remove files from the collection that are no longer found under PATH",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="parse and report; embed and write nothing"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    parser.add_argument(
        "--password",
        action="append",
        type=_password,
        default=[],
        metavar="FILE=PASSWORD",
        help="password for an encrypted PDF (FILE: its name or path); repeatable",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace, services: Services) -> int:
    bar = None if args.quiet else ProgressBar(language=progress_language(services.settings))
    try:
        report = services.ingest(
            args.paths,
            collection=args.collection,
            on_progress=bar,
            prune=args.prune,
            dry_run=args.dry_run,
            passwords=dict(args.password),
            glob=args.glob,
        )
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        write_report_json(report, sys.stdout)
    if not report.files and report.stopped:  # stopped before any file finished: say why
        print(f"Nothing was ingested: {report.stopped}", file=sys.stderr)
        return 1
    if not report.files:
        where = ", ".join(str(p) for p in args.paths)
        kinds = " ".join(sorted(SUPPORTED_SUFFIXES))
        match = f" matching {args.glob!r}" if args.glob else ""
        print(
            f"Nothing to ingest: no supported files{match} in {where} ({kinds}).", file=sys.stderr
        )
        return 1
    if not args.json:
        print(summary(report))
    elif report.stopped:
        print(f"Stopped: {report.stopped}", file=sys.stderr)
    return 0 if report.ok else 1
