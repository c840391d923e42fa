"""The same aggregation on Apache Spark (PySpark), for an association that outgrows one machine.

It runs the very text of ``aggregation.sql`` (:func:`aggregation_sql`) over the same Parquet files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mutua.metering.aggregation import aggregation_sql, to_totals
from mutua.metering.domain import Total


def spark_session(master: str = "local[2]") -> Any:
    """A Spark session (local mode by default), quiet and in UTC."""
    from pyspark.sql import SparkSession  # heavy: imported only when Spark is used

    session = (
        SparkSession.builder.master(master)
        .appName("mutua-metering")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.ansi.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def aggregate_files_spark(session: Any, paths: Sequence[Path]) -> list[Total]:
    """Run the aggregation over event files with Spark SQL."""
    if not paths:
        return []
    session.read.parquet(*[str(p) for p in paths]).createOrReplaceTempView("events")
    rows = session.sql(aggregation_sql()).collect()
    return to_totals([tuple(r) for r in rows])
