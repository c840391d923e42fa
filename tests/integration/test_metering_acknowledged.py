"""Issue 12, ingestion: an acknowledged event is always stored, once; what cannot be stored is
refused before the acknowledgement, with its reason, by one rule for HTTP, files and flushes."""

from __future__ import annotations

import base64
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest
from sqlalchemy import Engine

from mutua.bootstrap import unit_of_work
from mutua.kernel.periods import Period
from mutua.metering import service as metering
from mutua.metering.domain import MAX_VALUE, event_digest
from mutua.metering.ingestor import HttpIngestor
from mutua.metering.manifest import metering_root
from mutua.metering.store import DuckEventStore
from tests.integration.metering_support import build_association, event, write_jsonl

MARCH = Period(2025, 3)


@pytest.fixture
def association(engine: Engine, tmp_path: Path) -> Engine:
    build_association(engine, tmp_path)
    return engine


def vm(i: int | str, seconds: Any, **extra: Any) -> dict[str, Any]:
    """An event of the sum meter vm_hours (value ``seconds``)."""
    return {**event(i, type="be.mutua.vm.usage", data={"seconds": seconds}), **extra}


def stored(data_dir: Path) -> Counter[tuple[str, str, int | None]]:
    """(source, id, value_micro) of every event row the manifest names (one per event and meter)."""
    root = metering_root(data_dir)
    manifest = orjson.loads((root / "manifest.json").read_bytes()) if (root / "manifest.json").exists() else None
    files = [
        str(root / f) for s in (manifest or {"segments": []})["segments"] for fs in s["files"].values() for f in fs
    ]
    if not files:
        return Counter()
    con = duckdb.connect()  # its own connection (the default one may be busy with another test's result)
    try:
        rows = con.execute(
            "SELECT source, id, value_micro FROM read_parquet($files, union_by_name = true)", {"files": files}
        ).fetchall()
    finally:
        con.close()
    return Counter((str(s), str(i), None if v is None else int(v)) for s, i, v in rows)


def ingestor(engine: Engine, data_dir: Path) -> HttpIngestor:
    return HttpIngestor(lambda: unit_of_work(engine, "http"), data_dir, flush_events=10**9)


def test_a_huge_value_is_refused_before_the_acknowledgement_and_flush_and_materialise_still_work(
    association: Engine, tmp_path: Path
) -> None:
    """Defect 1: 9.3e12 (10 TB in bytes) overflowed the store's integers after it was acknowledged."""
    http = ingestor(association, tmp_path)
    try:
        answer = http.accept([vm("big", "9223372036854.78"), vm("huge", 1e308), vm("ok", MAX_VALUE)])
    finally:
        http.close()
    assert answer.accepted == ["ok"]
    assert [(r.index, r.field) for r in answer.rejected] == [(0, "data.seconds"), (1, "data.seconds")]
    assert all("out of bounds" in r.reason for r in answer.rejected)
    flushed = metering.flush(unit_of_work(association), DuckEventStore(tmp_path))
    assert (flushed.accepted, flushed.rejected) == (1, [])
    assert stored(tmp_path)[("/gateway/ehealth", "ok", MAX_VALUE * 1_000_000)] == 1
    result = metering.materialise(unit_of_work(association), DuckEventStore(tmp_path), MARCH)
    assert result.events == 1


def test_a_file_with_one_huge_value_refuses_that_line_naming_it_and_takes_the_rest(
    association: Engine, tmp_path: Path
) -> None:
    lines = [vm(1, 10), vm(2, "9223372036854.78"), vm(3, "1e308"), vm(4, 20)]
    result = metering.ingest_file(
        unit_of_work(association), DuckEventStore(tmp_path), write_jsonl(tmp_path / "big.jsonl", lines)
    )
    assert result.accepted == 2
    assert [(r.line, r.field) for r in result.rejected] == [(2, "data.seconds"), (3, "data.seconds")]
    assert all("out of bounds" in r.reason for r in result.rejected)
    assert sorted(v for (_, _, v) in stored(tmp_path)) == [10_000_000, 20_000_000]


