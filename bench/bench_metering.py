"""Metering benchmark: a realistic month of usage events, ingested from files and over HTTP, then
aggregated, compared with a bare DuckDB GROUP BY over the same Parquet files (the floor).

    .venv/bin/python bench/bench_metering.py                 # 10^7 events
    .venv/bin/python bench/bench_metering.py --events 1e8    # or 1e9 (disk: ~16 bytes/event of input)
    .venv/bin/python bench/bench_metering.py --events 1e9 --reuse-input --generate-only   # then again
        without --generate-only: the input (29 min to generate at 10^9) is made once, each run measures

300 members (a few send most events: member rank ~ uniform^3), 50 meters (30 counts, 10 sums,
5 max, 3 latest, 1 time-weighted average, 1 unique count), one month, about 1 % of events sent
twice (within a file and across files). Phases run in child processes so that each peak memory is
its own. Prints figures, and ONE JSON object on its last line.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MEMBERS = 300
METERS = 50
SERVICES = ("APIGW", "VMAAS", "STAAS", "BAAS", "ARCH")


def meter_kind(i: int) -> str:
    if i < 30:
        return "count"
    if i < 40:
        return "sum"
    if i < 45:
        return "max"
    if i < 48:
        return "latest"
    return "time_weighted_average" if i == 48 else "unique_count"


def cost_model_text() -> str:
    from importlib.resources import files

    text = files("mutua.demo").joinpath("cost-model.yaml").read_text(encoding="utf-8")
    head = text[: text.index("meters:")]
    lines = ["meters:"]
    for i in range(METERS):
        kind = meter_kind(i)
        prop = (
            "" if kind == "count" else (", value_property: vm" if kind == "unique_count" else ", value_property: value")
        )
        lines.append(
            f"  - {{code: m{i:02d}, event_type: be.mutua.bench.m{i:02d}, aggregation: {kind}{prop}, "
            f"service: {SERVICES[i % len(SERVICES)]}}}"
        )
    tariffs = ["tariffs:"] + [f'  - {{year: 2025, service: {s}, price: "0.01"}}' for s in SERVICES]
    tariffs += [
        '  - {year: 2025, service: MONITOR, annual: "1000.00"}',
        '  - {year: 2025, service: ITSM, annual: "100.00"}',
    ]
    return head + "\n".join(lines) + "\n" + "\n".join(tariffs) + "\n"


def setup(work: Path) -> None:
    from mutua.bootstrap import migrate, unit_of_work
    from mutua.costing.service import import_cost_model
    from mutua.demo.figures import synthetic_enterprise_number
    from mutua.platform.db.engine import make_engine
    from mutua.platform.settings import sqlite_url
    from mutua.registry.service import import_engagements_text, import_members_text

    engine = make_engine(sqlite_url(work))
    migrate(engine)
    (work / "cost-model.yaml").write_text(cost_model_text(), encoding="utf-8")
    uow = unit_of_work(engine, "bench")
    import_cost_model(uow, work / "cost-model.yaml")
    numbers = [synthetic_enterprise_number(i) for i in range(1, MEMBERS + 1)]
    import_members_text(
        uow,
        "enterprise_number,name,category,client_group,language,joined_on\n"
        + "".join(f"{m},Member {i},A,social_security,nl,2019-01-01\n" for i, m in enumerate(numbers)),
        "members.csv",
    )
    import_engagements_text(
        uow,
        "code,member,kind,title,service,budget,starts_on\n"
        + "".join(f"SVC-{i:03d},{m},service,Cloud {i},MONITOR,0,2024-01-01\n" for i, m in enumerate(numbers)),
        "engagements.csv",
    )
    (work / "members.json").write_text(json.dumps(numbers))
    engine.dispose()


def generate(work: Path, events: int, files: int) -> list[Path]:
    import duckdb

    numbers = json.loads((work / "members.json").read_text())
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SELECT setseed(0.42)")
    con.execute(
        "CREATE TABLE mem AS SELECT unnest(?::VARCHAR[]) AS subject, generate_subscripts(?::VARCHAR[], 1) - 1 AS k",
        [numbers, numbers],
    )
    per_file = events // files
    paths = []
    month_us = 31 * 86_400 * 1_000_000
    for f in range(files):
        start = f * per_file
        path = work / "input" / f"events-{f:03d}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        # about 1 % duplicates: 0.5 % re-send an id of the previous file, 0.5 % an id just before in this file
        con.execute(
            f"""
            COPY (
              SELECT CASE WHEN i % 200 = 7 AND i >= {per_file} THEN 'e' || (i - {per_file})
                          WHEN i % 200 = 9 THEN 'e' || (i - 1)
                          ELSE 'e' || i END AS id,
                     '/gateway/' || ((CASE WHEN i % 200 = 7 AND i >= {per_file} THEN i - {per_file}
                                           WHEN i % 200 = 9 THEN i - 1 ELSE i END) % 8) AS source,
                     'be.mutua.bench.m' || lpad(mt::VARCHAR, 2, '0') AS type,
                     mem.subject,
                     strftime(TIMESTAMP '2025-03-01' + to_microseconds(t), '%Y-%m-%dT%H:%M:%S.%fZ') AS time,
                     {{'value': (v / 1000.0)::DECIMAL(12, 3), 'vm': 'vm-' || (v % 500)}} AS data
              FROM (
                SELECT i,
                       CAST(floor({MEMBERS} * pow(random(), 3)) AS INTEGER) AS k,
                       CAST(floor({METERS} * pow(random(), 2)) AS INTEGER) AS mt,
                       CAST(floor(random() * {month_us - 1}) AS BIGINT) AS t,
                       CAST(floor(random() * 1000000) AS BIGINT) AS v
                FROM range({start}, {start + per_file}) r(i)
              ) g JOIN mem USING (k)
            ) TO '{path}' (FORMAT parquet, COMPRESSION zstd)
            """
        )
        paths.append(path)
    con.close()
    return paths


def phase_ingest(work: Path) -> dict[str, Any]:
    """The files as ``mutua metering ingest`` takes them (one call: the next file is staged while
    one is stored), with the seconds of each step of each file (steps of two files overlap)."""
    from mutua.bootstrap import unit_of_work
    from mutua.metering.service import ingest_files
    from mutua.metering.store import DuckEventStore
    from mutua.platform.db.engine import make_engine
    from mutua.platform.settings import sqlite_url

    logging.basicConfig(level=logging.INFO, format="    %(message)s")  # the key runs' merges, folds, rebuilds
    engine = make_engine(sqlite_url(work))
    files = sorted((work / "input").glob("*.parquet"))
    received = accepted = duplicates = rejected = 0
    phases: dict[str, float] = {}  # seconds per step the ingestion reports, over all files
    marks: list[list[tuple[str, float]]] = []

    def progress(path: Path) -> Callable[[str, float], None]:
        own: list[tuple[str, float]] = []
        marks.append(own)
        return lambda what, done: own.append((what, time.perf_counter()))

    start = last = time.perf_counter()
    cpu_start = cpu_last = time.process_time()  # every thread of this process: both of the pipeline's
    for i, r in enumerate(ingest_files(unit_of_work(engine, "bench"), DuckEventStore(work), files, progress)):
        now = time.perf_counter()
        cpu_now = time.process_time()
        steps: dict[str, float] = {}
        for (what, t0), (_, t1) in itertools.pairwise([*marks[i], ("", now)]):
            steps[what] = steps.get(what, 0.0) + t1 - t0
            phases[what] = phases.get(what, 0.0) + t1 - t0
        received += r.received
        accepted += r.accepted
        duplicates += r.duplicates
        rejected += len(r.rejected)
        print(
            f"  {files[i].name}: {r.received:,} read, {r.accepted:,} new, {r.duplicates:,} dup, "
            f"{r.received / (now - last):,.0f} ev/s since the last, {cpu_now - cpu_last:.2f} s of CPU; "
            + " ".join(f"{what} {s:.2f}" for what, s in steps.items()),
            file=sys.stderr,
        )
        last, cpu_last = now, cpu_now
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    return {
        "received": received,
        "accepted": accepted,
        "duplicates": duplicates,
        "rejected": rejected,
        "seconds": seconds,
        "events_per_s": received / seconds,
        "cpu_s": round(cpu, 1),
        "cores_busy": round(cpu / seconds, 2),
        "events_per_cpu_s": round(received / cpu),
        "phases_s": {what: round(s, 1) for what, s in phases.items()},
    }


def phase_aggregate(work: Path) -> dict[str, Any]:
    from mutua.kernel.periods import Period
    from mutua.metering.aggregation import AggregationInputs, aggregation_sql, register_inputs, to_totals
    from mutua.metering.duck import connect
    from mutua.metering.eventstore import EventStore

    files = EventStore(work / "metering").event_files(Period(2025, 3))
    con = connect()
    register_inputs(con, AggregationInputs(Period(2025, 3), tuple(files)))  # the view events, and the rest
    floor_sql = (
        "SELECT member, meter, time_us // 86400000000 AS day, count(*) AS n, sum(value_micro) AS s "
        "FROM events GROUP BY member, meter, day"
    )
    best_floor = best_agg = float("inf")
    totals: list[Any] = []
    for _ in range(3):  # alternated, best of three: the machine is shared and noisy
        t0 = time.perf_counter()
        con.execute(floor_sql).fetchall()
        best_floor = min(best_floor, time.perf_counter() - t0)
        t0 = time.perf_counter()
        totals = to_totals(con.execute(aggregation_sql()).fetchall())
        best_agg = min(best_agg, time.perf_counter() - t0)
    events = sum(t.events for t in totals)
    return {
        "aggregation_s": best_agg,
        "floor_s": best_floor,
        "ratio": best_agg / best_floor,
        "rows": events,
        "totals": len(totals),
    }


def phase_view(work: Path) -> dict[str, Any]:
    from mutua.bootstrap import unit_of_work
    from mutua.kernel.periods import Period
    from mutua.metering.service import usage_view
    from mutua.metering.store import DuckEventStore
    from mutua.platform.db.engine import make_engine
    from mutua.platform.settings import sqlite_url

    engine = make_engine(sqlite_url(work))
    member = json.loads((work / "members.json").read_text())[0]  # the heaviest sender
    uow, events = unit_of_work(engine), DuckEventStore(work)
    usage_view(uow, events, Period(2025, 3), member)
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        data = usage_view(uow, events, Period(2025, 3), member)
        best = min(best, time.perf_counter() - t0)
    return {"view_ms": best * 1000, "lines": len(data.lines)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def phase_http(work: Path, events: int, clients: int) -> dict[str, Any]:
    import httpx
    import orjson

    from mutua.metering.senders import SenderKeys

    numbers = json.loads((work / "members.json").read_text())
    _, key = SenderKeys(work).create("bench", ["*"], ["*"])
    port = _free_port()
    log = (work / "server.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from mutua.bootstrap import main; main()",
            "--data-dir",
            str(work),
            "metering",
            "serve",
            "--port",
            str(port),
            "--flush-events",
            "2000000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    bodies = []
    for b in range(events // 1000):
        bodies.append(
            orjson.dumps(
                [
                    {
                        "specversion": "1.0",
                        "id": f"h{b}-{i}",
                        "source": "/http",
                        "type": f"be.mutua.bench.m{(i * 7) % 30:02d}",
                        "subject": numbers[(b + i) % 10],
                        "time": f"2025-03-{1 + (i % 28):02d}T10:{i % 60:02d}:00Z",
                        "data": {},
                    }
                    for i in range(1000)
                ]
            )
        )
    acked = 0
    lock = threading.Lock()

    def send(chunk: list[bytes]) -> None:
        """One keep-alive connection (the standard library's client: the load generator shares the
        two cores with the server, so it must cost little)."""
        nonlocal acked
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"content-type": "application/cloudevents-batch+json", "authorization": f"Bearer {key}"}
        for body in chunk:
            conn.request("POST", "/events", body=body, headers=headers)
            response = conn.getresponse()
            answer = orjson.loads(response.read())
            if response.status != 200:
                raise SystemExit(f"HTTP {response.status}: {answer}")
            with lock:
                acked += answer["accepted"]
        conn.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, [bodies[i::clients] for i in range(clients)]))
    seconds = time.perf_counter() - start
    flush_t0 = time.perf_counter()
    httpx.post(url + "/flush", headers={"authorization": f"Bearer {key}"}, timeout=600).raise_for_status()
    flush_s = time.perf_counter() - flush_t0
    server.send_signal(signal.SIGTERM)
    _, _, usage = os.wait4(server.pid, 0)
    log.close()
    return {
        "events": len(bodies) * 1000,
        "accepted": acked,
        "seconds": seconds,
        "events_per_s": acked / seconds,
        "flush_s": flush_s,
        "server_peak_rss_mb": usage.ru_maxrss / 1024,
    }


def run_phase(name: str, work: Path, *extra: str) -> tuple[dict[str, Any], float]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--phase", name, "--work", str(work), *extra], stdout=subprocess.PIPE
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"phase {name} failed")
    return json.loads(out.decode().strip().splitlines()[-1]), usage.ru_maxrss / 1024


def _generated(work: Path) -> dict[str, int] | None:
    """What the input in ``work`` was generated for (events, files), if it was completely."""
    try:
        made: dict[str, int] = json.loads((work / "input" / "generated.json").read_text())
    except (OSError, ValueError):
        return None
    return made if len(list((work / "input").glob("*.parquet"))) == made.get("files") else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=float, default=1e7)
    parser.add_argument(
        "--files", type=int, default=0, help="input files (default: one per 2.5 x 10^6 events, at most 400)"
    )
    parser.add_argument("--http-events", type=float, default=1e6, help="0 skips the HTTP phase")
    parser.add_argument("--http-clients", type=int, default=4)
    parser.add_argument("--work", type=Path, default=ROOT / ".bench" / "metering")
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument("--phase", default="")
    parser.add_argument(
        "--reuse-input",
        action="store_true",
        help="use the input generated earlier in --work for the same --events and --files, with a fresh store; "
        "keep the input for the next run",
    )
    parser.add_argument("--generate-only", action="store_true", help="generate the input (and keep it), then stop")
    parser.add_argument(
        "--ingest-only", action="store_true", help="measure file ingestion only (no aggregation, view or HTTP)"
    )
    args = parser.parse_args()
    if args.phase:
        result = {
            "ingest": lambda: phase_ingest(args.work),
            "aggregate": lambda: phase_aggregate(args.work),
            "view": lambda: phase_view(args.work),
            "http": lambda: phase_http(args.work, int(args.http_events), args.http_clients),
        }[args.phase]()
        print(json.dumps(result))
        return
    events = int(args.events)
    files = args.files or max(1, min(400, events // 2_500_000))
    work: Path = args.work
    made = {"events": events, "files": files}
    reused = args.reuse_input and _generated(work) == made
    if reused:  # a fresh store and database beside the input generated earlier (the same events)
        _clear_store(work, keep_input=True)
    else:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    t0 = time.perf_counter()
    setup(work)
    if not reused:
        generate(work, events, files)
        (work / "input" / "generated.json").write_text(json.dumps(made))
    input_bytes = sum(p.stat().st_size for p in (work / "input").glob("*.parquet"))
    print(
        f"{'reused' if reused else 'generated'} {events:,} events in {files} Parquet files "
        f"({input_bytes / 1e9:.2f} GB) in {time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )
    if args.generate_only:
        return
    ingest, ingest_mb = run_phase("ingest", work)
    print(
        f"file ingestion: {ingest['events_per_s']:,.0f} events/s ({ingest['received']:,} read, "
        f"{ingest['accepted']:,} stored, {ingest['duplicates']:,} duplicates) in {ingest['seconds']:.1f} s, "
        f"{ingest['cpu_s']:,.0f} s of CPU ({ingest['cores_busy']} cores busy, {ingest['events_per_cpu_s']:,} events "
        f"per CPU second), peak {ingest_mb:,.0f} MB; by step (s): "
        + ", ".join(f"{what} {s}" for what, s in ingest["phases_s"].items()),
        file=sys.stderr,
    )
    if args.ingest_only:
        print(
            json.dumps(
                {"benchmark": "metering-ingest", "events": events, "files": files, **ingest, "peak_mb": ingest_mb}
            )
        )
        if not args.keep:
            _clear_store(work, keep_input=args.reuse_input)
        return
    agg, agg_mb = run_phase("aggregate", work)
    print(
        f"monthly aggregation: {agg['aggregation_s']:.2f} s; bare GROUP BY floor {agg['floor_s']:.2f} s; "
        f"ratio {agg['ratio']:.2f}; peak {agg_mb:,.0f} MB",
        file=sys.stderr,
    )
    view, _ = run_phase("view", work)
    print(f"usage view of the heaviest member, month to date: {view['view_ms']:.1f} ms", file=sys.stderr)
    http: dict[str, Any] = {"events_per_s": 0, "accepted": 0, "server_peak_rss_mb": 0, "seconds": 0, "flush_s": 0}
    if args.http_events >= 1000:
        http, _ = run_phase(
            "http", work, "--http-events", str(args.http_events), "--http-clients", str(args.http_clients)
        )
    print(
        f"HTTP ingestion, batches of 1000: {http['events_per_s']:,.0f} events/s ({http['accepted']:,} taken "
        f"in {http['seconds']:.1f} s; flush to Parquet {http['flush_s']:.1f} s), server peak "
        f"{http['server_peak_rss_mb']:,.0f} MB",
        file=sys.stderr,
    )
    store_bytes = sum(p.stat().st_size for p in (work / "metering").rglob("*") if p.is_file())
    result = {
        "benchmark": "metering",
        "events": events,
        "files": files,
        "input_gb": round(input_bytes / 1e9, 3),
        "store_gb": round(store_bytes / 1e9, 3),
        "file_ingest_events_per_s": round(ingest["events_per_s"]),
        "file_ingest_s": round(ingest["seconds"], 2),
        "file_ingest_stored": ingest["accepted"],
        "file_ingest_duplicates": ingest["duplicates"],
        "file_ingest_peak_mb": round(ingest_mb),
        "file_ingest_steps_s": ingest["phases_s"],
        "file_ingest_cpu_s": ingest["cpu_s"],
        "file_ingest_events_per_cpu_s": ingest["events_per_cpu_s"],
        "http_events_per_s": round(http["events_per_s"]),
        "http_events": http["accepted"],
        "http_server_peak_mb": round(http["server_peak_rss_mb"]),
        "aggregation_s": round(agg["aggregation_s"], 3),
        "floor_group_by_s": round(agg["floor_s"], 3),
        "aggregation_to_floor": round(agg["ratio"], 3),
        "aggregation_peak_mb": round(agg_mb),
        "usage_view_ms": round(view["view_ms"], 2),
    }
    if not args.keep:
        _clear_store(work, keep_input=args.reuse_input)
    print(json.dumps(result))


def _clear_store(work: Path, *, keep_input: bool) -> None:
    """Delete the store and database made in ``work``; with ``keep_input``, the input stays for the next run."""
    if not keep_input:
        shutil.rmtree(work, ignore_errors=True)
        return
    for child in work.iterdir():
        if child.name != "input":
            shutil.rmtree(child) if child.is_dir() else child.unlink()


if __name__ == "__main__":
    main()
