"""Ingestion end to end on the real stores (SQLite and PostgreSQL for the registry, Parquet)."""

from __future__ import annotations

import csv
import random
import threading
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, select

from mutua.bootstrap import unit_of_work
from mutua.charging import db as charging_db
from mutua.charging.service.close import close_period
from mutua.costing.domain.meters import Aggregation
from mutua.kernel.periods import Period
from mutua.kernel.problems import NotFound, Rejected
from mutua.metering import segments
from mutua.metering import service as metering
from mutua.metering.domain import Sample, aggregate, period_bounds_us
from mutua.metering.duck import connect as duck_connect
from mutua.metering.eventstore import EventStore
from mutua.metering.ingestor import HttpIngestor
from mutua.metering.loading import load_file
from mutua.metering.store import DuckEventStore
from mutua.metering.wal import WriteAhead
from mutua.platform.audit import audit_trail
from tests.integration.metering_support import MEMBERS, build_association, event, write_jsonl

MARCH = Period(2025, 3)


@pytest.fixture
def association(engine: Engine, tmp_path: Path) -> Engine:
    build_association(engine, tmp_path)
    return engine


def _api_calls(data_dir: Path, period: Period = MARCH) -> dict[tuple[str, int], int]:
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for total in metering.aggregate_period(DuckEventStore(data_dir), period):
        if total.meter == "api_calls":
            counts[(total.engagement, total.origin_period)] += total.events
    return dict(counts)


def test_duplicates_within_a_file_across_files_and_across_formats_count_once(
    association: Engine, tmp_path: Path
) -> None:
    events = [event(i) for i in range(100)]
    first = write_jsonl(tmp_path / "a.jsonl", [*events[:60], events[5], events[5]])
    r1 = metering.ingest_file(unit_of_work(association), DuckEventStore(tmp_path), first)
    assert (r1.accepted, r1.duplicates, r1.rejected) == (60, 2, [])

    again = metering.ingest_file(unit_of_work(association), DuckEventStore(tmp_path), first)
    assert (again.accepted, again.duplicates, again.segment) == (0, 62, None)

    as_csv = tmp_path / "b.csv"
    with as_csv.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "source", "type", "subject", "time", "data"])
        for e in events[50:100]:
            w.writerow([e["id"], e["source"], e["type"], e["subject"], e["time"], orjson.dumps(e["data"]).decode()])
    r2 = metering.ingest_file(unit_of_work(association), DuckEventStore(tmp_path), as_csv)
    assert (r2.accepted, r2.duplicates) == (40, 10)

    as_parquet = tmp_path / "c.parquet"
    rows = events[90:100] + [event(i) for i in range(100, 110)]
    pq.write_table(pa.table({k: [e[k] for e in rows] for k in ("id", "source", "type", "subject", "time")}), as_parquet)
    r3 = metering.ingest_file(unit_of_work(association), DuckEventStore(tmp_path), as_parquet)
    assert (r3.accepted, r3.duplicates) == (10, 10)

    assert _api_calls(tmp_path) == {("SVC-1", MARCH.key): 110}
    assert metering.stats(DuckEventStore(tmp_path)).claimed_keys == 110


def test_each_bad_event_is_rejected_with_its_line_and_field_and_the_rest_is_taken(
    association: Engine, tmp_path: Path
) -> None:
    events = [
        event(1),
        {**event(2), "type": "be.mutua.nothing"},
        event(3, subject="0999999999"),
        {k: v for k, v in event(4).items() if k != "time"},
        event(5, type="be.mutua.storage.used", data={"gb": -3}),
        event(6, type="be.mutua.storage.used", data={"gb": "many"}),
        event(7, time="2999-01-01T00:00:00Z"),
        event(8, subject="SVC-2"),
    ]
    result = metering.ingest_file(
        unit_of_work(association), DuckEventStore(tmp_path), write_jsonl(tmp_path / "bad.jsonl", events)
    )
    assert result.accepted == 2
    got = [(r.line, r.field, r.event_id) for r in result.rejected]
    assert got == [
        (2, "type", "2"),
        (3, "subject", "3"),
        (4, "time", "4"),
        (5, "data.gb", "5"),
        (6, "data.gb", "6"),
        (7, "time", "7"),
    ]
    assert "negative" in result.rejected[3].reason
    assert "not a number" in result.rejected[4].reason
    assert "future" in result.rejected[5].reason


