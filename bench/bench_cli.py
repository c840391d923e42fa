"""Benchmark: how quickly the `mutua` command starts. `mutua --help` (no context is imported) and
`mutua status YEAR` (one context, a query on the demo year's SQLite file), each run as a fresh
process like a user's shell does. Prints one JSON object on its last line (seconds).

    .venv/bin/python bench/bench_cli.py [--runs 15]

The demo year is built once into .bench/cli (about 10 s) and reused.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".bench" / "cli"
MUTUA = [sys.executable, "-c", "from mutua.bootstrap import main; main()"]


def timed(args: list[str], runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*MUTUA, *args], check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    samples.sort()
    return {
        "median": round(statistics.median(samples), 3),
        "p90": round(samples[int(0.9 * (len(samples) - 1))], 3),
        "min": round(samples[0], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if not (DATA / "mutua.sqlite").exists():
        subprocess.run([*MUTUA, "--data-dir", str(DATA), "demo", "--json"], check=True, capture_output=True)
    timed(["--help"], 2)  # warm the file cache
    start = time.perf_counter()
    for _ in range(args.runs):
        subprocess.run([sys.executable, "-c", "pass"], check=True)
    interpreter = round((time.perf_counter() - start) / args.runs, 3)
    result = {
        "runs": args.runs,
        "python_startup": interpreter,
        "help": timed(["--help"], args.runs),
        "status": timed(["--data-dir", str(DATA), "status", "2025", "--json"], args.runs),
        "targets": {"help": 0.2, "status": 0.4},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
