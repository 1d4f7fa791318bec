"""Embed 5,000 chunks through the fake Model Hub, served on 127.0.0.1, at the contract's limit.

    .venv/bin/python bench/bench_client.py [--runs 3] [--chunks 5000] [--batch 64] [--latency 0.05]

The fake hub enforces the contract's default limit (300 requests/min, 10 per 2 s) with sliding
windows and answers excess requests with 429 + Retry-After. The client starts from the same
settings and must keep pace without tripping it. A second scenario halves the limit (150/min,
5 per 2 s) halfway through; the client learns it from the `X-RateLimit-*` headers.

Printed per scenario (median of the runs): requests/s over the whole run and in steady state
(see `steady_rate`) against the allowed rate, the share answered 429, retries, and chunks lost
(vectors missing or wrong). Targets: >= 95% of the allowed rate, < 1% 429s, 0 lost.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.build import hub_config
from core.settings import Settings
from hub.client import ModelHubClient
from tests.fakes.fake_hub import FakeHub, serve
from tests.fakes.hub_replies import hash_vector

MODEL = "BAAI/bge-m3"
WORDS = "policy vacation office invoice travel laptop remote contract salary holiday".split()  # noqa: SIM905


@dataclass(frozen=True)
class Run:
    seconds: float
    requests: int
    limited: int
    retries: int
    lost: int
    rate: float  # accepted requests per second over the whole run, opening burst included
    phases: tuple[tuple[float, float], ...]  # (steady req/s, allowed req/s) per limit phase


def make_chunks(n: int) -> list[str]:
    return [
        f"Chunk {i}: " + " ".join(WORDS[(i * 7 + j) % len(WORDS)] for j in range(40))
        for i in range(n)
    ]


def steady_rate(arrivals: list[float], burst: int) -> float:
    """Requests/s once running: `burst` over the mean time from request i to request i+burst.

    This leaves out the free opening burst (which would flatter a short run) and is what the
    server's rule bounds: at most `burst` per 2 s window, i.e. the allowed rate.
    """
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[burst:], strict=False)]
    return burst / statistics.mean(gaps) if gaps else 0.0


def serve_hub(conn: Connection, latency: float, halve_after: int | None) -> None:
    """Child process: run the fake hub until told to stop, then send back what it saw.

    The hub runs in its own process so that its JSON work does not hold the client's GIL (that
    would delay the client's sends and make the measurement about Python, not the limiter).
    """
    hub = FakeHub(rate_limit=300, burst=10, latency=latency)
    switched: list[float] = []

    def halve_midway() -> None:
        while halve_after is not None and hub.count() < halve_after:
            time.sleep(0.002)
        hub.set_rate_limit(150, burst=5)
        switched.append(time.monotonic())

    with serve(hub) as base_url:
        if halve_after is not None:
            threading.Thread(target=halve_midway, daemon=True).start()
        conn.send(base_url)
        conn.recv()  # "stop"
    log = [(r.at, r.status) for r in hub.requests]
    conn.send((log, hub.limited, switched[0] if switched else None))


def one_run(chunks: list[str], *, batch: int, latency: float, halve: bool) -> Run:
    expected_requests = -(-len(chunks) // batch)
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(
        target=serve_hub, args=(child, latency, expected_requests // 2 if halve else None)
    )
    server.start()
    base_url = parent.recv()
    settings = Settings(base_url=base_url, embed_batch_size=batch, backend="remote")
    with ModelHubClient(hub_config(settings)) as client:
        started = time.monotonic()
        vectors = client.embeddings(chunks, model=MODEL)
        seconds = time.monotonic() - started
    parent.send("stop")
    log, limited, switch_at = parent.recv()
    server.join()
    lost = len(chunks) - len(vectors)
    lost += sum(
        1 for text, vec in zip(chunks, vectors, strict=False) if vec != hash_vector(text, 64)
    )
    accepted = [at for at, status in log if status == 200]
    if switch_at is not None:
        before = [at for at in accepted if at < switch_at]
        after = [at for at in accepted if at >= switch_at]
        phases = ((steady_rate(before, 10), 5.0), (steady_rate(after, 5), 2.5))
    else:
        phases = ((steady_rate(accepted, 10), 5.0),)
    return Run(
        seconds=seconds,
        requests=len(log),
        limited=limited,
        retries=len(log) - len(accepted),
        lost=lost,
        rate=len(accepted) / seconds,
        phases=phases,
    )


def report(name: str, runs: list[Run]) -> None:
    def med(values: list[float]) -> float:
        return statistics.median(values)

    print(f"\n{name} ({len(runs)} runs, median)")
    print(f"  wall time            {med([r.seconds for r in runs]):7.2f} s")
    print(f"  requests sent        {med([r.requests for r in runs]):7.0f}")
    print(
        f"  achieved rate        {med([r.rate for r in runs]):7.2f} req/s (whole run, incl. burst)"
    )
    for i, _ in enumerate(runs[0].phases):
        achieved = med([r.phases[i][0] for r in runs])
        allowed = runs[0].phases[i][1]
        print(
            f"  phase {i + 1} steady rate  {achieved:7.2f} req/s of {allowed:.2f} allowed "
            f"({achieved / allowed:.1%})"
        )
    print(
        f"  answered 429         {med([r.limited / r.requests for r in runs]):7.2%} "
        f"(per run: {[r.limited for r in runs]})"
    )
    print(f"  retries              {med([r.retries for r in runs]):7.0f}")
    print(f"  chunks lost          {max(r.lost for r in runs):7d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chunks", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.05, help="server seconds per request")
    args = parser.parse_args()
    chunks = make_chunks(args.chunks)
    print(
        f"{args.chunks} chunks, {args.batch} per request, "
        f"server latency {args.latency * 1000:.0f} ms, "
        "limit 300/min with bursts of 10 per 2 s (allowed: 5.00 req/s)"
    )
    for name, halve in (("Contract default limit", False), ("Limit halved midway", True)):
        runs = [
            one_run(chunks, batch=args.batch, latency=args.latency, halve=halve)
            for _ in range(args.runs)
        ]
        report(name, runs)


if __name__ == "__main__":
    main()
