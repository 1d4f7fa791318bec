"""`python -m ingest PATH... [options]`: the same as `rag ingest PATH... [options]`."""

from __future__ import annotations

import sys

from app.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main(["ingest", *sys.argv[1:]]))
