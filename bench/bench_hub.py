"""The whole `rag ingest` against the fake Model Hub at the contract's limits, with a response
time: does the pipeline use the contract, whatever the hub's latency?

    .venv/bin/python bench/bench_hub.py [--response 0 0.5 1 2] [--files 2000] [--runs 1]
        [--corpus DIR]

- The hub is the project's contract-following fake (`tests/fakes/fake_hub.FakeHub`, served by
  `tests/fakes/hub_server.serve` on 127.0.0.1:0) in its own process, with the default contract:
  300 requests/min and bursts of 10 per 2 s, sliding windows, 429 + `Retry-After` beyond.
- An embeddings request with n inputs is answered after R × (0.25 + 0.012 n) / (0.25 + 0.012 × 64)
  s (the IONOS model, 0.25 s + 12 ms per input, scaled so that 64 inputs take R s), counted from
  admission, as the real limiter counts arrivals.
- The client is the CLI (`rag ingest DIR --quiet --json`) in a fresh process, pointed at the hub,
  with its embedded store in a temporary folder; the corpus is N seeded short text files.
- Printed per response time (median of --runs): requests/s over the run as a share of the allowed
  rate (first to last bulk request, so start-up is left out), batch fill (per request,
  max(inputs / 64, tokens / 16,000): the share of the request budget used), the share of
  requests answered 429, chunks lost (reported by the CLI minus found in the store, and files
  not ingested), peak RSS of the ingest process and of its biggest parser process, wall and CPU s.

Targets (issue 11): >= 90 % of the allowed rate, batches >= 95 % full, < 1 % 429s, 0 lost.

Measured (`--files 10000 --runs 3`, run at `nice -n -10` beside other work, load 6-9): 0 s 95.5 %,
0.5 s 94.5 %, 1 s 93.7 %, 2 s 92.0 % of the allowed rate; batches 99.5-100 % full; 0 answered 429;
0 lost; peak RSS 199-205 MB ingest, 180 MB parser. With the limiter's old 0.05 s jitter margin one
request in 160 was answered 429 at 1 and 2 s and the back-off cut the 2 s run to 87.4 %.

On this session's final code (`--files 10000 --runs 1`, quiet, nice -10): 0 s 95.5 %, 0.5 s
94.9 %, 1 s 94.2 %, 2 s 92.0 %; batches 99.5-100 % full; 0 answered 429; 0 lost; peak RSS 197-204
MB ingest, 152 MB parser.

Session 8's final code (`--files 10000 --runs 1`, quiet, nice -10): 0 s 95.5 %, 0.5 s 95.2 %,
1 s 94.4 %, 2 s 92.2 %; batches 99.5-100 % full; 0 answered 429; 0 lost; peak RSS 145-151 MB
ingest, 152 MB parser. `--files 30000 --response 0`: 94.2 %, 259 MB; with `--dim 1024` (the
default model's size; the stand-in then takes a core of its own, so the rate, 61.6 %, is the
bench's): 289 MB, 310 MB before the heap arenas were capped at two.

One long PDF (`--corpus` a folder holding gri.pdf: 285 pages, 800 chunks, 17 requests; `--response
1 --runs 3`, quiet machine): the whole `rag ingest` took 10.4 s (9.7-11.0) when the parser sent the
file's chunks once it had read it all, 7.7 s (7.4-8.3) now that they leave in parts as its pages
are read (two invocations each, alternating).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.procmem import status_mb  # noqa: E402

BATCH = 64
TOKEN_BUDGET = 16_000
_VOCABULARY = (
    "policy vacation office invoice travel laptop remote contract salary holiday the a of "
    "employees managers approve requests within ten working days record hours weekly security "
    "onboarding benefits payroll expenses handbook explains leave Urlaub Vertrag Gehalt"
)
WORDS = _VOCABULARY.split()
COUNT = (
    "from app.container import build_services; from core.settings import load_settings; "
    "s = build_services(load_settings()); st = s.store; "
    "print(st.count('bench') if st.exists('bench') else 0); s.close()"
)


def latency_for(n: int, response: float) -> float:
    """Seconds the stand-in takes for n inputs: 64 inputs take `response` s."""
    return response * (0.25 + 0.012 * n) / (0.25 + 0.012 * BATCH) if response else 0.0


def serve_hub(
    conn: Connection, response: float, per_minute: int, burst: int, dim: int = 64
) -> None:
    """The hub's process: serve until told to stop, then send back what it saw."""
    from tests.fakes.fake_hub import FakeHub
    from tests.fakes.hub_server import serve
    from text.tokens import count_tokens

    class TimedHub(FakeHub):
        def _embeddings(self, body: Any, headers: Any) -> Any:
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            time.sleep(latency_for(len(texts), response))
            return super()._embeddings(body, headers)

    hub = TimedHub(
        rate_limit=per_minute, burst=burst, window=2.0, token="bench-token", embed_dim=dim
    )
    with serve(hub) as base_url:
        conn.send(base_url)
        conn.recv()  # "stop"
    log = []
    for r in hub.requests:
        if r.path != "/v1/embeddings" or not isinstance(r.body, dict):
            log.append((r.at, r.status, r.path, 0, 0))
            continue
        texts = r.body["input"] if isinstance(r.body["input"], list) else [r.body["input"]]
        tokens = sum(count_tokens(t) for t in texts) if r.status == 200 else 0
        log.append((r.at, r.status, r.path, len(texts), tokens))
    conn.send(log)