def test_the_http_path_gives_the_same_reasons_as_the_file_path(association: Engine, tmp_path: Path) -> None:
    events = [
        event("h1"),
        {**event("h2"), "type": "be.mutua.nothing"},
        event("h3", subject="0999999999"),
        event("h5", type="be.mutua.storage.used", data={"gb": -3}),
        event("h7", time="2999-01-01T00:00:00Z"),
    ]
    from_file = metering.ingest_file(
        unit_of_work(association), DuckEventStore(tmp_path), write_jsonl(tmp_path / "x.jsonl", events)
    )
    ingestor = HttpIngestor(lambda: unit_of_work(association, "http"), tmp_path / "other")
    try:
        answer = ingestor.accept(events)
    finally:
        ingestor.close()
    assert [(r.index, r.field, r.reason) for r in answer.rejected] == [
        (r.index, r.field, r.reason) for r in from_file.rejected
    ]
    assert answer.accepted == ["h1"]


def test_http_batches_count_each_event_once_across_retries_flushes_and_files(
    association: Engine, tmp_path: Path
) -> None:
    ingestor = HttpIngestor(lambda: unit_of_work(association, "http"), tmp_path, flush_events=10**9)
    try:
        a = ingestor.accept([event(i) for i in range(10)] + [event(3)])
        assert (len(a.accepted), a.duplicates) == (10, ["3"])
        retry = ingestor.accept([event(i) for i in range(5, 15)])
        assert (len(retry.accepted), len(retry.duplicates)) == (5, 5)
        flushed = ingestor.flush()
        assert flushed.accepted == 15
        later = ingestor.accept([event(i) for i in range(10, 20)])  # "a month later": already in Parquet
        assert (len(later.accepted), len(later.duplicates)) == (5, 5)
        ingestor.flush()
    finally:
        ingestor.close()
    from_file = metering.ingest_file(
        unit_of_work(association),
        DuckEventStore(tmp_path),
        write_jsonl(tmp_path / "f.jsonl", [event(i) for i in range(25)]),
    )
    assert (from_file.accepted, from_file.duplicates) == (5, 20)
    assert _api_calls(tmp_path) == {("SVC-1", MARCH.key): 25}


def test_a_flush_repeated_after_a_crash_between_commit_and_cleanup_stores_nothing_twice(
    association: Engine, tmp_path: Path
) -> None:
    ingestor = HttpIngestor(lambda: unit_of_work(association, "http"), tmp_path, flush_events=10**9)
    try:
        ingestor.accept([event(i) for i in range(8)])
        pending = ingestor.wal.read(0)
    finally:
        ingestor.close()
    metering.flush(unit_of_work(association), DuckEventStore(tmp_path))
    # the crash: the segment was committed (with its wal_seq) but the batches were not dropped yet
    wal = WriteAhead(tmp_path / "metering" / "wal.sqlite")
    with wal.writing() as cur:
        for b in pending:
            cur.execute(
                "INSERT INTO batches (seq, n, keys, who, events) VALUES (?, ?, ?, ?, ?)",
                (b.seq, b.n, b.keys, b.who, b.events),
            )
    wal.close()
    assert metering.stats(DuckEventStore(tmp_path)).pending_http_events == 0  # they are in the segment already
    again = HttpIngestor(lambda: unit_of_work(association, "http"), tmp_path, flush_events=10**9)
    try:
        assert len(again.pending) == 0
        assert again.accept([event(3)]).duplicates == ["3"]
        result = again.flush()
        assert again.wal.read(0) == []
    finally:
        again.close()
    assert (result.accepted, result.duplicates) == (0, 0)
    assert _api_calls(tmp_path) == {("SVC-1", MARCH.key): 8}