@pytest.mark.parametrize("digits", ["１２", "١٢", "۱۲", " 12", "1_2", "Infinity", "NaN"])
def test_digits_of_other_scripts_are_refused_by_http_and_files_alike(
    association: Engine, tmp_path: Path, digits: str
) -> None:
    """Defect 2: "１２" was acknowledged over HTTP, then dropped at the flush."""
    http = ingestor(association, tmp_path)
    try:
        answer = http.accept([vm("h", digits)])
    finally:
        http.close()
    from_file = metering.ingest_file(
        unit_of_work(association), DuckEventStore(tmp_path), write_jsonl(tmp_path / "d.jsonl", [vm("f", digits)])
    )
    assert answer.accepted == [] and from_file.accepted == 0
    assert answer.rejected[0].field == from_file.rejected[0].field == "data.seconds"
    assert answer.rejected[0].reason == from_file.rejected[0].reason
    assert "ASCII digits" in answer.rejected[0].reason


def test_data_base64_holding_json_is_read_as_data_and_anything_else_refused(
    association: Engine, tmp_path: Path
) -> None:
    """Defect 2: data_base64 (CloudEvents JSON format) was refused as "missing value"."""

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    good = {k: v for k, v in vm("b1", 0).items() if k != "data"} | {"data_base64": b64(b'{"seconds": 7}')}
    not_json = {**good, "id": "b2", "data_base64": b64(b"\x00\x01binary")}
    not_base64 = {**good, "id": "b3", "data_base64": "%%%"}
    both = {**good, "id": "b4", "data": {"seconds": 1}}
    http = ingestor(association, tmp_path)
    try:
        answer = http.accept([good, not_json, not_base64, both])
    finally:
        http.close()
    metering.flush(unit_of_work(association), DuckEventStore(tmp_path))
    assert answer.accepted == ["b1"]
    assert [(r.index, r.field) for r in answer.rejected] == [(1, "data_base64"), (2, "data_base64"), (3, "data_base64")]
    file_events = [{**e, "id": "f" + e["id"]} for e in (good, not_json, not_base64, both)]
    from_file = metering.ingest_file(
        unit_of_work(association), DuckEventStore(tmp_path), write_jsonl(tmp_path / "b.jsonl", file_events)
    )
    assert from_file.accepted == 1
    assert [(r.line, r.field, r.reason) for r in from_file.rejected] == [
        (r.index + 1, r.field, r.reason) for r in answer.rejected
    ]
    assert stored(tmp_path) == Counter(
        {("/gateway/ehealth", "b1", 7_000_000): 1, ("/gateway/ehealth", "fb1", 7_000_000): 1}
    )


def test_the_seventh_decimal_rounds_half_away_from_zero_on_every_path(association: Engine, tmp_path: Path) -> None:
    values = ["0.0000005", "0.0000015", "0.0000025", "0.00000049999999", "2.5e-7", "1.0000005"]
    http = ingestor(association, tmp_path)
    try:
        http.accept([vm(f"h{i}", v) for i, v in enumerate(values)])
    finally:
        http.close()
    metering.flush(unit_of_work(association), DuckEventStore(tmp_path))
    metering.ingest_file(
        unit_of_work(association),
        DuckEventStore(tmp_path),
        write_jsonl(tmp_path / "r.jsonl", [vm(f"f{i}", v) for i, v in enumerate(values)]),
    )
    got = {i: v for (_, i, v) in stored(tmp_path)}
    expected = [1, 2, 3, 0, 0, 1_000_001]
    assert [got[f"h{i}"] for i in range(len(values))] == expected
    assert [got[f"f{i}"] for i in range(len(values))] == expected


def test_a_file_after_an_http_post_not_yet_flushed_reports_the_duplicate(association: Engine, tmp_path: Path) -> None:
    """Defect 5: the file said "1 taken, 0 duplicates" for an event already acknowledged over HTTP."""
    http = ingestor(association, tmp_path)
    try:
        assert http.accept([event("x")]).accepted == ["x"]
    finally:
        http.close()
    result = metering.ingest_file(
        unit_of_work(association), DuckEventStore(tmp_path), write_jsonl(tmp_path / "x.jsonl", [event("x"), event("y")])
    )
    assert (result.accepted, result.duplicates, result.duplicate_indexes) == (1, 1, [0])
    metering.flush(unit_of_work(association), DuckEventStore(tmp_path))
    assert sorted(i for (_, i, _) in stored(tmp_path)) == ["x", "y"]