def make_files(folder: Path, n: int, *, lo: int, hi: int, seed: int = 0) -> None:
    """N short text files of lo-hi words (the default 40-120: one chunk each)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))
        (folder / f"note{i:06d}.txt").write_text(f"Note {i}. {words}.\n", encoding="utf-8")


def _descendants(pid: int) -> list[int]:
    try:
        kids = [int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return kids + [d for k in kids for d in _descendants(k)]


def one_run(
    response: float, corpus: Path, files: int, tmp: Path, args: argparse.Namespace
) -> dict[str, Any]:
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(
        target=serve_hub,
        args=(child, response, args.per_minute, args.burst, args.dim),
        daemon=True,
    )
    server.start()
    base_url = parent.recv()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "IONOS_"))},
        "IONOS_BASE_URL": base_url,
        "IONOS_API_TOKEN": "bench-token",
        "RAG_BACKEND": "remote",
        "RAG_STORE_PATH": str(tmp / f"store-{time.monotonic_ns()}"),
        "RAG_DATA_DIR": str(tmp / f"data-{time.monotonic_ns()}"),  # the ledger: not the repo's
        "RAG_COLLECTION": "bench",
        "RAG_RATE_LIMIT_PER_MINUTE": str(args.per_minute),
        "RAG_RATE_LIMIT_BURST": str(args.burst),
        "PYTHONPATH": str(REPO),
    }
    cmd = [sys.executable, "-c", "from app.cli.main import main; main()", "ingest", str(corpus)]
    cpu0 = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
    started = time.monotonic()
    proc = subprocess.Popen(
        [*cmd, "--quiet", "--json"], cwd=REPO, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    peaks = {"ingest": 0.0, "parser": 0.0}
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.1):
            peaks["ingest"] = max(peaks["ingest"], status_mb(proc.pid))
            for pid in _descendants(proc.pid):
                peaks["parser"] = max(peaks["parser"], status_mb(pid))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        out, err = proc.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    wall = time.monotonic() - started
    cpu = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]) - cpu0
    stop.set()
    watcher.join()
    parent.send("stop")
    log = parent.recv()
    server.join(timeout=10)
    try:
        report = json.loads(out)
    except ValueError:
        report = {}
        print("ingest said:", out[-2000:], err[-2000:], file=sys.stderr)
    counted = subprocess.run(
        [sys.executable, "-c", COUNT], cwd=REPO, env=env, capture_output=True, text=True
    )
    try:
        in_store = int(counted.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        in_store = -1
        print("count failed:", counted.stderr[-1500:], file=sys.stderr)
    embeddings = [e for e in log if e[2] == "/v1/embeddings"]
    bulk = sorted((e for e in embeddings if e[1] == 200 and e[3] > 1), key=lambda e: e[0])
    span = bulk[-1][0] - bulk[0][0] if len(bulk) > 1 else float("nan")
    fills = [min(1.0, max(e[3] / BATCH, e[4] / TOKEN_BUDGET)) for e in bulk]
    ingested = sum(1 for f in report.get("files", []) if f.get("status") == "ingested")
    return {
        "rate": (len(bulk) - 1) / span if len(bulk) > 1 else 0.0,
        "fill": statistics.mean(fills[:-1] or fills) if fills else 0.0,  # the tail may be short
        "fill_all": statistics.mean(fills) if fills else 0.0,
        "share_429": sum(1 for e in log if e[1] == 429) / max(1, len(log)),
        "requests": len(log),
        "chunks_report": report.get("chunks", -1),
        "chunks_store": in_store,
        "lost": (report.get("chunks", 0) - in_store) + (files - ingested),
        "peak_ingest_mb": peaks["ingest"],
        "peak_parser_mb": peaks["parser"],
        "wall_s": wall,
        "cpu_s": cpu,
        "load1": os.getloadavg()[0],
        "inputs": dict(sorted(Counter(e[3] for e in bulk).items())),
        "stopped": report.get("stopped") or "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--response", type=float, nargs="+", default=[0.0, 0.5, 1.0, 2.0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--corpus", type=Path, help="ingest this folder instead (e.g. one PDF)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--min-words", type=int, default=40)
    parser.add_argument("--max-words", type=int, default=120)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--per-minute", type=int, default=300, help="the contract's limit")
    parser.add_argument("--burst", type=int, default=10, help="requests per 2 s")
    parser.add_argument(
        "--dim",
        type=int,
        default=64,
        help="the vectors' size; 1024 is BAAI/bge-m3's, but the stand-in hashes and encodes them "
        "in Python, on the cores the ingest uses: at 5 requests/s it takes one of two",
    )
    parser.add_argument("--verbose", action="store_true", help="print every run's details")
    args = parser.parse_args()
    allowed = min(args.per_minute / 60, args.burst / 2.0)
    if args.corpus is not None:
        args.files = sum(1 for p in args.corpus.rglob("*") if p.is_file())
        what = f"{args.files} file(s) of {args.corpus}"
    else:
        what = f"{args.files} text files ({args.min_words}-{args.max_words} words)"
    print(
        f"rag ingest of {what} against the fake hub, contract {args.per_minute}/min + "
        f"{args.burst} per 2 s ({allowed:g} req/s), median of {args.runs}"
    )
    header = (
        f"{'response':>8} {'req/s':>6} {'of allowed':>10} {'fill':>6} {'429':>6} {'lost':>5} "
        f"{'RSS ingest':>10} {'RSS parser':>10} {'wall s':>7} {'CPU s':>6} {'load':>5}"
    )
    print(header)
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as name:
        tmp = Path(name)
        corpus = args.corpus or tmp / "notes"
        if args.corpus is None:
            make_files(corpus, args.files, lo=args.min_words, hi=args.max_words)
        for response in args.response:
            runs = [one_run(response, corpus, args.files, tmp, args) for _ in range(args.runs)]

            def med(key: str, runs: list[dict[str, Any]] = runs) -> float:
                return float(statistics.median(r[key] for r in runs))

            print(
                f"{response:>7g}s {med('rate'):>6.2f} {med('rate') / allowed:>10.1%} "
                f"{med('fill'):>6.1%} {med('share_429'):>6.2%} {med('lost'):>5.0f} "
                f"{med('peak_ingest_mb'):>7.0f} MB {med('peak_parser_mb'):>7.0f} MB "
                f"{med('wall_s'):>7.1f} {med('cpu_s'):>6.1f} {med('load1'):>5.1f}",
                flush=True,
            )
            if args.verbose:
                for run in runs:
                    print("   ", json.dumps(run))


if __name__ == "__main__":
    main()