def test_two_server_processes_on_one_data_dir_take_each_event_once(association: Engine, tmp_path: Path) -> None:
    """Two ingestors (as two worker processes would) get the same events, interleaved with flushes
    that run beside them: every event is taken by exactly one of them, exactly once."""
    a = HttpIngestor(lambda: unit_of_work(association, "http"), tmp_path, flush_events=10**9)
    b = HttpIngestor(lambda: unit_of_work(association, "http"), tmp_path, flush_events=10**9)
    taken: list[str] = []
    lock = threading.Lock()

    def send(ingestor: HttpIngestor, order: list[int]) -> None:
        for start in order:
            answer = ingestor.accept([event(i) for i in range(start, start + 50)])
            assert not answer.rejected
            with lock:
                taken.extend(answer.accepted)

    starts = list(range(0, 1000, 25))  # overlapping batches: every event is sent two to four times
    try:
        workers = [
            threading.Thread(target=send, args=(a, starts)),
            threading.Thread(target=send, args=(b, starts[::-1])),
            threading.Thread(
                target=lambda: [metering.flush(unit_of_work(association), DuckEventStore(tmp_path)) for _ in range(5)]
            ),
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        metering.flush(unit_of_work(association), DuckEventStore(tmp_path))
    finally:
        a.close()
        b.close()
    assert sorted(taken, key=int) == [str(i) for i in range(1025)]
    assert _api_calls(tmp_path) == {("SVC-1", MARCH.key): 1025}
    assert metering.stats(DuckEventStore(tmp_path)).pending_http_events == 0


def test_a_late_event_lands_in_the_next_open_period_visible_as_late(association: Engine, tmp_path: Path) -> None:
    with unit_of_work(association) as uow:
        model_id, _ = uow.costing.cost_model()
        uow.charging.lock_period(Period(2025, 2), model_id)
        uow.commit()
    events = [event("on-time"), event("late", time="2025-02-14T08:00:00Z")]
    result = metering.ingest_file(
        unit_of_work(association), DuckEventStore(tmp_path), write_jsonl(tmp_path / "late.jsonl", events)
    )
    assert (result.accepted, result.late) == (2, 1)
    assert _api_calls(tmp_path) == {("SVC-1", MARCH.key): 1, ("SVC-1", 202502): 1}
    assert metering.aggregate_period(DuckEventStore(tmp_path), Period(2025, 2)) == []
    view = metering.usage_view(unit_of_work(association), DuckEventStore(tmp_path), MARCH, MEMBERS[0])
    assert [(ln.origin_period, ln.late, ln.events) for ln in view.lines] == [
        (Period(2025, 2), True, 1),
        (MARCH, False, 1),
    ]
    done = metering.materialise(unit_of_work(association), DuckEventStore(tmp_path), MARCH)
    assert done.late_rows == 1
    with pytest.raises(Exception, match="closed"):
        metering.materialise(unit_of_work(association), DuckEventStore(tmp_path), Period(2025, 2))


def test_materialised_totals_are_what_the_close_charges_and_a_later_event_is_charged_next_month(
    association: Engine, tmp_path: Path
) -> None:
    jan = [event(f"c{i}", time="2025-01-05T10:00:00Z") for i in range(2500)]
    jan += [event("vm1", type="be.mutua.vm.usage", time="2025-01-02T00:00:00Z", data={"seconds": 5400, "size": "L"})]
    metering.ingest_file(unit_of_work(association), DuckEventStore(tmp_path), write_jsonl(tmp_path / "jan.jsonl", jan))
    metering.materialise(unit_of_work(association), DuckEventStore(tmp_path), Period(2025, 1))
    # January is sealed for metering: an event for it that comes after is not lost before the close,
    # it is charged in February as late
    later = metering.ingest_file(
        unit_of_work(association),
        DuckEventStore(tmp_path),
        write_jsonl(tmp_path / "jan2.jsonl", [event("c9999", time="2025-01-06T10:00:00Z")]),
    )
    assert later.late == 1
    # re-running replaces, same totals
    again = metering.materialise(unit_of_work(association), DuckEventStore(tmp_path), Period(2025, 1))
    assert again.rows == 2
    with unit_of_work(association) as uow:
        u = charging_db.usage
        rows = uow.connection.execute(select(u.c.service, u.c.quantity).where(u.c.source == "metering")).all()
    assert sorted((r[0], r[1]) for r in rows) == [("APIGW", Decimal("2.500000")), ("VMAAS", Decimal("1.500000"))]
    close_period(unit_of_work(association), Period(2025, 1))
    with unit_of_work(association) as uow:
        charges = {c.service: c for c in uow.charging.charges([202501]) if c.service in ("APIGW", "VMAAS")}
    assert charges["APIGW"].amount == Decimal("0.25")  # 2.5 thousand calls x 0.10
    assert charges["VMAAS"].amount == Decimal("0.08")  # 1.5 VM-hours x 0.05
    february = metering.materialise(unit_of_work(association), DuckEventStore(tmp_path), Period(2025, 2))
    assert (february.rows, february.late_rows) == (1, 1)
    with unit_of_work(association) as uow:
        u = charging_db.usage
        late = uow.connection.execute(
            select(u.c.period_key, u.c.origin_period_key, u.c.quantity).where(u.c.period_key == 202502)
        ).all()
    assert [tuple(r) for r in late] == [(202502, 202501, Decimal("0.001000"))]


def test_duckdb_totals_equal_the_domain_reference_for_every_aggregation(association: Engine, tmp_path: Path) -> None:
    rng = random.Random(7)
    start, _ = period_bounds_us(MARCH)
    kinds = {
        "be.mutua.vm.usage": ("seconds", Aggregation.SUM, "vm_hours"),
        "be.mutua.storage.used": ("gb", Aggregation.TIME_WEIGHTED_AVERAGE, "storage_gb"),
        "be.mutua.backup.volume": ("gb", Aggregation.MAX, "backup_gb"),
        "be.mutua.archive.stored": ("gb", Aggregation.LATEST, "archive_gb"),
        "be.mutua.vm.inventory": ("vm", Aggregation.UNIQUE_COUNT, "vm_count"),
        "be.mutua.api.call": (None, Aggregation.COUNT, "api_calls"),
    }
    events = []
    expected: dict[tuple[str, str], list[Sample]] = defaultdict(list)
    for i in range(600):
        typ = rng.choice(list(kinds))
        prop, _, code = kinds[typ]
        member = rng.choice(MEMBERS)
        offset = rng.randrange(0, 28 * 86400) * 1_000_000
        value = f"{rng.randrange(0, 10_000)}.{rng.randrange(0, 999_999):06d}"
        data = {} if prop is None else {prop: (f"vm-{rng.randrange(5)}" if prop == "vm" else value)}
        if typ == "be.mutua.vm.usage":
            data["size"] = "L"
        time = f"2025-03-{1 + offset // 86_400_000_000:02d}T{(offset // 3_600_000_000) % 24:02d}:00:00Z"
        e = event(f"r{i}", type=typ, subject=member, data=data, time=time)
        events.append(e)
        t_us = start + (int(e["time"][8:10]) - 1) * 86_400_000_000 + int(e["time"][11:13]) * 3_600_000_000
        expected[(MEMBERS.index(member) + 1 and f"SVC-{MEMBERS.index(member) + 1}", code)].append(
            Sample(
                t_us,
                None if prop in (None, "vm") else int(Decimal(value) * 1_000_000),
                data.get("vm"),
                (e["source"], e["id"]),
            )
        )
    metering.ingest_file(
        unit_of_work(association), DuckEventStore(tmp_path), write_jsonl(tmp_path / "mix.jsonl", events)
    )
    got = {
        (tot.engagement, tot.meter): (tot.numerator, tot.denominator)
        for tot in metering.aggregate_period(DuckEventStore(tmp_path), MARCH)
    }
    aggs = {code: agg for _, agg, code in kinds.values()}
    want = {}
    for (eng, code), samples in expected.items():
        f = aggregate(aggs[code], samples, MARCH)
        want[(eng, code)] = (f.numerator, f.denominator)
    assert got == want
    assert EventStore(tmp_path / "metering").stored_events() == 600


def test_an_event_read_by_two_meters_is_one_event_for_deduplication(engine: Engine, tmp_path: Path) -> None:
    """Two meters read be.mutua.vm.usage: each stored event feeds both once; a repeat in the file is
    one duplicate (not one per meter), and a bad event among them does not hide a good one."""
    from tests.integration import metering_support

    model = tmp_path / "two-meters.yaml"
    extra = "  - {code: vm_events, event_type: be.mutua.vm.usage, aggregation: count, service: VMAAS}\n"
    text = metering_support.cost_model_text()
    anchor = "service: APIGW, divide_by: 1000}\n"
    model.write_text(text.replace(anchor, anchor + extra), encoding="utf-8")
    metering_support.build_association(engine, tmp_path)
    from mutua.bootstrap import unit_of_work
    from mutua.costing.service import import_cost_model

    import_cost_model(unit_of_work(engine), model)

    def vm(i: int, seconds: object = 3600) -> dict[str, object]:
        return event(i, type="be.mutua.vm.usage", data={"seconds": seconds})

    rows = [vm(1), vm(2), vm(1), vm(3, seconds=-1), vm(2), vm(2), vm(4)]
    result = metering.ingest_file(
        unit_of_work(engine), DuckEventStore(tmp_path), write_jsonl(tmp_path / "vm.jsonl", rows)
    )
    assert (result.accepted, result.duplicates, [r.line for r in result.rejected]) == (3, 3, [4])
    assert result.duplicate_indexes == [2, 4, 5]
    totals = {t.meter: (t.events, t.numerator) for t in metering.aggregate_period(DuckEventStore(tmp_path), MARCH)}
    assert totals == {"vm_events": (3, 3_000_000), "vm_hours": (3, 3 * 3600 * 1_000_000)}


def test_a_write_ahead_store_in_the_first_layout_is_converted_and_flushed_once(
    association: Engine, tmp_path: Path
) -> None:
    """Pending rows of the row-per-event layout (table ``pending``) become one batch when the store
    is opened, and a flush stores each of them once."""
    import sqlite3

    from mutua.metering.domain import event_key

    (tmp_path / "metering").mkdir(exist_ok=True)
    db = sqlite3.connect(tmp_path / "metering" / "wal.sqlite")
    db.execute(
        "CREATE TABLE pending (seq INTEGER PRIMARY KEY, hi INTEGER NOT NULL, lo INTEGER NOT NULL, "
        "member TEXT NOT NULL, engagement TEXT NOT NULL, event BLOB NOT NULL)"
    )
    for i in range(5):
        hi, lo = event_key("/gateway/ehealth", str(i))
        signed = [(x - (1 << 64)) if x >= 1 << 63 else x for x in (hi, lo)]
        db.execute(
            "INSERT INTO pending (hi, lo, member, engagement, event) VALUES (?, ?, ?, ?, ?)",
            (*signed, MEMBERS[0], "SVC-1", orjson.dumps(event(i))),
        )
    db.commit()
    db.close()
    assert metering.stats(DuckEventStore(tmp_path)).pending_http_events == 5
    ingestor = HttpIngestor(lambda: unit_of_work(association, "http"), tmp_path, flush_events=10**9)
    try:
        assert ingestor.accept([event(2), event(9)]).duplicates == ["2"]  # the converted keys are claims
        assert ingestor.flush().accepted == 6
    finally:
        ingestor.close()
    assert _api_calls(tmp_path) == {("SVC-1", MARCH.key): 6}


# values on both sides of the 64-bit product (staging.SMALL_VALUE) and of the bound (domain.MAX_VALUE)
EDGE_VALUES = (
    "0.0000005",
    "2.5e-6",
    "999999.9999994",
    "999999.9999995",  # rounds to 1,000,000: the 128-bit branch
    "1000000",
    "1000000.0000004",
    "123456789.1234565",
    "999999999999.9999994",
    "999999999999.9999995",  # rounds to the bound itself
    "1000000000000",
    "1000000000000.0000004",
    "1000000000000.0000005",  # beyond the bound: refused
    "1e13",  # refused
)


def _stored_micro(data_dir: Path) -> dict[str, int]:
    files = [str(f) for f in EventStore(data_dir / "metering").event_files(MARCH)]
    if not files:
        return {}
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT id, value_micro FROM read_parquet($files, hive_partitioning = false)", {"files": files}
        ).fetchall()
    return {str(i): int(v) for i, v in rows}


