"""Names in the cost model that look like SQL stay names: a meter's value property, dimensions and
event type are quoted or bound when DuckDB reads the events, and never run as statements."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mutua.costing.modelfile import parse_cost_model
from mutua.kernel.problems import Rejected
from mutua.metering.aggregation import aggregate_files
from mutua.metering.catalogue import Catalogue
from mutua.metering.duck import connect
from mutua.metering.eventstore import EventStore
from mutua.metering.loading import load_file, load_pending
from mutua.metering.sqltext import identifier, json_pointer
from mutua.metering.wal import Batch
from tests.integration.metering_support import MEMBERS, cost_model_text, event, write_jsonl

EVIL = 'x"; DROP TABLE events; --'
EVIL_TYPE = "test\"; DROP TABLE m; --'"
QUOTE = "it's"
SEMICOLON = "a;b"
DOUBLE_QUOTE = 'say "hi"'
POINTER_CHARS = "a/b~c"
NOW_US = int(datetime(2025, 4, 1, tzinfo=UTC).timestamp() * 1_000_000)
ENGAGEMENT = "SVC-1"
ANCHOR = "service: APIGW, divide_by: 1000}\n"


def _meter(**fields: Any) -> str:
    """One meter of the cost model's YAML, every value written as a JSON scalar (valid YAML)."""
    return "  - {" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in fields.items()) + "}\n"


SQL_LOOKING_METERS = (
    _meter(
        code="sql_sum",
        event_type="test.sql.usage",
        aggregation="sum",
        value_property=EVIL,
        group_by=[QUOTE, SEMICOLON],
        service="VMAAS",
    )
    + _meter(
        code="sql_unique",
        event_type=EVIL_TYPE,
        aggregation="unique_count",
        value_property=DOUBLE_QUOTE,
        service="VMAAS",
    )
    + _meter(
        code="sql_max", event_type="test.sql.volume", aggregation="max", value_property=POINTER_CHARS, service="BAAS"
    )
    + _meter(code="sql_split", event_type="test.sql.call", aggregation="count", group_by=["a", "b"], service="APIGW")
    + _meter(code="sql_joined", event_type="test.sql.call", aggregation="count", group_by=[SEMICOLON], service="APIGW")
)
"""Meters whose names hold quotes, semicolons and statements; ``sql_split`` and ``sql_joined``
group by ``a``, ``b`` and by ``a;b``: the same text once joined with ``;``."""

EVENTS = [
    event("u1", type="test.sql.usage", data={EVIL: 3600, QUOTE: "L", SEMICOLON: "x"}),
    event("u2", type="test.sql.usage", data={EVIL: 1800, QUOTE: "L", SEMICOLON: "x"}),
    event("u3", type="test.sql.usage", data={EVIL: 60, QUOTE: 'he said "no"', SEMICOLON: "y"}),
    event("i1", type=EVIL_TYPE, data={DOUBLE_QUOTE: "vm-1"}),
    event("i2", type=EVIL_TYPE, data={DOUBLE_QUOTE: "vm-2"}),
    event("i3", type=EVIL_TYPE, data={DOUBLE_QUOTE: "vm-1"}),
    event("v1", type="test.sql.volume", data={POINTER_CHARS: 5}),
    event("v2", type="test.sql.volume", data={POINTER_CHARS: 7.5}),
    event("c1", type="test.sql.call", data={"a": "1", "b": "2", SEMICOLON: "3"}),
    event("c2", type="test.sql.call", data={"a": "1", "b": "2", SEMICOLON: "3"}),
]

EXPECTED = {  # (meter, dimensions) -> (events, numerator in micro-units, denominator)
    ("sql_sum", f"{QUOTE}=L;{SEMICOLON}=x"): (2, 5400_000000, 1),
    ("sql_sum", f'{QUOTE}=he said "no";{SEMICOLON}=y'): (1, 60_000000, 1),
    ("sql_unique", ""): (3, 2_000000, 1),
    ("sql_max", ""): (2, 7_500000, 1),
    ("sql_split", "a=1;b=2"): (2, 2_000000, 1),
    ("sql_joined", f"{SEMICOLON}=3"): (2, 2_000000, 1),
}


def _catalogue() -> Catalogue:
    model = parse_cost_model(cost_model_text().replace(ANCHOR, ANCHOR + SQL_LOOKING_METERS), "sql-names.yaml")
    return Catalogue(model.meters, {MEMBERS[0]: (MEMBERS[0], ENGAGEMENT)}, frozenset(), NOW_US)