def test_a_flush_under_steady_traffic_moves_what_was_there_and_returns(association: Engine, tmp_path: Path) -> None:
    """Defect 6: a flush looped until the write-ahead queue was empty, i.e. until traffic stopped."""
    http = ingestor(association, tmp_path)
    stop = threading.Event()
    sent: list[int] = []

    def sender() -> None:  # steady traffic, for at most 15 s (the old flush returned only then)
        n = 0
        until = time.monotonic() + 15
        while not stop.is_set() and time.monotonic() < until:
            http.accept([event(f"t{n}-{i}") for i in range(20)])
            sent.append(n)
            n += 1
            time.sleep(0.005)

    http.accept([event(f"before-{i}") for i in range(100)])
    thread = threading.Thread(target=sender)
    thread.start()
    try:
        while len(sent) < 3:
            time.sleep(0.01)
        flushed = metering.flush(unit_of_work(association), DuckEventStore(tmp_path))
        assert thread.is_alive()  # it returned while the traffic went on
        materialised = metering.materialise(unit_of_work(association), DuckEventStore(tmp_path), MARCH)
        assert materialised.events >= 100
        assert thread.is_alive()
    finally:
        stop.set()
        thread.join()
    assert flushed.accepted >= 100
    metering.flush(unit_of_work(association), DuckEventStore(tmp_path))
    http.close()
    ids = Counter(i for (_, i, _) in stored(tmp_path))
    assert len(ids) == 100 + 20 * len(sent) and set(ids.values()) == {1}


def test_source_and_id_that_share_their_md5_input_around_a_nul_are_refused_not_confused(
    association: Engine, tmp_path: Path
) -> None:
    """Defect 8: ("s\\0x", "y") and ("s", "x\\0y") had the same key; NUL is refused in both."""
    assert event_digest("s\0x", "y") == event_digest("s", "x\0y")  # why NUL cannot be allowed
    first = event("y", source="/s\0x")
    second = event("x\0y", source="/s")
    http = ingestor(association, tmp_path)
    try:
        answer = http.accept([first, second, event("plain", source="/s")])
    finally:
        http.close()
    assert answer.accepted == ["plain"]
    assert [(r.index, r.field) for r in answer.rejected] == [(0, "source"), (1, "id")]
    assert all("NUL" in r.reason for r in answer.rejected)
    from_file = metering.ingest_file(
        unit_of_work(association), DuckEventStore(tmp_path), write_jsonl(tmp_path / "n.jsonl", [first, second])
    )
    assert [(r.line, r.field) for r in from_file.rejected] == [(1, "source"), (2, "id")]


def test_specversion_and_rfc3339_times_are_required_with_their_reason(association: Engine, tmp_path: Path) -> None:
    """CloudEvents 11: specversion missing, "0.3" or "9.9"; a time without offset or only a date."""
    bad = [
        {k: v for k, v in event("s0").items() if k != "specversion"},
        {**event("s1"), "specversion": "0.3"},
        {**event("s2"), "specversion": "9.9"},
        event("t1", time="2025-03-10"),
        event("t2", time="2025-03-10T12:00:00"),
        event("t3", time="2025-03-10 12:00:00Z"),
    ]
    http = ingestor(association, tmp_path)
    try:
        answer = http.accept(bad)
    finally:
        http.close()
    got = [(r.index, r.field) for r in answer.rejected]
    assert got == [(0, "specversion"), (1, "specversion"), (2, "specversion"), (3, "time"), (4, "time"), (5, "time")]
    assert "0.3" in answer.rejected[1].reason and "offset" in answer.rejected[4].reason
    from_file = metering.ingest_file(
        unit_of_work(association), DuckEventStore(tmp_path), write_jsonl(tmp_path / "v.jsonl", bad)
    )
    assert [(r.line - 1, r.field, r.reason) for r in from_file.rejected] == [
        (r.index, r.field, r.reason) for r in answer.rejected
    ]