def test_a_value_is_stored_in_micro_units_as_the_domain_rounds_it_on_either_side_of_each_threshold(
    association: Engine, tmp_path: Path
) -> None:
    from mutua.metering.domain import MAX_VALUE, MICRO, to_micro

    events = [event(f"v{i}", type="be.mutua.backup.volume", data={"gb": text}) for i, text in enumerate(EDGE_VALUES)]
    result = metering.ingest_file(
        unit_of_work(association), DuckEventStore(tmp_path / "text"), write_jsonl(tmp_path / "edges.jsonl", events)
    )
    expected = {f"v{i}": to_micro(text) for i, text in enumerate(EDGE_VALUES)}
    taken = {k: v for k, v in expected.items() if v is not None and abs(v) <= MAX_VALUE * MICRO}
    assert sorted(r.event_id or "" for r in result.rejected) == sorted(set(expected) - set(taken))
    assert _stored_micro(tmp_path / "text") == taken
    assert taken["v3"] == 1_000_000 * MICRO and taken["v8"] == MAX_VALUE * MICRO

    # the same values typed in a Parquet file (a DECIMAL field of the data struct), as a meter reads them
    typed = [
        (f"t{i}", text) for i, text in enumerate(EDGE_VALUES) if len(text.partition(".")[2]) <= 7 and "e" not in text
    ]
    table = pa.table(
        {
            "specversion": ["1.0"] * len(typed),
            "id": [i for i, _ in typed],
            "source": ["/gateway/ehealth"] * len(typed),
            "type": ["be.mutua.backup.volume"] * len(typed),
            "subject": [MEMBERS[0]] * len(typed),
            "time": ["2025-03-10T12:00:00Z"] * len(typed),
            "data": pa.array([{"gb": Decimal(text)} for _, text in typed], pa.struct([("gb", pa.decimal128(24, 7))])),
        }
    )
    pq.write_table(table, tmp_path / "edges.parquet")
    metering.ingest_file(unit_of_work(association), DuckEventStore(tmp_path / "typed"), tmp_path / "edges.parquet")
    assert _stored_micro(tmp_path / "typed") == {
        i: to_micro(text) for i, text in typed if abs(to_micro(text) or 0) <= MAX_VALUE * MICRO
    }


