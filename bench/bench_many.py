"""A run of many small files: is ingest time linear in the file count, and memory flat?

    .venv/bin/python bench/bench_many.py [--files 10000 30000 100000] [--words 40 120] [--again]

- The corpus is seeded short text files (`bench_hub.make_files`: one chunk each), written once for
  the largest count in slices, so each count ingests the first N files of the same corpus.
- Each count runs `Services.ingest` (discovery, hashing, parser processes, batching, writing,
  committing every file) with bench_ingest's instant embedder and the embedded store on disk, in
  a fresh process. Timing starts after imports, as `IngestReport.seconds` does.
- Printed per count: files/s (wall), CPU ms per file (the process tree: robust on a shared
  machine), files/s relative to the smallest count (1.00 = linear), peak RSS (VmHWM) of the
  ingest process, its peak private memory (RssAnon: without the embedded store's memory-mapped
  files, which the kernel can drop), the biggest parser process's peak, and the report's size.
- `--again` runs each count a second time on the same store, in a fresh process, as a resumed or
  repeated `rag ingest` does: every file is found unchanged (row "again"; vs first is its rate
  over the first count's).

Target (issue 11): 100,000 small files complete, time linear in the file count, memory flat.

Measured (`nice -n -10 bench_many.py --files 10000 30000 100000`, quiet machine, load 1.7-2.4),
session 9: discovery packs the files it finds (`ingest.discover.FileList`, ~40 bytes a file) and
hands each out once, the report packs its outcomes (`core.records.Outcomes`), and the ledger and
source paths are written as files finish (`app.recording`), not from a second walk at the end:

    files     files/s  vs first  CPU ms/file  peak RSS  private  parser
    10,000     1011.3     1.00       1.57      164 MB     44 MB   152 MB
    30,000      989.1     0.98       1.57      168 MB     52 MB   153 MB
    100,000     863.5     0.85       1.74      182 MB     66 MB   153 MB
    session 8's code, the same day: 10,000 and 30,000 files 1.65 / 1.55 ms a file, private
    45 / 58 MB; 100,000 files (one run of the child alone) private 99 MB, peak RSS 206 MB.

At the session's end (066f40b: the optimization also gives the written pages back before it
builds, and a scroll over the collection gives them back as it goes), `--files 10000 30000
100000 --again`:

    files     files/s  vs first  CPU ms/file  peak RSS  private  parser
    10,000     1041.1     1.00       1.52      132 MB     44 MB   152 MB
    again      7030.6     6.75       0.21      102 MB     35 MB   146 MB
    30,000     1002.9     0.96       1.51      137 MB     51 MB   153 MB
    again      7944.5     7.63       0.15      124 MB     44 MB   146 MB
    100,000     887.5     0.85       1.68      152 MB     67 MB   153 MB
    again      7596.6     7.30       0.13      154 MB     73 MB   146 MB

A second run holds every source's name and hash (`source_states`, ~0.2 KB a file) while it runs;
its scroll over the collection gave 238 MB peak RSS at 100,000 files before it paged out.

All 100,000 files in, none lost. This machine ran ~20 % slower that day than the day before
(session 8's code: 1.34 ms a file then). Private memory grows ~0.25 KB a file, from 0.6: about
0.15 KB of it is the store engine's per-point structures (measured on a bare shard), the rest the
packed file list and report (~0.1 KB). The memory-mapped part of the peak (RSS less private) is
flat, ~110-120 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SLICE = 10_000  # files per folder of the corpus


def child(store: Path, folders: list[Path]) -> None:
    sys.path[:0] = [str(REPO), str(REPO / "bench")]
    from bench_ingest import _services

    from app.cli.progress import report_json
    from bench.procmem import MemoryWatch, status_mb

    memory = MemoryWatch(interval=0.2)
    with memory:
        services = _services(store / "store", 0)
        report = services.ingest(folders)
        stored = services.store.count("bench")
        services.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {
        "files": len(report.files),
        "ingested": report.count("ingested"),
        "unchanged": report.count("unchanged"),
        "chunks": report.chunks,
        "stored": stored,
        "seconds": report.seconds,
        "cpu_s": usage.ru_utime + usage.ru_stime + kids.ru_utime + kids.ru_stime,
        "rss_mb": status_mb("self"),
        "parser_mb": memory.parser_mb,
        "anon_mb": memory.anon_mb,
        "report_kb": len(json.dumps(report_json(report))) / 1024,
    }
    print("RESULT " + json.dumps(out), flush=True)


def make_corpus(root: Path, files: int, lo: int, hi: int) -> list[Path]:
    sys.path.insert(0, str(REPO / "bench"))
    from bench_hub import make_files

    folders = []
    for index, start in enumerate(range(0, files, SLICE)):
        folder = root / f"part{index:03d}"
        folder.mkdir(parents=True)
        make_files(folder, min(SLICE, files - start), lo=lo, hi=hi, seed=index)
        for path in folder.iterdir():  # sources are named relative to their folder: keep unique
            path.rename(folder / f"p{index:03d}-{path.name}")
        folders.append(folder)
    return folders


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        child(Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--words", type=int, nargs=2, default=[40, 120])
    parser.add_argument(
        "--again", action="store_true", help="run each count a second time on the same store"
    )
    args = parser.parse_args()
    counts = sorted(args.files)
    if any(n % SLICE and n != counts[-1] for n in counts):
        raise SystemExit(f"--files: counts other than the largest must be multiples of {SLICE:,}")
    with tempfile.TemporaryDirectory(prefix="bench-many-corpus-") as tmp:
        folders = make_corpus(Path(tmp), counts[-1], *args.words)
        print(f"{'files':>8} {'files/s':>8} {'vs first':>8} {'CPU ms/file':>11} {'peak RSS':>9} "
              f"{'private':>8} {'parser':>7} {'report':>9} {'stored':>8} {'load':>5}")  # fmt: skip
        first: float | None = None
        for n in counts:
            parts = folders[: -(-n // SLICE)]
            with tempfile.TemporaryDirectory(prefix="bench-many-") as store:
                chunks = 0  # what the first run wrote, all of which the second must find
                for again in (False, True) if args.again else (False,):
                    r = _run_child(Path(store), parts)
                    if r is None:
                        print(f"{n:>8,}: failed")
                        break
                    rate = r["files"] / r["seconds"]
                    first = first or rate
                    _print_row(r, rate, first, "again" if again else f"{n:,}")
                    if not again:
                        chunks = r["chunks"]
                    done = r["unchanged"] if again else r["ingested"]
                    if done != r["files"] or r["stored"] != chunks:
                        lost = chunks - r["stored"]
                        print(f"    lost: {r['files'] - done} files, {lost} chunks")


def _run_child(store: Path, parts: list[Path]) -> dict[str, Any] | None:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "_child", str(store), *map(str, parts)],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), "")
    if not line:
        print(proc.stderr[-2000:])
        return None
    result: dict[str, Any] = json.loads(line[7:])
    return result


def _print_row(r: dict[str, Any], rate: float, first: float, label: str) -> None:
    print(
        f"{label:>8} {rate:>8.1f} {rate / first:>8.2f} "
        f"{1000 * r['cpu_s'] / r['files']:>11.2f} {r['rss_mb']:>6.0f} MB {r['anon_mb']:>5.0f} MB "
        f"{r['parser_mb']:>4.0f} MB {r['report_kb']:>6.0f} KB {r['stored']:>8,} "
        f"{os.getloadavg()[0]:>5.1f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
