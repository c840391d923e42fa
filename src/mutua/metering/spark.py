"""The same aggregation on Apache Spark (PySpark), for an association that outgrows one machine.

It runs the very text of ``aggregation.sql`` (:func:`aggregation_sql`) over the same Parquet files
and views as DuckDB (:class:`~mutua.metering.aggregation.AggregationInputs`): only the engine
differs, so ``mutua metering materialise YYYY-MM --engine spark`` seals and writes back exactly as
the DuckDB path does. The executors read the event store's files themselves: the store must be on
a filesystem every executor reads (NFS, a cluster filesystem) under the same path, or under the
one ``store_url`` names (``MUTUA_SPARK_STORE``: ``file:///mnt/mutua/metering``, ``hdfs://...``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mutua.kernel.periods import Period
from mutua.metering.aggregation import (
    EVENT_INPUT,
    ROLLUP_INPUT,
    AggregationInputs,
    aggregation_sql,
    columns_select,
    period_of_files,
    to_totals,
)
from mutua.metering.domain import Total

MASTER_VARIABLE = "MUTUA_SPARK_MASTER"
"""The Spark master (``spark://host:7077``, ``local[4]``, ``local-cluster[2,1,1024]``)."""
STORE_VARIABLE = "MUTUA_SPARK_STORE"
"""How the executors name the event store's folder (default: the same path as here)."""


def spark_session(master: str = "local[2]", conf: dict[str, str] | None = None) -> Any:
    """A Spark session (local mode by default), quiet and in UTC, with ANSI SQL (an overflow fails)."""
    from pyspark.sql import SparkSession  # heavy: imported only when Spark is used

    builder = (
        SparkSession.builder.master(master)
        .appName("mutua-metering")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.ansi.enabled", "true")
    )
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkAggregator:
    """Runs a period's aggregation on a Spark cluster (the store's ``aggregator``).

    Args:
        master: the Spark master; default ``MUTUA_SPARK_MASTER``, else ``local[*]``.
        root: the event store's folder here; with ``store_url``, the executors read
            ``store_url`` + the rest of each path instead.
        store_url: the store's folder as the executors name it (default ``MUTUA_SPARK_STORE``).
        session: a session to use (the tests'); else one is made on first use and kept.
    """

    def __init__(
        self,
        master: str | None = None,
        *,
        root: Path | None = None,
        store_url: str | None = None,
        session: Any = None,
    ) -> None:
        self.master = master or os.environ.get(MASTER_VARIABLE) or "local[*]"
        self.root = root
        self.store_url = store_url if store_url is not None else os.environ.get(STORE_VARIABLE) or None
        self._session = session

    @property
    def session(self) -> Any:
        if self._session is None:
            self._session = spark_session(self.master)
        return self._session

    def location(self, path: Path) -> str:
        """``path`` as the executors read it."""
        if self.root is None or not self.store_url:
            return str(path)
        return self.store_url.rstrip("/") + "/" + path.relative_to(self.root).as_posix()

    def __call__(self, inputs: AggregationInputs) -> list[Total]:
        if inputs.empty():
            return []
        session = self.session
        self._register("events", inputs.events, EVENT_INPUT)
        self._register("rollup_history", inputs.rollup_history, ROLLUP_INPUT)
        self._register("uniq_history", inputs.uniq_history, EVENT_INPUT)
        session.createDataFrame(
            [(m.meter, m.agg, m.recurring, m.increments) for m in inputs.meters],
            "meter STRING, agg STRING, recurring BOOLEAN, increments BOOLEAN",
        ).createOrReplaceTempView("meters")
        session.createDataFrame(
            [inputs.target()], "period INT, period_start_us BIGINT, period_end_us BIGINT, period_len_us BIGINT"
        ).createOrReplaceTempView("target")
        rows = session.sql(aggregation_sql()).collect()
        return to_totals([tuple(r) for r in rows])

    def _register(self, name: str, paths: Sequence[Path], columns: Sequence[tuple[str, str]]) -> None:
        session = self.session
        if paths:
            raw = session.read.option("mergeSchema", "true").parquet(*[self.location(p) for p in paths])
            raw.createOrReplaceTempView(f"{name}_files")
            sql = columns_select(f"{name}_files", raw.columns, columns)
        else:
            sql = columns_select(None, (), columns)
        session.sql(sql).createOrReplaceTempView(name)


def aggregate_files_spark(session: Any, paths: Sequence[Path], period: Period | None = None) -> list[Total]:
    """Run the aggregation over one period's event files with Spark SQL (nothing carried in)."""
    if not paths:
        return []
    inputs = AggregationInputs(period or period_of_files(paths), tuple(paths))
    return SparkAggregator(session=session)(inputs)