def test_files_ingested_in_one_run_are_staged_ahead_yet_deduplicated_against_the_commits_before(
    association: Engine, tmp_path: Path
) -> None:
    """The next file is staged while one is stored: its repeats of the file before (not yet
    committed when it was staged) are still duplicates, and each file is one audited commit."""
    a = write_jsonl(tmp_path / "a.jsonl", [event(i) for i in range(50)])
    b = write_jsonl(tmp_path / "b.jsonl", [event(i) for i in range(40, 90)])  # 10 repeats of a
    c = write_jsonl(tmp_path / "c.jsonl", [event(i) for i in range(85, 120)])  # 5 repeats of b
    seen: dict[str, list[str]] = defaultdict(list)

    def progress(path: Path) -> metering.ProgressFn:
        return lambda what, done: seen[path.name].append(what)

    results = list(metering.ingest_files(unit_of_work(association), DuckEventStore(tmp_path), [a, b, c], progress))
    assert [(r.accepted, r.duplicates) for r in results] == [(50, 0), (40, 10), (30, 5)]
    assert _api_calls(tmp_path) == {("SVC-1", MARCH.key): 120}
    assert len({r.segment for r in results}) == 3
    for name in ("a.jsonl", "b.jsonl", "c.jsonl"):  # staged (validated, keys found), then stored
        assert seen[name][:4] == ["reading", "validating", "deduplicating", "waiting"]
        assert seen[name][-1] == "committing"
    entries = [e for e in audit_trail(unit_of_work(association)) if e.action == "ingest"]
    assert sorted(orjson.loads(e.detail)["accepted"] for e in entries) == [30, 40, 50]


