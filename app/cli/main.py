"""`rag`: the command line. One entry point, one subcommand per job.

    rag ingest PATH...   ingest files and folders           (app/cli/ingest.py)
    rag ask "question"   stream a cited answer               (app/cli/ask.py)
    rag eval --dataset   measure retrieval or answer quality (app/cli/eval.py, eval_answers.py)
    rag ui               start the Streamlit app on 127.0.0.1 (app/cli/supervise.py)
    rag hash-password    the hash of a sign-in password      (app/cli/passwords.py)

Each subcommand module has `register(subparsers)`, which adds its parser and sets
`handler(args, services) -> int`. Errors of the product end as one line on stderr with exit
code 2; nothing a person sees is a traceback. `rag ingest` and `rag eval` print warnings of the
log on stderr: a retry to an unreachable server is announced there, with its wait.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from app.cli.supervise import run_foreground
from app.container import build_services
from core.errors import RagError
from core.settings import Settings, load_settings


def _register_ui(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ui = subparsers.add_parser("ui", help="start the Streamlit app on 127.0.0.1")
    ui.add_argument("--port", type=int, default=8501)
    ui.set_defaults(handler=None, run_ui=True)


def run_ui(port: int, settings: Settings) -> int:
    app_file = Path(__file__).resolve().parents[2] / "streamlit_app.py"
    command = [
        sys.executable, "-m", "streamlit", "run", str(app_file),
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",  # a product, not a dev loop: watch nothing
        "--server.maxUploadSize", str(settings.upload_max_mb),
    ]  # fmt: skip
    return run_foreground(command)


def build_parser() -> argparse.ArgumentParser:
    from app.cli.ask import register as register_ask
    from app.cli.eval import register as register_eval
    from app.cli.ingest import register as register_ingest
    from app.cli.passwords import register as register_passwords

    parser = argparse.ArgumentParser(
        prog="rag", description="Ask questions about your own documents, with cited answers."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    register_ingest(subparsers)
    register_ask(subparsers)
    register_eval(subparsers)
    _register_ui(subparsers)
    register_passwords(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    services = None
    shown: logging.Handler | None = None
    try:
        if getattr(args, "hash_password", False):  # before the settings: they may need its output
            from app.cli.passwords import run as hash_password

            return hash_password()
        settings = load_settings()
        if getattr(args, "run_ui", False):
            return run_ui(args.port, settings)
        if args.command in ("ingest", "eval"):  # their waits have no notice: show the log's
            shown = logging.StreamHandler(sys.stderr)
            shown.setFormatter(logging.Formatter("warning: %(message)s"))
            shown.setLevel(logging.WARNING)
            logging.getLogger("hub").addHandler(shown)
        services = build_services(settings)
        if args.command in ("ask", "ingest"):
            for warning in services.check_models(chat=args.command == "ask"):
                print(f"warning: {warning}", file=sys.stderr)
        code: int = args.handler(args, services)
        return code
    except RagError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if services is not None:
            services.close()
        if shown is not None:
            logging.getLogger("hub").removeHandler(shown)


if __name__ == "__main__":
    raise SystemExit(main())
