"""Benchmark: the demo association's year (imports, twelve closes, true-up, report) on the embedded
SQLite default, or on PostgreSQL with MUTUA_DATABASE_URL. Prints one JSON object on its last line.

    .venv/bin/python bench/bench_close.py [--year 2025]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from mutua.bootstrap import open_engine, unit_of_work
from mutua.charging.service.reporting import association_report, member_statement
from mutua.demo.service import run_demo
from mutua.kernel.periods import Period
from mutua.platform.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(Path(tmp), os.environ.get("MUTUA_DATABASE_URL"), "bench")
        engine = open_engine(settings)
        steps: dict[str, float] = {}
        last = [time.perf_counter()]

        def progress(what: str, _done: int) -> None:
            now = time.perf_counter()
            kind = what.split(" ", 1)[-1] if what[:4].isdigit() else what
            steps[kind] = steps.get(kind, 0.0) + now - last[0]
            last[0] = now

        start = time.perf_counter()
        result = run_demo(unit_of_work(engine, "bench"), Path(tmp) / "input", args.year, progress)
        demo_seconds = time.perf_counter() - start
        t0 = time.perf_counter()
        report = association_report(unit_of_work(engine, "bench"), args.year)
        report_seconds = time.perf_counter() - t0
        member = (Path(tmp) / "input" / "members.csv").read_text().splitlines()[1].split(",")[0]
        t0 = time.perf_counter()
        member_statement(unit_of_work(engine, "bench"), member, Period(args.year, 6))
        statement_seconds = time.perf_counter() - t0
        close_times = [sum(c["timings"].values()) for c in result["closes"]]
        figures = {
            "benchmark": "close",
            "backend": engine.dialect.name,
            "year": args.year,
            "demo_seconds": round(demo_seconds, 2),
            "step_seconds": {k: round(v, 2) for k, v in steps.items()},
            "close_seconds_mean": round(sum(close_times) / len(close_times), 3),
            "close_seconds_max": round(max(close_times), 3),
            "report_seconds": round(report_seconds, 3),
            "statement_seconds": round(statement_seconds, 3),
            "total_cost": str(report.total_cost),
            "result": str(report.result),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        engine.dispose()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