def test_an_unreadable_file_stops_the_run_after_the_files_before_it_are_committed(
    association: Engine, tmp_path: Path
) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [event(i) for i in range(10)])
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    c = write_jsonl(tmp_path / "c.jsonl", [event(i) for i in range(10, 20)])
    taken = []
    with pytest.raises(Rejected) as refused:
        for result in metering.ingest_files(unit_of_work(association), DuckEventStore(tmp_path), [a, broken, c]):
            taken.append(result.accepted)
    assert taken == [10]
    assert refused.value.problems[0].source == str(broken)
    assert _api_calls(tmp_path) == {("SVC-1", MARCH.key): 10}  # c was not taken
    with pytest.raises(NotFound):  # every file must exist before any is taken
        list(metering.ingest_files(unit_of_work(association), DuckEventStore(tmp_path), [c, tmp_path / "nope.jsonl"]))
    assert _api_calls(tmp_path) == {("SVC-1", MARCH.key): 10}


def test_a_period_sealed_between_staging_and_storing_is_closed_to_the_batch(
    association: Engine, tmp_path: Path
) -> None:
    """A materialisation may seal a period while a file is staged ahead: the batch is staged again
    under the writer's lock, and its events of that period are charged late in the next one."""
    store = DuckEventStore(tmp_path)
    _, catalogue = metering.load_catalogue(unit_of_work(association), store)
    path = write_jsonl(tmp_path / "feb.jsonl", [event("f1", time="2025-02-14T08:00:00Z"), event("m1")])
    con = duck_connect()
    try:
        load_file(con, path)
        batch = store.files.stage_batch(con, catalogue, str(path), line_offset=1)
        store.seal(Period(2025, 2))
        with store.files.writer() as manifest:
            result = store.files.store_staged(batch, catalogue, manifest)
    finally:
        con.close()
    assert (result.accepted, result.late) == (2, 1)
    assert _api_calls(tmp_path) == {("SVC-1", MARCH.key): 1, ("SVC-1", 202502): 1}
    assert metering.aggregate_period(store, Period(2025, 2)) == []


