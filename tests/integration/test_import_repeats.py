"""Every import is a batch logged by SHA-256: the same file again is refused with one problem,
"already imported (batch N)", and nothing doubles (on SQLite and PostgreSQL). A price list is
imported into a target (agreement/lot/supplier): the same file for another lot or supplier is no
repeat, the same file into the same target is."""

import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Table, func, select

from mutua.bootstrap import unit_of_work
from mutua.charging import db as charging_db
from mutua.charging.service import imports
from mutua.costing.service import import_cost_model
from mutua.kernel.problems import Conflict, Rejected
from mutua.platform.db import schema
from mutua.purchasing.service import catalogue
from mutua.registry import db as registry_db
from mutua.registry import service as registry_service
from tests.integration import small
from tests.integration.small import write
from tests.small_model import MODEL
from tests.unit.purchasing import world

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
    assert {i["name"] for i in inspect(engine).get_indexes("import_batches")}.isdisjoint(
        {"uq_import_batches_kind_sha256", "uq_import_batches_kind_target_sha256"}
    )
    batches = schema.import_batches
    with engine.begin() as connection:  # the members file twice, as the old version's race let through
        before = [c for c in batches.c if c.name != "target"]  # the table as 0001_core made it
        first = connection.execute(select(*before).where(batches.c.kind == "members")).mappings().one()
        again = dict(first) | {"id": 99}
        connection.execute(insert(batches).values(again))
    with pytest.raises(RuntimeError, match="the same file was imported twice"), engine.begin() as connection:
        command.upgrade(alembic_config(MIGRATIONS, connection), "heads")
    with engine.begin() as connection:
        connection.execute(delete(batches).where(batches.c.id == 99))
        connection.execute(insert(batches).values(dict(first) | {"id": 98, "kind": "metering", "sha256": "-"}))
        connection.execute(insert(batches).values(dict(first) | {"id": 99, "kind": "metering", "sha256": "-"}))
        command.upgrade(alembic_config(MIGRATIONS, connection), "heads")
    assert "uq_import_batches_kind_target_sha256" in {i["name"] for i in inspect(engine).get_indexes("import_batches")}
    path = tmp_path / "members.csv"
    assert rejected(registry_service.import_members, unit_of_work(engine), path) == [
        f"{path}: already imported (batch 1)"
    ]


# The agreement of the purchasing world with a third lot of laptops, awarded to ACME and BETA too.
TWO_LAPTOP_LOTS = world.AGREEMENT.replace(
    "documents:\n",
    """  - number: 3
    title_nl: Laptops voor scholen
    title_fr: Ordinateurs portables pour les écoles
    ceiling: "20000.00"
    cpv: ["30213100"]
    award_rule: cascade
    kind: goods
    suppliers: [{code: ACME, rank: 1}, {code: BETA, rank: 2}]
documents:
""",
)
SPRING = date(2025, 4, 1)


def purchasing_world(engine: Engine, folder: Path) -> None:
    """The purchasing world (its price lists imported from 2025-01-01) with the third lot."""
    uow = unit_of_work(engine)
    import_cost_model(uow, write(folder, "model.yaml", MODEL))
    registry_service.import_members(uow, write(folder, "members.csv", world.MEMBERS_CSV))
    registry_service.import_engagements(uow, write(folder, "engagements.csv", world.ENGAGEMENTS_CSV))
    world.load(uow, folder, TWO_LAPTOP_LOTS)


def items(engine: Engine, lot: int, supplier: str) -> dict[str, str]:
    """The orderable items of a lot's supplier in spring, by code, with their prices."""
    found = catalogue.catalogue(unit_of_work(engine), world.REF, lot, supplier, on=SPRING)
    return {i.code: str(i.price) for i in found}


def price_list_batches(engine: Engine) -> list[tuple[str, str]]:
    b = schema.import_batches
    query = select(b.c.target, b.c.sha256).where(b.c.kind == "price_list").order_by(b.c.id)
    with engine.connect() as c:
        return [(r.target, r.sha256) for r in c.execute(query)]


def batch_of(engine: Engine, target: str) -> int:
    b = schema.import_batches
    with engine.connect() as c:
        return int(c.execute(select(b.c.id).where(b.c.kind == "price_list", b.c.target == target)).scalar_one())


def targets(engine: Engine) -> list[tuple[str, str]]:
    b = schema.import_batches
    with engine.connect() as c:
        return [(r.kind, r.target) for r in c.execute(select(b.c.kind, b.c.target).order_by(b.c.id))]


def test_one_price_list_goes_into_two_lots_and_for_another_supplier_but_once_into_each(
    engine: Engine, tmp_path: Path
) -> None:
    purchasing_world(engine, tmp_path)
    path = write(tmp_path, "acme-spring.csv", world.LAPTOPS.replace("900.00", "880.00"))
    into_lot_1 = catalogue.import_price_list(unit_of_work(engine), world.REF, 1, "ACME", path, SPRING)
    into_lot_3 = catalogue.import_price_list(unit_of_work(engine), world.REF, 3, "ACME", path, SPRING)
    for_beta = catalogue.import_price_list(unit_of_work(engine), world.REF, 3, "BETA", path, SPRING)
    assert (into_lot_1.repriced, into_lot_3.new, for_beta.new) == (1, 3, 3)
    assert len({into_lot_1.batch_id, into_lot_3.batch_id, for_beta.batch_id}) == 3
    spring = {"LT-14": "880.00", "LT-16": "1200.50", "DOCK": "150.00"}
    assert items(engine, 1, "ACME") == items(engine, 3, "ACME") == items(engine, 3, "BETA") == spring
    targets = [target for target, sha in price_list_batches(engine) if sha == price_list_batches(engine)[-1][1]]
    assert targets == [f"{world.REF}/1/ACME", f"{world.REF}/3/ACME", f"{world.REF}/3/BETA"]
    for lot, supplier, batch in ((1, "ACME", into_lot_1), (3, "ACME", into_lot_3), (3, "BETA", for_beta)):
        assert rejected(catalogue.import_price_list, unit_of_work(engine), world.REF, lot, supplier, path, SPRING) == [
            f"{path}: already imported (batch {batch.batch_id})"
        ]
    assert len(price_list_batches(engine)) == 4 + 3  # the world's four price lists and the three above
    assert items(engine, 3, "ACME") == spring


