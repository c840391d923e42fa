"""DuckDB sessions for metering: a configured connection, and reading one value or one column."""

from __future__ import annotations

import os
from typing import Any

import duckdb


def connect(threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")
    if threads:
        con.execute("SET threads = $1", [int(threads)])
    limit = memory_limit or os.environ.get("MUTUA_METERING_MEMORY")
    if limit:
        con.execute("SET memory_limit = $1", [limit])
    return con


def one(con: duckdb.DuckDBPyConnection, sql: str, parameters: object = None) -> Any:
    row = con.execute(sql, parameters).fetchone()
    assert row is not None
    return row[0]


def one_column(con: duckdb.DuckDBPyConnection, sql: str) -> list[int]:
    return [int(r[0]) for r in con.execute(sql).fetchall()]
