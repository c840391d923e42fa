"""`mutua metering` from the command line: ingest files, see usage, write it for the close; and a
file ingestion killed midway (SIGKILL) then run again stores every event exactly once."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from mutua.bootstrap import cli as app
from mutua.bootstrap import migrate, unit_of_work
from mutua.kernel.periods import Period
from mutua.metering import service as metering
from mutua.metering.ingestor import HttpIngestor
from mutua.metering.store import DuckEventStore
from mutua.platform.db.engine import make_engine
from mutua.platform.settings import sqlite_url
from tests.integration.metering_support import MEMBERS, build_association, event, write_jsonl


def _api_calls(path: Path, ids: list[str]) -> Path:
    """A Parquet file of API calls with these ids, on three members, at one time in February 2025."""
    n = len(ids)
    subjects = [MEMBERS[i % 3] for i in range(n)]
    columns = {"id": ids, "source": ["/batch"] * n, "type": ["be.mutua.api.call"] * n, "subject": subjects}
    pq.write_table(pa.table({**columns, "time": ["2025-02-03T04:05:06Z"] * n}), path)
    return path


def _setup(data_dir: Path) -> None:
    engine = make_engine(sqlite_url(data_dir))
    migrate(engine)
    build_association(engine, data_dir)
    engine.dispose()


def test_ingest_usage_and_materialise_from_the_command_line(tmp_path: Path) -> None:
    _setup(tmp_path)
    events = [event(i, time="2025-01-10T08:00:00Z") for i in range(1500)]
    events += [event("bad", subject="0999999999", time="2025-01-10T08:00:00Z")]
    file = write_jsonl(tmp_path / "jan.jsonl", events)
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path), "metering"]

    first = runner.invoke(app, [*base, "ingest", str(file), "--json"])
    assert first.exit_code == 2  # one event was rejected
    report = json.loads(first.stdout)[0]
    assert (report["accepted"], report["rejected_count"]) == (1500, 1)
    assert report["rejected"][0]["line"] == 1501
    assert report["rejected"][0]["field"] == "subject"

    again = runner.invoke(app, [*base, "ingest", str(file), "--json"])
    assert json.loads(again.stdout)[0]["duplicates"] == 1500

    usage = runner.invoke(app, [*base, "usage", "--period", "2025-01", "--member", MEMBERS[0], "--json"])
    assert usage.exit_code == 0, usage.output
    lines = json.loads(usage.stdout)["lines"]
    assert [(ln["meter"], ln["events"], ln["quantity"]) for ln in lines] == [("api_calls", 1500, "1.500000")]

    as_csv = runner.invoke(app, [*base, "usage", "--period", "2025-01", "--csv"])
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert rows[0]["quantity"] == "1.500000"

    done = runner.invoke(app, [*base, "materialise", "2025-01", "--json"])
    assert json.loads(done.stdout)["usage_rows"] == 1


def test_a_file_ingestion_killed_midway_and_run_again_stores_every_event_once(tmp_path: Path) -> None:
    _setup(tmp_path)
    n = 200_000
    file = _api_calls(tmp_path / "big.parquet", [f"k{i}" for i in range(n)])
    cmd = [sys.executable, "-c", "from mutua.bootstrap import main; main()", "--data-dir", str(tmp_path)]
    killed = 0
    for delay in (0.5, 1.0, 1.5, 2.5):
        proc = subprocess.Popen([*cmd, "metering", "ingest", str(file), "--json"], stdout=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
    final = subprocess.run([*cmd, "metering", "ingest", str(file), "--json"], capture_output=True, check=True)
    report = json.loads(final.stdout)[0]
    assert report["accepted"] + report["duplicates"] == n
    stats = metering.stats(DuckEventStore(tmp_path))
    assert stats.stored_events == stats.claimed_keys == n
    totals = metering.aggregate_period(DuckEventStore(tmp_path), Period(2025, 2))
    assert sum(t.events for t in totals) == n
    assert killed >= 1


def test_flush_from_the_command_line_moves_acknowledged_http_events_into_parquet(tmp_path: Path) -> None:
    _setup(tmp_path)
    engine = make_engine(sqlite_url(tmp_path))
    ingestor = HttpIngestor(lambda: unit_of_work(engine, "http"), tmp_path, flush_events=10**9)
    try:
        assert len(ingestor.accept([event(i) for i in range(40)]).accepted) == 40
    finally:
        ingestor.close()
    assert metering.stats(DuckEventStore(tmp_path)).pending_http_events == 40
    runner = CliRunner()
    flushed = runner.invoke(app, ["--data-dir", str(tmp_path), "metering", "flush", "--json"])
    assert flushed.exit_code == 0, flushed.output
    assert json.loads(flushed.stdout)["accepted"] == 40
    again = runner.invoke(app, ["--data-dir", str(tmp_path), "metering", "flush", "--json"])
    assert json.loads(again.stdout)["accepted"] == 0
    after = metering.stats(DuckEventStore(tmp_path))
    assert (after.pending_http_events, after.stored_events) == (0, 40)


def test_the_usage_csv_neutralises_a_formula_cell_and_keeps_quantities_numbers(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _setup(tmp_path)
    line = {
        "member": MEMBERS[0],
        "engagement": '=HYPERLINK("http://evil.example")',
        "meter": "@api_calls",
        "aggregation": "sum",
        "origin_period": "2025-01",
        "late": False,
        "events": 3,
        "quantity": "-1.500000",
        "unit": "+call",
    }

    class View:
        period, closed = Period(2025, 1), False

        def as_json(self) -> dict[str, object]:
            return {"lines": [line]}

    monkeypatch.setattr(metering, "usage_view", lambda *args: View())
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "metering", "usage", "--period", "2025-01", "--csv"])
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert (row["engagement"], row["meter"], row["unit"]) == (
        '\'=HYPERLINK("http://evil.example")',
        "'@api_calls",
        "'+call",
    )
    assert (row["events"], row["quantity"]) == ("3", "-1.500000")


def test_ingestion_killed_while_the_key_filter_takes_deltas_folds_and_rebuilds_stores_every_event_once(
    tmp_path: Path,
) -> None:
    """Issue 12 item 14: the store-wide key filter's commits (a delta, a fold into the base in place,
    a rebuild twice as large), each killed (SIGKILL) at random moments; then every file run again.
    Every event is stored once, every stored key is found, and nothing more is taken."""
    _setup(tmp_path)
    files = [
        _api_calls(tmp_path / f"part-{f:02d}.parquet", [f"f{f}-{i}" for i in range(1500 + 37 * f)]) for f in range(24)
    ]
    total = sum(1500 + 37 * f for f in range(24))
    # small limits, so that these few thousand keys go through every kind of filter commit
    script = (
        "import sys; from mutua.metering import dedup; "
        "dedup.MAX_DELTAS = 2; dedup.STORE_FILTER_MIN_KEYS = 4096; "
        "from mutua.bootstrap import main; sys.argv[0] = 'mutua'; main()"
    )
    cmd = [sys.executable, "-c", script, "--data-dir", str(tmp_path), "metering", "ingest"]
    killed = 0
    for start in range(0, 24, 4):
        proc = subprocess.Popen([*cmd, *map(str, files[start : start + 6])], stdout=subprocess.DEVNULL)
        time.sleep(0.3 + 0.25 * (start % 3))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
    final = subprocess.run([*cmd, *map(str, files), "--json"], capture_output=True, check=True)
    reports = json.loads(final.stdout)
    assert sum(r["accepted"] + r["duplicates"] for r in reports) == total
    store = DuckEventStore(tmp_path)
    stats = metering.stats(store)
    assert stats.stored_events == stats.claimed_keys == total
    manifest = store.files.manifest()
    assert manifest["filter"]["capacity"] > 4096  # rebuilt at least once on the way
    again = subprocess.run([*cmd, *map(str, files), "--json"], capture_output=True, check=True)
    assert sum(r["accepted"] for r in json.loads(again.stdout)) == 0  # every key found
    assert sum(r["duplicates"] for r in json.loads(again.stdout)) == total
    assert killed >= 1
