"""Choosing the engine of the monthly aggregation: where Spark's executors read the store's files
(no Spark started here: tests/integration/test_metering_spark_cluster.py runs it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutua.metering.spark import MASTER_VARIABLE, STORE_VARIABLE, SparkAggregator
from mutua.metering.store import DuckEventStore


def test_the_executors_read_the_store_under_the_path_given_or_the_same_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STORE_VARIABLE, raising=False)
    monkeypatch.delenv(MASTER_VARIABLE, raising=False)
    store = DuckEventStore(tmp_path)
    file = store.root / "events" / "period=202503" / "s-0.parquet"
    assert SparkAggregator(root=store.root).location(file) == str(file)
    mapped = SparkAggregator(root=store.root, store_url="hdfs://nn/mutua/metering/")
    assert mapped.location(file) == "hdfs://nn/mutua/metering/events/period=202503/s-0.parquet"
    assert SparkAggregator().master == "local[*]"
    monkeypatch.setenv(STORE_VARIABLE, "file:///mnt/m")
    monkeypatch.setenv(MASTER_VARIABLE, "spark://head:7077")
    from_env = SparkAggregator(root=store.root)
    assert (from_env.master, from_env.location(file)) == (
        "spark://head:7077",
        "file:///mnt/m/events/period=202503/s-0.parquet",
    )
