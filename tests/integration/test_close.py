"""The close end to end on a small association, on SQLite and PostgreSQL."""

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from mutua.bootstrap import unit_of_work
from mutua.charging import db as charging_db
from mutua.charging.service.close import TrueUpMode, close_period, close_status, true_up
from mutua.charging.service.reporting import association_report, member_statement
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import Conflict
from mutua.platform.db import schema
from tests.integration import small
from tests.integration.small import A, B


@pytest.fixture
def year_of_books(engine: Engine, tmp_path: Path) -> Engine:
    small.registry(engine, tmp_path)
    for p in months_of(2025):
        small.month(engine, tmp_path, str(p))
    return engine


def close_year(engine: Engine) -> None:
    for p in months_of(2025):
        close_period(unit_of_work(engine), p)


def test_a_month_is_charged_at_the_years_tariffs(year_of_books: Engine) -> None:
    result = close_period(unit_of_work(year_of_books), Period(2025, 1))
    # P1: 11.6 h senior x 90 + 8 h junior x 60; S1: 2000 x 1.05; C1: 100 x 0.5; C2: 300.5 x 0.5
    assert result.total_charged == Decimal("1044.00") + Decimal("480.00") + Decimal("2100.00") + Decimal(
        "50.00"
    ) + Decimal("150.25")
    assert result.direct_cost == Decimal("6505.00")  # 6,500 of costs + 105 VAT not deductible - 100 income
    statement = member_statement(unit_of_work(year_of_books), A, Period(2025, 1)).as_json()
    lines = {(e["engagement"], ln["detail"]): ln for e in statement["engagements"] for ln in e["lines"]}
    assert lines[("P1", "senior")]["quantity"] == "11.600000" and lines[("P1", "senior")]["amount"] == "1044.00"
    assert {e["engagement"] for e in statement["engagements"]} == {"P1", "C1"}  # never another member's


def test_periods_are_closed_once_and_in_order(year_of_books: Engine) -> None:
    with pytest.raises(Conflict, match="close 2025-01 first"):
        close_period(unit_of_work(year_of_books), Period(2025, 2))
    close_period(unit_of_work(year_of_books), Period(2025, 1))
    with pytest.raises(Conflict, match="already closed"):
        close_period(unit_of_work(year_of_books), Period(2025, 1))
    status = close_status(unit_of_work(year_of_books), 2025).as_json()
    assert [p["status"] for p in status["periods"]][:2] == ["closed", "open"]


def test_the_true_up_needs_every_month_closed(year_of_books: Engine) -> None:
    close_period(unit_of_work(year_of_books), Period(2025, 1))
    with pytest.raises(Conflict, match="still open: 2025-02"):
        true_up(unit_of_work(year_of_books), 2025)


def test_the_true_up_settles_each_member_so_the_year_ends_at_zero(year_of_books: Engine) -> None:
    close_year(year_of_books)
    result = true_up(unit_of_work(year_of_books), 2025)
    # Year: DEV 12 x (3000 + 3/5 of 900) = 42,480; SEC 12 x (2000 + 180) = 26,160; VM 12 x (605 + 180) = 9,420
    assert result.total_cost == Decimal("78060.00")
    assert result.total_charged == Decimal("12") * Decimal("3824.25")
    shares = {(s.engagement, s.service): s.actual for s in result.allocation.shares}
    assert shares[("P1", "HOURS")] == Decimal("42480.00")
    assert shares[("S1", "SECOND")] == Decimal("26160.00")
    # VM by usage: C1 1,200 of 4,806 VM-hours
    assert shares[("C1", "VMH")] == Decimal("2352.06") and shares[("C2", "VMH")] == Decimal("7067.94")
    assert result.per_member[A] == Decimal("42480.00") - Decimal("18288.00") + Decimal("2352.06") - Decimal("600.00")
    assert result.result == Decimal("0.00")
    report = association_report(unit_of_work(year_of_books), 2025).as_json()
    assert report["zero_result"] is True and report["result"] == "0.00"
    assert report["total_revenue"] == report["total_cost"] == "78060.00"
    assert all(s["result"] == "0.00" for s in report["services"])
    with pytest.raises(Conflict, match="already run"):
        true_up(unit_of_work(year_of_books), 2025)