def test_one_price_list_into_two_lots_at_once_takes_both_and_into_one_lot_at_once_takes_one(
    engine: Engine, tmp_path: Path
) -> None:
    purchasing_world(engine, tmp_path)
    path = write(tmp_path, "acme-spring.csv", world.LAPTOPS.replace("900.00", "880.00"))
    barrier = threading.Barrier(4)
    outcomes: dict[int, list[str]] = {1: [], 3: []}

    def run(lot: int) -> None:
        uow = unit_of_work(engine)  # each thread its own connection
        barrier.wait()
        try:
            catalogue.import_price_list(uow, world.REF, lot, "ACME", path, SPRING)
            outcomes[lot].append("ok")
        except Rejected as exc:
            outcomes[lot].append("; ".join(p.message for p in exc.problems))
        except BaseException as exc:  # the test shows it
            outcomes[lot].append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(lot,)) for lot in (1, 1, 3, 3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for lot in (1, 3):
        assert sorted(outcomes[lot])[1] == "ok", outcomes
        assert sorted(outcomes[lot])[0].startswith("already imported (batch "), outcomes
    assert [t for t, _ in price_list_batches(engine)][4:] in (
        [f"{world.REF}/1/ACME", f"{world.REF}/3/ACME"],
        [f"{world.REF}/3/ACME", f"{world.REF}/1/ACME"],
    )


def test_the_import_targets_migrate_down_and_up_and_match_the_tables(engine: Engine, tmp_path: Path) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import delete, inspect

    from mutua.bootstrap import MIGRATIONS
    from mutua.platform.db.engine import alembic_config

    def about_batches(difference: Any) -> bool:  # ("add_index", Index), ("add_column", None, "t", Column), [...]
        if isinstance(difference, list):
            return any(about_batches(d) for d in difference)
        for part in difference[1:]:
            table = part if isinstance(part, Table) else getattr(part, "table", None)
            if part == "import_batches" or getattr(table, "name", None) == "import_batches":
                return True
        return False

    def drift() -> list[Any]:
        """What differs between the migrated import_batches and the table's metadata."""
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), schema.metadata)
        return [d for d in differences if about_batches(d)]

    def shape() -> tuple[set[str], set[str]]:
        found = inspect(engine)
        return {c["name"] for c in found.get_columns("import_batches")}, {
            i["name"] for i in found.get_indexes("import_batches")
        }

    assert drift() == []
    purchasing_world(engine, tmp_path)
    path = write(tmp_path, "acme-spring.csv", world.LAPTOPS)
    catalogue.import_price_list(unit_of_work(engine), world.REF, 3, "ACME", path, SPRING)  # the file of lot 1 again
    first = batch_of(engine, f"{world.REF}/1/ACME")
    with pytest.raises(RuntimeError, match="imported into several targets"), engine.begin() as connection:
        command.downgrade(alembic_config(MIGRATIONS, connection), "0002_core_imports_once")
    assert "target" in shape()[0]
    batches = schema.import_batches
    with engine.begin() as connection:
        connection.execute(delete(batches).where(batches.c.target == f"{world.REF}/3/ACME"))
        command.downgrade(alembic_config(MIGRATIONS, connection), "0002_core_imports_once")
    columns, indexes = shape()
    assert "target" not in columns and "uq_import_batches_kind_sha256" in indexes
    assert "uq_import_batches_kind_target_sha256" not in indexes
    with engine.begin() as connection:
        command.upgrade(alembic_config(MIGRATIONS, connection), "heads")
    columns, indexes = shape()
    assert "target" in columns and "uq_import_batches_kind_target_sha256" in indexes
    assert "uq_import_batches_kind_sha256" not in indexes
    assert drift() == []
    # the price lists imported before get their targets back from the audit trail: still repeats
    assert [t for t, _ in price_list_batches(engine)] == [
        f"{world.REF}/1/ACME",
        f"{world.REF}/1/BETA",
        f"{world.REF}/2/CONS1",
        f"{world.REF}/2/CONS2",
    ]
    assert rejected(catalogue.import_price_list, unit_of_work(engine), world.REF, 1, "ACME", path, SPRING) == [
        f"{path}: already imported (batch {first})"
    ]
    again = catalogue.import_price_list(unit_of_work(engine), world.REF, 3, "ACME", path, SPRING)
    assert again.batch_id is not None and price_list_batches(engine)[-1][0] == f"{world.REF}/3/ACME"
    assert {t for (k, t) in targets(engine) if k != "price_list"} == {""}  # every other kind: no target
