"""The monthly aggregation on DuckDB: the one SQL text of ``aggregation.sql`` over a period's files
(its rows as :class:`~mutua.metering.domain.Total`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import duckdb

from mutua.metering.domain import Total
from mutua.metering.duck import connect


def aggregation_sql() -> str:
    """The aggregation, as run by every engine."""
    return files("mutua.metering").joinpath("aggregation.sql").read_text(encoding="utf-8")


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


def aggregate_files(paths: Sequence[Path], con: duckdb.DuckDBPyConnection | None = None) -> list[Total]:
    """Run the aggregation over event files with DuckDB."""
    if not paths:
        return []
    con = con or connect()
    con.read_parquet([str(p) for p in paths]).create_view("events", replace=True)  # DuckDB writes the file names
    return to_totals(con.execute(aggregation_sql()).fetchall())
