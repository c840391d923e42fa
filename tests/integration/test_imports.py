"""Every import is a transaction: it loads whole, or names every problem and writes nothing."""

from pathlib import Path

import pytest
from sqlalchemy import Engine, Table, func, select

from mutua.bootstrap import unit_of_work
from mutua.charging import db as charging_db
from mutua.charging.service import imports
from mutua.charging.service.close import close_period
from mutua.costing.service import import_cost_model
from mutua.kernel.periods import Period
from mutua.kernel.problems import Rejected
from mutua.platform.db import schema
from mutua.registry import db as registry_db
from mutua.registry import service as registry_service
from tests.integration import small
from tests.integration.small import A, B, write


def count(engine: Engine, table: Table) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


def rejected(call, *args) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(Rejected) as info:
        call(*args)
    return [str(p) for p in info.value.problems]


@pytest.fixture
def registered(engine: Engine, tmp_path: Path) -> Engine:
    small.registry(engine, tmp_path)
    return engine


def test_a_good_month_loads_whole_and_is_audited(registered: Engine, tmp_path: Path) -> None:
    small.month(registered, tmp_path, "2025-01")
    assert count(registered, charging_db.ledger_lines) == 5
    assert count(registered, charging_db.time_entries) == 3
    assert count(registered, charging_db.usage) == 2
    with registered.connect() as c:
        actions = {(r.action, r.entity) for r in c.execute(select(schema.audit_log))}
    assert {
        ("import", "ledger"),
        ("import", "time"),
        ("import", "usage"),
        ("import", "members"),
        ("import", "engagements"),
        ("import", "cost_model"),
    } <= actions


def test_a_wrong_enterprise_number_is_named_by_line_and_field(engine: Engine, tmp_path: Path) -> None:
    import_cost_model(unit_of_work(engine), write(tmp_path, "model.yaml", small.MODEL))
    bad = small.MEMBERS.replace(B, "0406798007")
    problems = rejected(registry_service.import_members, unit_of_work(engine), write(tmp_path, "members.csv", bad))
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'members.csv'}:3: enterprise_number: not a valid Belgian enterprise")
    assert count(engine, registry_db.members) == 0


def test_a_member_registered_twice_is_refused_and_the_first_kept(registered: Engine, tmp_path: Path) -> None:
    problems = rejected(
        registry_service.import_members,
        unit_of_work(registered),
        write(tmp_path, "again.csv", small.MEMBERS.replace("Rijksdienst A", "Rijksdienst A again")),
    )
    assert any(f":2: enterprise_number: member {A} is already registered" in p for p in problems)
    assert count(registered, registry_db.members) == 2


def test_unknown_account_and_unknown_centre_refuse_the_whole_ledger(registered: Engine, tmp_path: Path) -> None:
    text = small.ledger("2025-01").replace("611000,VM", "690000,VM").replace("620000,DEV", "620000,DEVX")
    problems = rejected(imports.import_ledger, unit_of_work(registered), write(tmp_path, "ledger.csv", text))
    assert any(":5: account: unknown account 690000" in p for p in problems), problems
    assert any(":3: centre: unknown cost centre 'DEVX'" in p for p in problems), problems
    assert count(registered, charging_db.ledger_lines) == 0
    assert count(registered, schema.import_batches) == 2  # the members and engagements, not the ledger


def test_duplicate_ledger_lines_are_refused_in_a_file_and_across_files(registered: Engine, tmp_path: Path) -> None:
    text = small.ledger("2025-01")
    doubled = text + text.splitlines()[1] + "\n"
    problems = rejected(imports.import_ledger, unit_of_work(registered), write(tmp_path, "doubled.csv", doubled))
    assert any(":7: entry_id: duplicate entry_id: also on line 2" in p for p in problems), problems
    imports.import_ledger(unit_of_work(registered), write(tmp_path, "once.csv", text))
    problems = rejected(imports.import_ledger, unit_of_work(registered), write(tmp_path, "once.csv", text))
    # one problem, not one per line (batches 1 and 2 are the members and engagements)
    assert problems == [f"{tmp_path / 'once.csv'}: already imported (batch 3)"]
    renamed = text.replace("L2025-01-3", "L2025-01-9")
    problems = rejected(imports.import_ledger, unit_of_work(registered), write(tmp_path, "other.csv", renamed))
    assert any(":2: entry_id: entry L2025-01-1 was already imported" in p for p in problems)
    assert count(registered, charging_db.ledger_lines) == 5