def _jsonl(con: duckdb.DuckDBPyConnection, folder: Path) -> int | None:
    return load_file(con, write_jsonl(folder / "events.jsonl", EVENTS))


def _csv(con: duckdb.DuckDBPyConnection, folder: Path) -> int | None:
    path = folder / "events.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "source", "type", "subject", "time", "data"])
        for e in EVENTS:
            w.writerow([e["id"], e["source"], e["type"], e["subject"], e["time"], json.dumps(e["data"])])
    return load_file(con, path)


def _parquet(con: duckdb.DuckDBPyConnection, folder: Path) -> int | None:
    """``data`` as a STRUCT whose field names are the SQL-looking names."""
    path = folder / "events.parquet"
    columns = ("id", "source", "type", "subject", "time", "data")
    pq.write_table(pa.table({c: [e[c] for e in EVENTS] for c in columns}), path)
    assert pq.read_schema(path).field("data").type.get_field_index(EVIL) >= 0
    return load_file(con, path)


def _http(con: duckdb.DuckDBPyConnection, folder: Path) -> int | None:
    """A batch acknowledged over HTTP, as a flush reads it from the write-ahead store."""
    who = orjson.dumps([(MEMBERS[0], ENGAGEMENT) for _ in EVENTS])
    load_pending(con, [Batch(1, len(EVENTS), b"", who, orjson.dumps(EVENTS))], folder)
    return None


LOADERS: dict[str, Callable[[duckdb.DuckDBPyConnection, Path], int | None]] = {
    "json lines": _jsonl,
    "csv": _csv,
    "parquet struct": _parquet,
    "http batch": _http,
}


@pytest.mark.parametrize("how", list(LOADERS))
def test_value_properties_dimensions_and_event_types_that_look_like_sql_are_read_as_plain_names(
    tmp_path: Path, how: str
) -> None:
    store = EventStore(tmp_path / "metering")
    con = connect()
    con.execute("CREATE TABLE events AS SELECT 42 AS canary")  # what the names try to drop
    try:
        offset = LOADERS[how](con, tmp_path)
        result = store.ingest(con, _catalogue(), how, line_offset=offset, trusted=how == "http batch")
        assert con.execute("SELECT canary FROM events").fetchall() == [(42,)]
    finally:
        con.close()
    assert (result.accepted, result.duplicates, result.rejected) == (len(EVENTS), 0, [])
    totals = aggregate_files(store.event_files())
    assert {(t.meter, t.dims): (t.events, t.numerator, t.denominator) for t in totals} == EXPECTED


@pytest.mark.parametrize("code", [EVIL, QUOTE, SEMICOLON, DOUBLE_QUOTE])
def test_a_meter_code_with_a_quote_or_a_semicolon_is_refused_by_the_cost_model_with_its_field(code: str) -> None:
    meter = _meter(code=code, event_type="test.sql.call", aggregation="count", service="APIGW")
    with pytest.raises(Rejected) as refused:
        parse_cost_model(cost_model_text().replace(ANCHOR, ANCHOR + meter), "bad-code.yaml")
    [problem] = refused.value.problems
    assert problem.field is not None and problem.field.endswith(".code")
    assert f"{code!r} is not a code" in problem.message


def test_a_name_is_quoted_whole_with_its_double_quotes_doubled_and_one_with_a_nul_is_refused() -> None:
    assert identifier(EVIL) == '"x""; DROP TABLE events; --"'
    assert identifier(QUOTE) == '"it\'s"'
    assert [d[0] for d in duckdb.connect().execute(f"SELECT 1 AS {identifier(EVIL)}").description] == [EVIL]
    with pytest.raises(ValueError, match="NUL"):
        identifier("a\x00b")


def test_a_json_pointer_escapes_tilde_and_slash_and_leaves_quotes_and_semicolons_as_they_are() -> None:
    assert json_pointer(POINTER_CHARS) == "/a~1b~0c"
    assert json_pointer(EVIL) == "/" + EVIL
    con = duckdb.connect()
    found = con.execute("SELECT json_extract_string($1, $2)", [json.dumps({EVIL: 1}), json_pointer(EVIL)])
    assert found.fetchall() == [("1",)]
