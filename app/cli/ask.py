"""`rag ask "question"`: stream a cited answer in the terminal.

The answer text streams to stdout as it arrives; notices (rate-limit waits, the offline note) go
to stderr; then each cited source is listed as `[n] file, page N: snippet`, the same citations
the app shows. `--json` prints every event as one JSON object per line instead. `--source PATTERN`
(repeatable) asks only the documents whose names match (see `rag.scope`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from app.cli.args import collection_arg
from core.access import OPERATOR_NOTICE, Viewer
from core.settings import RetrievalMode
from rag.events import (
    AnswerEvent,
    AnswerState,
    Citations,
    Failed,
    Notice,
    Query,
    ReasoningDelta,
    TextDelta,
    event_to_json,
)

if TYPE_CHECKING:
    from app.container import Services

SNIPPET_CHARS = 160


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ask", help="ask a question about the ingested documents; streams a cited answer"
    )
    parser.add_argument("question", help="the question, in quotes")
    parser.add_argument(
        "--collection", type=collection_arg, help="collection to search (default: RAG_COLLECTION)"
    )
    parser.add_argument(
        "--mode", choices=[m.value for m in RetrievalMode], help="retrieval mode (default: hybrid)"
    )
    parser.add_argument("--top-k", type=int, help="how many chunks to retrieve")
    parser.add_argument(
        "--source", action="append", default=[], metavar="PATTERN",
        help="ask only these documents: a name, a glob ('reports/*.pdf'), a folder or a name "
        "prefix; repeatable",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print one JSON event per line")
    parser.add_argument(
        "--show-reasoning", action="store_true", help="print the model's reasoning to stderr"
    )
    parser.set_defaults(handler=run)


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def format_citations(event: Citations) -> list[str]:
    lines = [
        f"[{c.number}] {c.chunk.location}: {snippet(c.quote or c.chunk.text)}"
        for c in event.citations
    ]
    if event.dropped:
        numbers = ", ".join(f"[{n}]" for n in event.dropped)
        lines.append(f"(ignored {numbers}: no such source)")
    if event.uncited:
        lines.append("(this answer cites no source: check it against the documents)")
    return lines


def render(
    events: Iterable[AnswerEvent], out: TextIO, err: TextIO, *, show_reasoning: bool = False
) -> int:
    """Write the stream for a person; return the exit code (1 when the answer failed).

    Deltas are written as they arrive; everything else is drawn from the folded `AnswerState`.
    """
    state = AnswerState()
    for event in events:
        state.apply(event)
        if isinstance(event, TextDelta):
            out.write(event.text)
            out.flush()
        elif isinstance(event, ReasoningDelta) and show_reasoning:
            err.write(event.text)
        elif isinstance(event, Query) and state.rewritten:
            print(f"(searching for: {state.query})", file=err)
        elif isinstance(event, Notice):
            print(f"({state.notices[-1]})", file=err)
        elif isinstance(event, Citations) and state.citations is not None:
            if state.text:
                out.write("\n")
            lines = format_citations(state.citations)
            if lines:
                out.write("\nSources:\n" + "\n".join(lines) + "\n")
            out.flush()
        elif isinstance(event, Failed):
            print(f"error: {state.failed}", file=err)
    return 0 if state.failed is None else 1


def render_json(events: Iterable[AnswerEvent], out: TextIO) -> int:
    state = AnswerState()
    for event in events:
        state.apply(event)
        out.write(json.dumps(event_to_json(event), ensure_ascii=False, default=str) + "\n")
        out.flush()
    return 0 if state.failed is None else 1


def run(args: argparse.Namespace, services: Services) -> int:
    print(OPERATOR_NOTICE, file=sys.stderr)
    events = services.answer(
        args.question,
        viewer=Viewer.as_operator(),
        collection=args.collection,
        mode=RetrievalMode(args.mode) if args.mode else None,
        top_k=args.top_k,
        sources=args.source,
    )
    if args.json:
        return render_json(events, sys.stdout)
    print(services.settings.describe_backend(), file=sys.stderr)
    return render(events, sys.stdout, sys.stderr, show_reasoning=args.show_reasoning)