def test_negative_hours_and_hours_on_a_non_time_engagement_are_refused(registered: Engine, tmp_path: Path) -> None:
    text = small.time_sheet("2025-01").replace("8.00", "-8.00") + "carl,senior,C1,2025-01-06,2\n"
    problems = rejected(imports.import_time_sheets, unit_of_work(registered), write(tmp_path, "time.csv", text))
    assert any(":3: hours: must not be negative" in p for p in problems), problems
    assert any(":5: engagement: C1 is not charged by time" in p for p in problems), problems
    assert count(registered, charging_db.time_entries) == 0


def test_a_grade_without_a_cost_rate_is_refused_at_import(registered: Engine, tmp_path: Path) -> None:
    text = small.time_sheet("2025-01").replace("bob,junior", "bob,intern")
    problems = rejected(imports.import_time_sheets, unit_of_work(registered), write(tmp_path, "time.csv", text))
    assert problems == [f"{tmp_path / 'time.csv'}:3: grade: grade 'intern' has no 2025 cost rate for HOURS"]


def test_malformed_csv_is_refused_with_the_line(registered: Engine, tmp_path: Path) -> None:
    text = 'member,engagement,service,period,quantity\n0203430576,C1,VMH,2025-01,"10\n'
    problems = rejected(imports.import_usage, unit_of_work(registered), write(tmp_path, "usage.csv", text))
    assert "malformed CSV" in problems[0] and "usage.csv:" in problems[0]
    short = "member,engagement,service,period,quantity\n0203430576,C1,VMH\n"
    problems = rejected(imports.import_usage, unit_of_work(registered), write(tmp_path, "short.csv", short))
    assert problems == [f"{tmp_path / 'short.csv'}:2: 3 fields where the header has 5"]
    wrong_header = "member,engagement,servise,period,quantity\n"
    problems = rejected(imports.import_usage, unit_of_work(registered), write(tmp_path, "header.csv", wrong_header))
    assert any(":1: servise: unknown column" in p for p in problems)
    assert any(":1: service: required column is missing" in p for p in problems)
    assert count(registered, charging_db.usage) == 0


def test_usage_for_another_members_engagement_is_refused(registered: Engine, tmp_path: Path) -> None:
    text = small.usage("2025-01").replace(f"{A},C1", f"{B},C1")
    problems = rejected(imports.import_usage, unit_of_work(registered), write(tmp_path, "usage.csv", text))
    assert problems == [f"{tmp_path / 'usage.csv'}:2: member: C1 belongs to member {A}, not {B}"]


def test_nothing_can_be_imported_into_a_locked_period(registered: Engine, tmp_path: Path) -> None:
    small.month(registered, tmp_path, "2025-01")
    close_period(unit_of_work(registered), Period(2025, 1))
    before = count(registered, charging_db.ledger_lines)
    problems = rejected(
        imports.import_ledger,
        unit_of_work(registered),
        write(tmp_path, "late.csv", small.ledger("2025-01", prefix="LATE")),
    )
    assert len(problems) == 5 and all("period: period 2025-01 is closed" in p for p in problems)
    problems = rejected(
        imports.import_time_sheets,
        unit_of_work(registered),
        write(tmp_path, "late-time.csv", small.time_sheet("2025-01").replace("ann", "dan")),
    )
    assert sum("period 2025-01 is closed" in p for p in problems) == 3
    problems = rejected(
        imports.import_usage,
        unit_of_work(registered),
        write(tmp_path, "late-usage.csv", small.usage("2025-01", a="101")),
    )
    assert sum("period 2025-01 is closed" in p for p in problems) == 2
    assert count(registered, charging_db.ledger_lines) == before


def test_a_real_cost_line_must_book_on_a_real_cost_engagement(registered: Engine, tmp_path: Path) -> None:
    text = small.ledger("2025-01").replace("620000,DEV,3000.00,,,", "620000,DEV,3000.00,,P1,")
    problems = rejected(imports.import_ledger, unit_of_work(registered), write(tmp_path, "ledger.csv", text))
    assert problems == [
        f"{tmp_path / 'ledger.csv'}:3: engagement: P1 is not charged at real cost: costs cannot be booked on it"
    ]
