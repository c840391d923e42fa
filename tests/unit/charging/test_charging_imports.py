"""The close's input files on in-memory repositories: each loads whole under one batch, or writes
nothing and names every problem by file, line and field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.fakes import FakeUnitOfWork
from tests.unit.charging.small import A, B, association, import_month, ledger, time_sheet, usage

from mutua.charging.domain import LedgerLine
from mutua.charging.service import close as service
from mutua.charging.service import imports
from mutua.kernel.access import Action, Permission, permission_of
from mutua.kernel.periods import Period
from mutua.kernel.problems import Rejected


def problems_of(call, *args) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(Rejected) as info:
        call(*args)
    return [str(p) for p in info.value.problems]


def nothing_written(uow: FakeUnitOfWork) -> bool:
    c = uow.charging
    return c.ledger == [] and c.time == [] and c.usage == [] and uow.batches.batches == []


def test_a_ledger_loads_whole_under_one_batch_with_income_negative_and_default_centres() -> None:
    uow = association()
    result = imports.import_ledger_text(uow, ledger("2025-01"), "ledger.csv")
    assert (result.kind, result.rows, result.batch_id) == ("ledger", 5, 1)
    assert {batch for batch, _ in uow.charging.ledger} == {1}
    lines = {ln.entry_id: ln for _, ln in uow.charging.ledger}
    assert lines["L2025-01-3"] == LedgerLine(
        "L2025-01-3", Period(2025, 1), "620000", "SEC", Decimal("2000.00"), Decimal(0), "S1", "Seconded staff"
    )
    assert (lines["L2025-01-5"].centre, lines["L2025-01-5"].amount) == ("HR", Decimal("-100.00"))  # income
    assert lines["L2025-01-4"].nd_vat == Decimal("105.00")
    assert [(kind, source, rows) for kind, source, _, rows in uow.batches.batches] == [("ledger", "ledger.csv", 5)]


def test_a_ledger_with_problems_names_each_and_writes_nothing() -> None:
    uow = association()
    text = ledger("2025-01").replace("611000,VM", "690000,VM").replace("620000,DEV", "620000,DEVX")
    text = text.replace("620000,DEVX,3000.00,,,", "620000,DEVX,3000.00,,P1,")
    assert problems_of(imports.import_ledger_text, uow, text, "ledger.csv") == [
        "ledger.csv:3: centre: unknown cost centre 'DEVX'",
        "ledger.csv:3: engagement: P1 is not charged at real cost: costs cannot be booked on it",
        "ledger.csv:5: account: unknown account 690000 (not in the cost model)",
    ]
    assert nothing_written(uow) and not uow.committed


def test_the_same_file_is_imported_once_and_a_known_entry_is_named() -> None:
    uow = association()
    imports.import_ledger_text(uow, ledger("2025-01"), "ledger.csv")
    again = problems_of(imports.import_ledger_text, uow, ledger("2025-01"), "ledger.csv")
    assert again == ["ledger.csv: already imported (batch 1)"]  # one problem, not one per row
    renamed = ledger("2025-01").replace("L2025-01-3", "L2025-01-9")
    assert "other.csv:2: entry_id: entry L2025-01-1 was already imported" in problems_of(
        imports.import_ledger_text, uow, renamed, "other.csv"
    )
    assert len(uow.charging.ledger) == 5


def test_nothing_is_imported_into_a_closed_month() -> None:
    uow = association()
    import_month(uow, "2025-01")
    service.close_period(uow, Period(2025, 1))
    late = problems_of(imports.import_ledger_text, uow, ledger("2025-01", prefix="LATE"), "late.csv")
    assert len(late) == 5 and all("period: period 2025-01 is closed" in p for p in late)
    late_time = problems_of(imports.import_time_sheets_text, uow, time_sheet("2025-01").replace("ann", "dan"), "t.csv")
    assert sum("period 2025-01 is closed" in p for p in late_time) == 3


def test_hours_already_booked_are_named_on_their_own_line_after_an_unknown_engagement() -> None:
    uow = association()
    imports.import_time_sheets_text(uow, time_sheet("2025-01"), "time.csv")
    text = "person,grade,engagement,date,hours\ncarl,senior,NOPE,2025-01-06,2\nann,senior,P1,2025-01-02,1.00\n"
    assert problems_of(imports.import_time_sheets_text, uow, text, "more.csv") == [
        "more.csv:2: engagement: unknown engagement 'NOPE'",
        "more.csv:3: date: ann already has hours on this engagement on 2025-01-02",
    ]


def test_a_grade_without_a_rate_and_hours_on_a_non_time_engagement_are_refused() -> None:
    uow = association()
    text = time_sheet("2025-01").replace("bob,junior", "bob,intern") + "carl,senior,C1,2025-01-06,2\n"
    assert problems_of(imports.import_time_sheets_text, uow, text, "time.csv") == [
        "time.csv:3: grade: grade 'intern' has no 2025 cost rate for HOURS",
        "time.csv:5: engagement: C1 is not charged by time: hours cannot be booked on it",
    ]
    assert nothing_written(uow)


def test_usage_is_refused_for_another_members_engagement_and_when_imported_twice() -> None:
    uow = association()
    wrong = usage("2025-01").replace(f"{A},C1", f"{B},C1")
    assert problems_of(imports.import_usage_text, uow, wrong, "usage.csv") == [
        f"usage.csv:2: member: C1 belongs to member {A}, not {B}"
    ]
    imports.import_usage_text(uow, usage("2025-01"), "usage.csv")
    again = usage("2025-01").replace("300.5", "300.6")
    assert problems_of(imports.import_usage_text, uow, again, "again.csv") == [
        "again.csv:2: period: usage of VMH by C1 in 2025-01 was already imported",
        "again.csv:3: period: usage of VMH by C2 in 2025-01 was already imported",
    ]
    assert [(u.engagement, u.quantity, u.source) for _, u in uow.charging.usage] == [
        ("C1", Decimal("100"), "import"),
        ("C2", Decimal("300.5"), "import"),
    ]


def test_the_close_input_files_are_the_controllers_to_import() -> None:
    for use_case in (imports.import_ledger_text, imports.import_time_sheets_text, imports.import_usage_text):
        assert permission_of(use_case) == Permission(Action.CLOSE)
