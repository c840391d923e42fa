"""The same aggregation text on Spark (local mode) and DuckDB gives identical totals."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from mutua.bootstrap import migrate, unit_of_work
from mutua.kernel.periods import Period
from mutua.metering import service as metering
from mutua.metering.aggregation import aggregate_files
from mutua.metering.eventstore import EventStore
from mutua.metering.spark import aggregate_files_spark, spark_session
from mutua.metering.store import DuckEventStore
from mutua.platform.db.engine import make_engine
from tests.integration.metering_support import MEMBERS, build_association, event, write_jsonl


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    if shutil.which("java") is None:
        pytest.fail("Java is needed for Spark's local mode")
    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'mutua.sqlite'}")
    migrate(eng)
    yield eng
    eng.dispose()


def test_spark_and_duckdb_give_identical_totals_on_the_same_events(
    spark: object, sqlite_engine: Engine, tmp_path: Path
) -> None:
    build_association(sqlite_engine, tmp_path)
    rng = random.Random(11)
    types = [
        ("be.mutua.vm.usage", "seconds"),
        ("be.mutua.storage.used", "gb"),
        ("be.mutua.backup.volume", "gb"),
        ("be.mutua.archive.stored", "gb"),
        ("be.mutua.vm.inventory", "vm"),
        ("be.mutua.api.call", None),
    ]
    events = []
    for i in range(3000):
        typ, prop = rng.choice(types)
        data: dict[str, object] = {}
        if prop == "vm":
            data["vm"] = f"vm-{rng.randrange(40)}"
        elif prop is not None:
            data[prop] = f"{rng.randrange(0, 10**7)}.{rng.randrange(10**6):06d}"
        if typ == "be.mutua.vm.usage":
            data["size"] = rng.choice(["S", "M", "L"])
        day, hour, minute = rng.randrange(1, 29), rng.randrange(24), rng.randrange(60)
        events.append(
            event(
                f"s{i}",
                type=typ,
                subject=rng.choice([*MEMBERS, "SVC-2"]),
                data=data,
                time=f"2025-03-{day:02d}T{hour:02d}:{minute:02d}:00Z",
                source=rng.choice(["/a", "/b"]),
            )
        )
    metering.ingest_file(
        unit_of_work(sqlite_engine), DuckEventStore(tmp_path), write_jsonl(tmp_path / "e.jsonl", events)
    )
    files = EventStore(tmp_path / "metering").event_files(Period(2025, 3))
    duck = aggregate_files(files)
    assert len(duck) > 20
    assert sum(t.events for t in duck) == 3000
    assert aggregate_files_spark(spark, files) == duck
