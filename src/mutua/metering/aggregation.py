"""The monthly aggregation: the one SQL text of ``aggregation.sql`` over a period's files, run by
DuckDB here and by Spark in ``spark.py`` (its rows as :class:`~mutua.metering.domain.Total`).

What it reads (:class:`AggregationInputs`): the period's event files; for the meters that carry
their state into the next month, the earlier periods' rollups (a gauge's last level, a recurring
sum's balance) and, for a recurring unique count, the earlier periods' unique-count events; the
meters' options; and the period's bounds. Files written before a column existed are read with that
column empty (``op``: add; ``last_source``/``last_id``: '')."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import duckdb
import pyarrow as pa

from mutua.costing.domain.meters import Meter
from mutua.kernel.periods import Period
from mutua.metering.domain import Total, period_bounds_us
from mutua.metering.duck import connect

EVENT_INPUT = (
    ("source", "STRING"),
    ("id", "STRING"),
    ("member", "STRING"),
    ("engagement", "STRING"),
    ("meter", "STRING"),
    ("agg", "STRING"),
    ("dims", "STRING"),
    ("time_us", "BIGINT"),
    ("value_micro", "BIGINT"),
    ("value_text", "STRING"),
    ("period", "INT"),
    ("origin_period", "INT"),
    ("period_end_us", "BIGINT"),
    ("period_len_us", "BIGINT"),
    ("family", "TINYINT"),
    ("op", "TINYINT"),
)
"""The columns of the views ``events`` and ``uniq_history`` (an event file's, as the SQL reads them)."""
ROLLUP_INPUT = (
    ("member", "STRING"),
    ("engagement", "STRING"),
    ("meter", "STRING"),
    ("agg", "STRING"),
    ("dims", "STRING"),
    ("last_us", "BIGINT"),
    ("last_source", "STRING"),
    ("last_id", "STRING"),
    ("last_micro", "BIGINT"),
    ("sum_micro", "DECIMAL(38, 0)"),
)
"""The columns of the view ``rollup_history`` (a rollup file's, as the SQL reads them)."""
_PERIOD_DIR = re.compile(r"period=(\d{6})")


@dataclass(frozen=True)
class MeterOptions:
    """What the aggregation needs of a meter: whether it is recurring, or a gauge of increments."""

    meter: str
    agg: str
    recurring: bool = False
    increments: bool = False

    @staticmethod
    def of(meters: Iterable[Meter]) -> tuple[MeterOptions, ...]:
        return tuple(MeterOptions(m.code, m.aggregation.value, m.recurring, m.increments) for m in meters)


@dataclass(frozen=True)
class AggregationInputs:
    """The files and options one period's aggregation reads (paths every engine's workers can read).

    Attributes:
        period: the period charged.
        events: its event files.
        rollup_history: the earlier periods' rollup files (for the carried levels and balances).
        uniq_history: the earlier periods' unique-count event files (for a recurring unique count).
        meters: the meters' options.
    """

    period: Period
    events: tuple[Path, ...]
    rollup_history: tuple[Path, ...] = ()
    uniq_history: tuple[Path, ...] = ()
    meters: tuple[MeterOptions, ...] = field(default=())

    def empty(self) -> bool:
        return not (self.events or self.rollup_history or self.uniq_history)

    def target(self) -> tuple[int, int, int, int]:
        """(period, start, end, length): the period and its bounds in microseconds."""
        start, end = period_bounds_us(self.period)
        return self.period.key, start, end, end - start


def aggregation_sql() -> str:
    """The aggregation, as run by every engine."""
    return files("mutua.metering").joinpath("aggregation.sql").read_text(encoding="utf-8")


def columns_select(source: str | None, present: Iterable[str], columns: Sequence[tuple[str, str]]) -> str:
    """SQL (DuckDB and Spark) selecting ``columns`` with their types from the view ``source``; a
    column ``source`` lacks is NULL; without ``source``, no row."""
    have = set(present)
    parts = [
        f"CAST({name if name in have else 'NULL'} AS {kind}) AS {name}" for name, kind in columns
    ]  # names and types: the constants above
    return f"SELECT {', '.join(parts)} " + (f"FROM {source}" if source else "WHERE 1 = 0")


def to_totals(rows: Sequence[Sequence[object]]) -> list[Total]:
    result = []
    for r in rows:
        num, den = Decimal(str(r[8])), Decimal(str(r[9]))
        if num != num.to_integral_value() or den != den.to_integral_value():
            raise ValueError(f"aggregation returned a non-integer fraction {num}/{den}")
        result.append(
            Total(
                int(str(r[0])),
                int(str(r[1])),
                str(r[2]),
                str(r[3]),
                str(r[4]),
                str(r[5]),
                str(r[6] or ""),
                int(str(r[7])),
                int(num),
                int(den),
            )
        )
    return sorted(result)


def period_of_files(paths: Sequence[Path]) -> Period:
    """The period of event files named under ``period=YYYYMM``."""
    keys = {int(m.group(1)) for p in paths if (m := _PERIOD_DIR.search(str(p)))}
    if len(keys) != 1:
        raise ValueError(f"event files of {len(keys)} periods given, one expected")
    return Period.from_key(keys.pop())


def aggregate_inputs(inputs: AggregationInputs, con: duckdb.DuckDBPyConnection | None = None) -> list[Total]:
    """Run the aggregation with DuckDB."""
    if inputs.empty():
        return []
    con = con or connect()
    register_inputs(con, inputs)
    return to_totals(con.execute(aggregation_sql()).fetchall())


def register_inputs(con: duckdb.DuckDBPyConnection, inputs: AggregationInputs) -> None:
    """The views ``aggregation.sql`` reads, on ``con``."""
    _register(con, "events", inputs.events, EVENT_INPUT)
    _register(con, "rollup_history", inputs.rollup_history, ROLLUP_INPUT)
    _register(con, "uniq_history", inputs.uniq_history, EVENT_INPUT)
    con.register(
        "meters",
        pa.table(
            {
                "meter": [m.meter for m in inputs.meters],
                "agg": [m.agg for m in inputs.meters],
                "recurring": [m.recurring for m in inputs.meters],
                "increments": [m.increments for m in inputs.meters],
            },
            schema=pa.schema(
                [("meter", pa.string()), ("agg", pa.string()), ("recurring", pa.bool_()), ("increments", pa.bool_())]
            ),
        ),
    )
    period, start, end, length = inputs.target()
    con.register(
        "target",
        pa.table(
            {"period": [period], "period_start_us": [start], "period_end_us": [end], "period_len_us": [length]},
            schema=pa.schema(
                [
                    ("period", pa.int32()),
                    ("period_start_us", pa.int64()),
                    ("period_end_us", pa.int64()),
                    ("period_len_us", pa.int64()),
                ]
            ),
        ),
    )


def _register(
    con: duckdb.DuckDBPyConnection, name: str, paths: Sequence[Path], columns: Sequence[tuple[str, str]]
) -> None:
    if paths:
        raw = con.read_parquet([str(p) for p in paths], union_by_name=True)
        raw.create_view(f"{name}_files", replace=True)
        sql = columns_select(f"{name}_files", raw.columns, columns)
    else:
        sql = columns_select(None, (), columns)
    con.sql(sql).create_view(name, replace=True)


def aggregate_files(
    paths: Sequence[Path], con: duckdb.DuckDBPyConnection | None = None, *, meters: Iterable[Meter] = ()
) -> list[Total]:
    """Run the aggregation over one period's event files with DuckDB (nothing carried in)."""
    if not paths:
        return []
    return aggregate_inputs(
        AggregationInputs(period_of_files(paths), tuple(paths), meters=MeterOptions.of(meters)), con
    )
