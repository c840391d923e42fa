"""Every amount, quantity and hour has a bound checked at import (mutua.kernel.bounds), and a year
of books at the bounds closes and trues up on SQLite and PostgreSQL: no sum overflows."""

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from mutua.bootstrap import unit_of_work
from mutua.charging.service import imports
from mutua.charging.service.close import close_period, true_up
from mutua.charging.service.reporting import association_report
from mutua.costing.service import import_cost_model
from mutua.kernel.bounds import MAX_AMOUNT, MAX_QUANTITY
from mutua.kernel.periods import months_of
from mutua.kernel.problems import Rejected
from mutua.registry import service as registry_service
from tests.integration import small
from tests.integration.small import A, B, write

HEADER = "entry_id,period,account,centre,amount,nd_vat,engagement,description\n"


def rejected(call, *args) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(Rejected) as info:
        call(*args)
    return [str(p) for p in info.value.problems]


def ledger_at_the_bound(period: str, lines: int = 1) -> str:
    """Every centre's costs at the bound (``lines`` each on DEV), VAT at the bound, income at the
    bound the other way."""
    rows = [f"B{period}-D{i},{period},620000,DEV,{MAX_AMOUNT},,,development at the bound" for i in range(lines)]
    rows += [
        f"B{period}-H,{period},620000,HR,{MAX_AMOUNT},,,salaries at the bound",
        f"B{period}-S,{period},620000,SEC,{MAX_AMOUNT},,S1,seconded at the bound",
        f"B{period}-V,{period},611000,VM,{MAX_AMOUNT},{MAX_AMOUNT},,licences and VAT at the bound",
        f"B{period}-I,{period},740000,,{MAX_AMOUNT},,,income at the bound",
    ]
    return HEADER + "\n".join(rows) + "\n"


def year_at_the_bound(engine: Engine, folder: Path, lines: int = 1) -> None:
    small.registry(engine, folder)
    for p in months_of(2025):
        imports.import_ledger(
            unit_of_work(engine), write(folder, f"ledger-{p}.csv", ledger_at_the_bound(str(p), lines))
        )
        imports.import_time_sheets(unit_of_work(engine), write(folder, f"time-{p}.csv", small.time_sheet(str(p))))
        usage = small.usage(str(p), a=str(MAX_QUANTITY), b=str(MAX_QUANTITY))
        imports.import_usage(unit_of_work(engine), write(folder, f"usage-{p}.csv", usage))
    for p in months_of(2025):
        close_period(unit_of_work(engine), p)


def test_an_amount_past_the_bound_is_refused_at_import_with_its_line_and_field(engine: Engine, tmp_path: Path) -> None:
    small.registry(engine, tmp_path)
    text = (
        HEADER
        + "X1,2025-01,620000,DEV,92233720368547758.07,,,the largest BIGINT in cents\n"
        + "X2,2025-01,620000,DEV,12345678901234567890,,,twenty digits\n"
        + "X3,2025-01,620000,DEV,-100000000.01,,,a cent past the bound the other way\n"
        + "X4,2025-01,611000,VM,10.00,100000000.01,,VAT past the bound\n"
        + "X5,2025-01,620000,DEV,1e30,,,an exponent\n"
    )
    problems = rejected(imports.import_ledger, unit_of_work(engine), write(tmp_path, "ledger.csv", text))
    assert [p.split(": ")[0:2] for p in problems] == [
        [f"{tmp_path / 'ledger.csv'}:2", "amount"],
        [f"{tmp_path / 'ledger.csv'}:3", "amount"],
        [f"{tmp_path / 'ledger.csv'}:4", "amount"],
        [f"{tmp_path / 'ledger.csv'}:5", "nd_vat"],
        [f"{tmp_path / 'ledger.csv'}:6", "amount"],
    ], problems
    assert all("beyond the bound of 100,000,000.00" in p for p in problems), problems


def test_quantities_budgets_commitments_and_tariffs_past_their_bounds_are_refused(
    engine: Engine, tmp_path: Path
) -> None:
    small.registry(engine, tmp_path)
    usage = small.usage("2025-01", a=str(MAX_QUANTITY + 1), b="99999999999999999999")
    problems = rejected(imports.import_usage, unit_of_work(engine), write(tmp_path, "usage.csv", usage))
    assert [p.split(": ")[1] for p in problems] == ["quantity", "quantity"], problems
    commitments = "engagement,period,amount,description\nP1,2025-01,100000000.01,too much\n"
    problems = rejected(
        registry_service.import_commitments, unit_of_work(engine), write(tmp_path, "c.csv", commitments)
    )
    assert problems == [
        f"{tmp_path / 'c.csv'}:2: amount: 100000000.01 is beyond the bound of 100,000,000.00 "
        "(see the README's bounds of imported values)"
    ]
    engagements = small.ENGAGEMENTS.replace("20000.00", "100000000.01").replace("P1,", "P9,")
    problems = rejected(
        registry_service.import_engagements, unit_of_work(engine), write(tmp_path, "e.csv", engagements)
    )
    assert any(":2: budget: 100000000.01 is beyond the bound" in p for p in problems), problems
    model = small.MODEL.replace('price: "0.5"', 'price: "10000.01"').replace('version: "1"', 'version: "2"')
    problems = rejected(import_cost_model, unit_of_work(engine), write(tmp_path, "model2.yaml", model))
    assert any("tariffs[2].price: 10000.01 is beyond the bound of 10,000" in p for p in problems), problems


def test_a_year_of_books_at_the_bounds_closes_and_trues_up_without_overflow(engine: Engine, tmp_path: Path) -> None:
    year_at_the_bound(engine, tmp_path)
    result = true_up(unit_of_work(engine), 2025)
    # a year of DEV, HR, SEC and VM costs and VAT at the bound, less income at the bound: 4 x 12 x 10^8
    assert result.total_cost == 12 * 4 * MAX_AMOUNT
    assert result.result == 0
    report = association_report(unit_of_work(engine), 2025).as_json()
    assert Decimal(report["total_cost"]) == result.total_cost, report
    assert set(result.per_member) == {A, B}


def test_a_true_up_past_what_a_charge_holds_is_refused_naming_the_engagement_not_an_overflow(
    engine: Engine, tmp_path: Path
) -> None:
    year_at_the_bound(engine, tmp_path, lines=10)  # P1's settlement: over 12 x 10 x 10^8 EUR
    problems = rejected(true_up, unit_of_work(engine), 2025)
    assert any(p.startswith("true-up of 2025: engagement P1: the HOURS charge of ") for p in problems), problems
