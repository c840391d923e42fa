"""Benchmark: a scenario over the demo year under another allocation method (issue 13: under 5 s for
the demo's 262 members). Builds the demo into a temporary data dir (or reads one already built with
``--data-dir``), then times the comparison of the year under the other method against the adopted
model, end to end (the model, the reads, both allocations and both charge runs), and checks that it
wrote nothing. Prints one JSON object on its last line.

    .venv/bin/python bench/bench_scenario.py [--year 2025] [--method reciprocal] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select, table

from mutua.bootstrap import open_engine, unit_of_work
from mutua.costing.domain.centres import SupportMethod
from mutua.demo.service import run_demo
from mutua.platform.settings import Settings
from mutua.scenarios import service

TARGET_SECONDS = 5.0


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as c:
        return {
            n: c.execute(select(func.count()).select_from(table(n))).scalar_one()
            for n in inspect(engine).get_table_names()
        }


def measure(engine: Engine, year: int, method: SupportMethod, runs: int) -> dict[str, object]:
    before = row_counts(engine)
    seconds = []
    comparison = None
    for _ in range(runs):
        start = time.perf_counter()
        uow = unit_of_work(engine, "bench")
        proposed = service.scenario_model(uow, year, method=method)
        comparison = service.compare_scenario(uow, year, proposed)
        seconds.append(time.perf_counter() - start)
    assert comparison is not None
    with engine.connect() as c:
        members = c.execute(select(func.count()).select_from(table("members"))).scalar_one()
    return {
        "benchmark": "scenario",
        "backend": engine.dialect.name,
        "year": year,
        "members": members,
        "members_with_shares": len(comparison.members),
        "adopted_method": comparison.adopted.method.value,
        "scenario_method": comparison.scenario.method.value,
        "months": len(comparison.periods),
        "seconds": round(min(seconds), 3),
        "seconds_runs": [round(s, 3) for s in seconds],
        "target_seconds": TARGET_SECONDS,
        "within_target": min(seconds) < TARGET_SECONDS,
        "centres_changed": sum(1 for d in comparison.centres if d.change != 0),
        "members_changed": sum(1 for d in comparison.members if d.change != 0),
        "zero_result": comparison.adopted.zero_result and comparison.scenario.zero_result,
        "wrote_nothing": row_counts(engine) == before,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--method", default="reciprocal", choices=[m.value for m in SupportMethod])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=None, help="a data dir where `mutua demo` already ran")
    args = parser.parse_args()
    method = SupportMethod(args.method)
    if args.data_dir is not None:
        engine = open_engine(Settings(args.data_dir, os.environ.get("MUTUA_DATABASE_URL"), "bench"))
        figures = measure(engine, args.year, method, args.runs)
        engine.dispose()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            engine = open_engine(Settings(Path(tmp), os.environ.get("MUTUA_DATABASE_URL"), "bench"))
            start = time.perf_counter()
            run_demo(unit_of_work(engine, "bench"), Path(tmp) / "input", args.year)
            demo_seconds = time.perf_counter() - start
            figures = {**measure(engine, args.year, method, args.runs), "demo_seconds": round(demo_seconds, 1)}
            engine.dispose()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