def test_rollups_hold_one_row_per_group_and_origin_month_and_merge_the_daily_rollups_of_before(
    association: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store's rollups were daily before; written now, a commit's rollup has one row per group
    and origin month with its last day, and the merge (every MAX_ROLLUPS commits) folds the old
    daily rows in: the view's counts, sums and last days are the same either way."""
    day = "CAST(make_timestamp(time_us) AS DATE)"
    daily = segments.ROLLUP_FROM_EVENTS.replace(
        "CAST(make_timestamp(max(time_us)) AS DATE) AS day,", f"{day} AS day,"
    ).replace(
        "GROUP BY engagement, meter, dims, period, origin_period",
        f"GROUP BY engagement, meter, dims, {day}, period, origin_period",
    )
    assert daily.count(f"GROUP BY engagement, meter, dims, {day},") == 2  # the text of before, for both parts
    store = DuckEventStore(tmp_path)
    vm = "be.mutua.vm.usage"
    batches = [
        [event(f"c{k}-{d}", time=f"2025-03-{d:02d}T08:00:00Z") for d in (3, 9, 17 + k)]
        + [event(f"v{k}", type=vm, time=f"2025-03-{5 + k:02d}T08:00:00Z", data={"seconds": 3600 * (k + 1)})]
        + [event(f"l{k}", time="2025-02-20T08:00:00Z")]  # late: February is locked below
        for k in range(segments.MAX_ROLLUPS + 1)
    ]
    with unit_of_work(association) as uow:
        model_id, _ = uow.costing.cost_model()
        uow.charging.lock_period(Period(2025, 2), model_id)
        uow.commit()
    for k, batch in enumerate(batches):
        with monkeypatch.context() as patched:
            if k < 2:  # the first two commits write daily rollups, as the code of before did
                patched.setattr(segments, "ROLLUP_FROM_EVENTS", daily)
            metering.ingest_file(unit_of_work(association), store, write_jsonl(tmp_path / f"b{k}.jsonl", batch))
        files = store.files.rollup_files(MARCH)
        rows = duckdb.sql(
            "SELECT meter, origin_period, count(*) FROM read_parquet($f) GROUP BY ALL ORDER BY ALL",
            params={"f": [str(f) for f in files]},
        ).fetchall()
        if k == 1:  # two daily files: api_calls on 3, 9, 17 and 18 March, in both files
            assert [r for r in rows if r[0] == "api_calls" and r[1] == MARCH.key] == [("api_calls", MARCH.key, 6)]
        if k == segments.MAX_ROLLUPS:  # merged into one file: a row per group and origin month
            assert len(files) == 1
            assert rows == [("api_calls", 202502, 1), ("api_calls", MARCH.key, 1), ("vm_hours", MARCH.key, 1)]
    view = metering.usage_view(unit_of_work(association), store, MARCH, MEMBERS[0])
    lines = {(ln.meter, ln.origin_period.key): ln for ln in view.lines}
    n = segments.MAX_ROLLUPS + 1
    assert lines[("api_calls", MARCH.key)].events == 3 * n
    assert lines[("api_calls", MARCH.key)].last_day == date(2025, 3, 17 + n - 1)
    assert (lines[("api_calls", 202502)].events, lines[("api_calls", 202502)].late) == (n, True)
    assert lines[("vm_hours", MARCH.key)].quantity == Decimal(sum(range(1, n + 1)))  # hours
    assert lines[("vm_hours", MARCH.key)].last_day == date(2025, 3, 5 + n - 1)


FORMER_EVENT_COLUMNS = (
    "source, id, member, engagement, meter, agg, dims, time_us, CAST(make_timestamp(time_us) AS DATE) AS day, "
    "value_micro, value_text, period, origin_period, period_end_us, period_len_us, period <> origin_period AS late, "
    "family, op"
)
"""An event file's columns before each family kept only its own (every family had all 18)."""


def _families_batch(k: int) -> list[dict[str, object]]:
    """Events of every family: counts and sums, unique counts (with a remove), a latest and a
    time-weighted level, and a late event (February is locked)."""
    return [
        event(f"c{k}", time=f"2025-03-{3 + k:02d}T08:00:00Z"),
        event(f"s{k}", type="be.mutua.vm.usage", data={"seconds": 3600 * (k + 1)}),
        event(f"u{k}", type="be.mutua.vm.inventory", data={"vm": f"vm-{k % 2}"}),
        event(f"a{k}", type="be.mutua.archive.stored", time=f"2025-03-{5 + k:02d}T08:00:00Z", data={"gb": 10 + k}),
        event(f"g{k}", type="be.mutua.storage.used", time=f"2025-03-{7 + k:02d}T08:00:00Z", data={"gb": 100 * k}),
        event(f"l{k}", time="2025-02-20T08:00:00Z"),
    ]


def test_event_files_of_the_former_columns_and_slim_ones_aggregate_alike(
    association: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store whose first commits wrote every column in every family's files (as before each
    family kept only its own) and whose later ones wrote slim files: its month aggregates as a
    store written slim throughout, and its files have the columns expected of each."""
    with unit_of_work(association) as uow:
        model_id, _ = uow.costing.cost_model()
        uow.charging.lock_period(Period(2025, 2), model_id)
        uow.commit()
    former = {  # the former columns, and the former Parquet 1 with dictionaries
        family: text.replace(", ".join(columns) + " FROM m", FORMER_EVENT_COLUMNS + " FROM m").replace(
            segments.EVENT_FILE_OPTIONS, "FORMAT parquet, COMPRESSION snappy"
        )
        for family, text in segments.COPY_EVENTS.items()
        for columns in [segments.FAMILY_COLUMNS[family]]
    }
    assert all(FORMER_EVENT_COLUMNS in text and "PARQUET_VERSION" not in text for text in former.values())
    mixed, slim = DuckEventStore(tmp_path / "mixed"), DuckEventStore(tmp_path / "slim")
    for k in range(4):
        path = write_jsonl(tmp_path / f"f{k}.jsonl", _families_batch(k))
        with monkeypatch.context() as patched:
            if k < 2:
                patched.setattr(segments, "COPY_EVENTS", former)
            metering.ingest_file(unit_of_work(association), mixed, path)
        metering.ingest_file(unit_of_work(association), slim, path)
    totals = metering.aggregate_period(mixed, MARCH)
    assert totals == metering.aggregate_period(slim, MARCH)
    assert {t.meter for t in totals} == {"api_calls", "vm_hours", "vm_count", "archive_gb", "storage_gb"}
    assert any(t.origin_period == 202502 for t in totals)
    columns = {(f.name.rsplit("-", 1)[1], len(pq.read_schema(f).names)) for f in slim.files.event_files(MARCH)}
    assert columns == {("0.parquet", 12), ("1.parquet", 14), ("2.parquet", 14)}
    assert {len(pq.read_schema(f).names) for f in mixed.files.event_files(MARCH)} == {12, 14, 18}
    versions = {pq.ParquetFile(f).metadata.format_version for f in mixed.files.event_files(MARCH)}
    assert versions == {"1.0", "2.6"}  # files of both Parquet versions in one month
