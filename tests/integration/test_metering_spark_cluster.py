"""Spark as an engine a user runs: ``mutua metering materialise YYYY-MM --engine spark`` on a
cluster whose executors are separate processes (Spark's ``local-cluster`` mode: two workers of one
core each) reading the store's files themselves, with the totals, sealing and write-back of the
DuckDB path; and the one rounding rule in Spark's casts."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from mutua.bootstrap import cli as app
from mutua.bootstrap import migrate, unit_of_work
from mutua.charging import db as charging_db
from mutua.costing.service import import_cost_model
from mutua.kernel.periods import Period
from mutua.metering.aggregation import aggregate_inputs
from mutua.metering.domain import to_micro
from mutua.metering.spark import MASTER_VARIABLE, SparkAggregator, spark_session
from mutua.metering.store import DuckEventStore
from mutua.platform.db.engine import make_engine
from mutua.platform.settings import sqlite_url
from tests.fakes.metering import FakeEventStore
from tests.integration import metering_support
from tests.integration.metering_semantics_support import (
    QUARTER,
    catalogue,
    ingest_into,
    quarter_events,
    semantics_model,
    semantics_model_text,
)

CLUSTER = "local-cluster[2,1,1024]"
JAN, FEB, MAR = QUARTER


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    if shutil.which("java") is None:
        pytest.fail("Java is needed for Spark")
    import pyspark

    os.environ.setdefault("SPARK_HOME", str(Path(pyspark.__file__).parent))  # the executors' launcher and jars
    session = spark_session(CLUSTER, {"spark.executor.memory": "512m", "spark.driver.memory": "512m"})
    yield session
    session.stop()


def _executors(session: object) -> int:
    """Executors registered (the driver not counted)."""
    status = session.sparkContext._jsc.sc().getExecutorMemoryStatus()  # type: ignore[attr-defined]
    return int(status.size()) - 1


def test_totals_on_a_cluster_of_separate_executors_equal_duckdbs_month_after_month(
    cluster: object, tmp_path: Path
) -> None:
    model = semantics_model()
    store, reference = DuckEventStore(tmp_path), FakeEventStore()
    ingest_into(store, reference, tmp_path / "q.jsonl", quarter_events(8, 1200), catalogue())
    store.seal(JAN)
    late = [dict(e, id=f"late-{e['id']}") for e in quarter_events(9, 200) if e["time"] < "2025-02"]
    ingest_into(store, reference, tmp_path / "late.jsonl", late, catalogue({JAN.key}))
    spark = SparkAggregator(session=cluster)
    for period in (*QUARTER, Period(2025, 4)):
        inputs = store.files.aggregation_inputs(period, model.meters)
        duck = aggregate_inputs(inputs)
        assert duck, period
        assert spark(inputs) == duck, period
    assert _executors(cluster) == 2


def test_spark_casts_values_on_the_rounding_boundary_as_the_domain_rounds_them(cluster: object) -> None:
    texts = ["0.0000005", "0.0000015", "0.0000025", "-0.0000005", "0.00000049999999", "2.0000035", "1e-7"]
    rows = cluster.sql(  # type: ignore[attr-defined]
        "SELECT CAST(CAST(t AS DECIMAL(38, 6)) * 1000000 AS BIGINT) FROM VALUES "
        + ", ".join(f"('{t}')" for t in texts)
        + " AS v(t)"
    ).collect()
    assert [int(r[0]) for r in rows] == [to_micro(t) for t in texts]


def test_materialise_with_the_spark_engine_seals_and_writes_back_what_duckdb_writes(
    cluster: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(sqlite_url(tmp_path))
    migrate(engine)
    metering_support.build_association(engine, tmp_path)
    (tmp_path / "semantics.yaml").write_text(semantics_model_text(), encoding="utf-8")
    import_cost_model(unit_of_work(engine), tmp_path / "semantics.yaml")
    events = metering_support.write_jsonl(tmp_path / "q.jsonl", quarter_events(10, 600))
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path), "metering"]
    assert runner.invoke(app, [*base, "ingest", str(events)]).exit_code in (0, 2)

    def usage() -> list[tuple[object, ...]]:
        with unit_of_work(engine) as uow:
            u = charging_db.usage
            found = uow.connection.execute(
                select(u.c.engagement_id, u.c.service, u.c.period_key, u.c.origin_period_key, u.c.quantity).where(
                    u.c.source == "metering"
                )
            ).all()
        return sorted(tuple(r) for r in found)

    by_duckdb = runner.invoke(app, [*base, "materialise", "2025-02", "--json"])
    assert by_duckdb.exit_code == 0, by_duckdb.output
    written_by_duckdb = usage()
    assert written_by_duckdb
    monkeypatch.setenv(MASTER_VARIABLE, CLUSTER)
    by_spark = runner.invoke(app, [*base, "materialise", "2025-02", "--engine", "spark", "--json"])
    assert by_spark.exit_code == 0, by_spark.output
    said_by_duckdb, said_by_spark = json.loads(by_duckdb.stdout), json.loads(by_spark.stdout)
    assert said_by_spark.pop("batch_id") == said_by_duckdb.pop("batch_id") + 1  # a new batch
    assert said_by_spark == said_by_duckdb
    assert usage() == written_by_duckdb  # replaced by the same rows
    assert FEB.key in DuckEventStore(tmp_path).sealed()
    assert SparkAggregator().master == CLUSTER  # the engine's master from MUTUA_SPARK_MASTER
    bad = runner.invoke(app, [*base, "materialise", "2025-03", "--engine", "hadoop"])
    assert bad.exit_code != 0 and "not an engine" in bad.output
    engine.dispose()
