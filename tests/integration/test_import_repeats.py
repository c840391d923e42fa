"""Every import is a batch logged by SHA-256: the same file again is refused with one problem,
"already imported (batch N)", and nothing doubles (on SQLite and PostgreSQL)."""

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, Table, func, select

from mutua.bootstrap import unit_of_work
from mutua.charging import db as charging_db
from mutua.charging.service import imports
from mutua.kernel.problems import Conflict, Rejected
from mutua.platform.db import schema
from mutua.registry import db as registry_db
from mutua.registry import service as registry_service
from tests.integration import small
from tests.integration.small import write

COMMITMENTS = """\
engagement,period,amount,description
P1,2025-01,1000.00,Analysis
P1,2025-02,1500.00,Build
C1,2025-03,250.00,Extra VMs
"""


def count(engine: Engine, table: Table) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


def rejected(call, *args) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(Rejected) as info:
        call(*args)
    return [str(p) for p in info.value.problems]


def test_a_commitments_file_imported_again_is_refused_and_nothing_doubles(engine: Engine, tmp_path: Path) -> None:
    small.registry(engine, tmp_path)
    path = write(tmp_path, "commitments.csv", COMMITMENTS)
    first = registry_service.import_commitments(unit_of_work(engine), path)
    for _ in range(2):
        assert rejected(registry_service.import_commitments, unit_of_work(engine), path) == [
            f"{path}: already imported (batch {first.batch_id})"
        ]
    assert count(engine, registry_db.commitments) == 3


def test_members_and_engagements_imported_again_are_refused_as_a_repeat_with_one_problem(
    engine: Engine, tmp_path: Path
) -> None:
    small.registry(engine, tmp_path)
    members = rejected(registry_service.import_members, unit_of_work(engine), tmp_path / "members.csv")
    engagements = rejected(registry_service.import_engagements, unit_of_work(engine), tmp_path / "engagements.csv")
    assert len(members) == 1 and members[0].endswith(": already imported (batch 1)"), members
    assert len(engagements) == 1 and engagements[0].endswith(": already imported (batch 2)"), engagements
    assert (count(engine, registry_db.members), count(engine, registry_db.engagements)) == (2, 4)


def test_a_time_sheet_imported_again_is_one_problem_not_one_per_row(engine: Engine, tmp_path: Path) -> None:
    small.registry(engine, tmp_path)
    rows = [f"p{i},senior,P1,2025-01-{day:02d},1.00" for i in range(40) for day in range(2, 29)]
    path = write(tmp_path, "time.csv", "person,grade,engagement,date,hours\n" + "\n".join(rows) + "\n")
    done = imports.import_time_sheets(unit_of_work(engine), path)
    assert rejected(imports.import_time_sheets, unit_of_work(engine), path) == [
        f"{path}: already imported (batch {done.batch_id})"
    ]
    usage = write(tmp_path, "usage.csv", small.usage("2025-01"))
    batch = imports.import_usage(unit_of_work(engine), usage).batch_id
    assert rejected(imports.import_usage, unit_of_work(engine), usage) == [f"{usage}: already imported (batch {batch})"]
    assert count(engine, charging_db.time_entries) == len(rows)
    assert count(engine, schema.import_batches) == 4  # members, engagements, time, usage


def test_the_same_file_imported_at_once_on_parallel_connections_is_taken_once(engine: Engine, tmp_path: Path) -> None:
    small.registry(engine, tmp_path)
    path = write(tmp_path, "commitments.csv", COMMITMENTS)
    runs = 4
    barrier = threading.Barrier(runs)
    outcomes: list[str] = []

    def run() -> None:
        uow = unit_of_work(engine)  # each thread its own unit of work: its own connection
        barrier.wait()
        try:
            registry_service.import_commitments(uow, path)
            outcomes.append("ok")
        except Rejected as exc:
            outcomes.append("; ".join(p.message for p in exc.problems))
        except Conflict as exc:
            outcomes.append(f"conflict: {exc}")
        except BaseException as exc:  # the test shows it
            outcomes.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["already imported (batch 3)"] * (runs - 1) + ["ok"], outcomes
    assert count(engine, registry_db.commitments) == 3


def test_an_existing_database_upgrades_to_the_unique_file_batches_and_names_a_file_taken_twice(
    engine: Engine, tmp_path: Path
) -> None:
    from alembic import command
    from sqlalchemy import delete, insert, inspect

    from mutua.bootstrap import MIGRATIONS
    from mutua.platform.db.engine import alembic_config

    small.registry(engine, tmp_path)
    with engine.begin() as connection:
        command.downgrade(alembic_config(MIGRATIONS, connection), "0001_core")
    assert "uq_import_batches_kind_sha256" not in {i["name"] for i in inspect(engine).get_indexes("import_batches")}
    batches = schema.import_batches
    with engine.begin() as connection:  # the members file twice, as the old version's race let through
        first = connection.execute(select(batches).where(batches.c.kind == "members")).mappings().one()
        again = dict(first) | {"id": 99}
        connection.execute(insert(batches).values(again))
    with pytest.raises(RuntimeError, match="the same file was imported twice"), engine.begin() as connection:
        command.upgrade(alembic_config(MIGRATIONS, connection), "heads")
    with engine.begin() as connection:
        connection.execute(delete(batches).where(batches.c.id == 99))
        connection.execute(insert(batches).values(dict(first) | {"id": 98, "kind": "metering", "sha256": "-"}))
        connection.execute(insert(batches).values(dict(first) | {"id": 99, "kind": "metering", "sha256": "-"}))
        command.upgrade(alembic_config(MIGRATIONS, connection), "heads")
    assert "uq_import_batches_kind_sha256" in {i["name"] for i in inspect(engine).get_indexes("import_batches")}
    path = tmp_path / "members.csv"
    assert rejected(registry_service.import_members, unit_of_work(engine), path) == [
        f"{path}: already imported (batch 1)"
    ]