def test_carrying_forward_keeps_the_balance_for_next_years_tariffs(year_of_books: Engine) -> None:
    close_year(year_of_books)
    result = true_up(unit_of_work(year_of_books), 2025, TrueUpMode.CARRY_FORWARD)
    carried = sum(result.carried.values())
    assert carried == result.total_charged - result.total_cost
    report = association_report(unit_of_work(year_of_books), 2025).as_json()
    assert Decimal(report["result"]) == carried and report["zero_result"] is True
    with year_of_books.connect() as c:
        kinds = {r.kind for r in c.execute(select(charging_db.charges.c.kind))}
    assert kinds == {"provisional"}  # nothing invoiced: the balance moves to next year's tariffs


def test_the_statement_projects_to_year_end_from_run_rate_and_commitments(
    year_of_books: Engine, tmp_path: Path
) -> None:
    from mutua.registry.service import import_commitments

    import_commitments(
        unit_of_work(year_of_books),
        small.write(tmp_path, "commitments.csv", "engagement,period,amount,description\nP1,2025-11,5000.00,Go-live\n"),
    )
    for p in months_of(2025)[:6]:
        close_period(unit_of_work(year_of_books), p)
    statement = member_statement(unit_of_work(year_of_books), A, Period(2025, 6)).as_json()
    p1 = next(e for e in statement["engagements"] if e["engagement"] == "P1")
    assert p1["to_date"] == "9144.00"  # 6 x 1,524
    assert p1["run_rate"] == "1524.00"
    assert p1["projection"] == str(Decimal("9144.00") + 6 * Decimal("1524.00") + Decimal("5000.00"))
    assert p1["budget"] == "20000.00" and p1["projection_over_budget"] is True
    other = member_statement(unit_of_work(year_of_books), B, Period(2025, 6)).as_json()
    assert {e["engagement"] for e in other["engagements"]} == {"S1", "C2"}


def test_every_close_and_true_up_is_in_the_audit_trail(year_of_books: Engine) -> None:
    close_year(year_of_books)
    true_up(unit_of_work(year_of_books), 2025)
    with year_of_books.connect() as c:
        rows = [(r.action, r.entity, r.entity_key) for r in c.execute(select(schema.audit_log))]
    assert sum(1 for a, e, _ in rows if (a, e) == ("close", "period")) == 12
    assert sum(1 for a, e, _ in rows if (a, e) == ("lock", "period")) == 12
    assert ("true_up", "year", "2025") in rows


def test_a_carried_balance_goes_into_next_years_tariffs(year_of_books: Engine, tmp_path: Path) -> None:
    from mutua.charging.service.tariffs import propose_next_year
    from mutua.costing.service import import_cost_model, tariffs_in_force

    close_year(year_of_books)
    result = true_up(unit_of_work(year_of_books), 2025, TrueUpMode.CARRY_FORWARD)
    proposal = propose_next_year(unit_of_work(year_of_books), 2025).as_json()
    tariffs = {t["service"]: t for t in proposal["tariffs"]}
    # VM: actual 9,420.00 less the over-recovery carried (charged 2,403.00 - 9,420.00 = -7,017.00 under-recovered)
    carried_vm = result.carried["VMH"]
    assert carried_vm == Decimal("2403.00") - Decimal("9420.00")
    assert tariffs["VMH"]["price"] == str(
        ((Decimal("9420.00") - carried_vm) / Decimal("4806")).quantize(Decimal("0.000001"))
    )
    # Time: the grade rates scale by (cost - carried) / charged
    factor = (Decimal("42480.00") - result.carried["HOURS"]) / Decimal("18288.00")
    assert tariffs["HOURS"]["grades"]["senior"] == str((Decimal("90.00") * factor).quantize(Decimal("0.01")))
    model_file = small.write(tmp_path, "model-2026.yaml", proposal["model"])
    import_cost_model(unit_of_work(year_of_books), model_file)
    in_force = {r.service: r.as_json()["tariff"] for r in tariffs_in_force(unit_of_work(year_of_books), 2026)}
    assert in_force["VMH"] == {"year": 2026, "service": "VMH", "price": tariffs["VMH"]["price"]}
