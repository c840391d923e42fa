"""The purchasing team's funding on SQLite and PostgreSQL: the commission statements written as a
ledger file, imported by the close's own ledger import, show in the association's report as other
income on the team's centre PUR against its cost; the funding figure sets them against that cost.
And the commands: ``mutua purchasing commissions ledger YEAR`` (to a file, to the standard output,
refused with the problem named and exit code 2), ``commissions YYYY-Qn`` as before, ``funding``."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mutua.bootstrap import cli as app
from mutua.bootstrap import migrate, unit_of_work
from mutua.charging.service import imports
from mutua.charging.service.close import close_period
from mutua.charging.service.reporting import association_report
from mutua.costing.service import import_cost_model
from mutua.kernel.periods import Period
from mutua.kernel.problems import Rejected
from mutua.platform.db.engine import make_engine
from mutua.platform.settings import sqlite_url
from mutua.purchasing.domain import Quarter
from mutua.purchasing.service import commissions, funding, orders
from mutua.registry import service as registry_service
from tests.small_model import A, B
from tests.unit.purchasing.test_purchasing_funding import PUR_MODEL
from tests.unit.purchasing.world import ENGAGEMENTS_CSV, MEMBERS_CSV, REF, join, load, write

D = Decimal
# The purchasing team's cost, January to April 2025 (its centre PUR), and the development hours its
# cost goes to (PUR's key: DEV, whose service HOURS shares it by the hours).
COSTS = "entry_id,period,account,centre,amount,nd_vat,engagement,description\n" + "".join(
    f"PUR-{m},2025-{m:02d},620000,PUR,20000.00,,,Purchasing team\n" for m in range(1, 5)
)
HOURS = "person,grade,engagement,date,hours\n" + "".join(f"P1,senior,P1,2025-{m:02d}-06,7.60\n" for m in range(1, 5))


def _world(uow: Any, folder: Path) -> None:
    """The small association with PUR; orders of 3,600.00 (ACME, 1.5 %) and 950.00 (BETA) placed in 2025-Q1."""
    import_cost_model(uow, write(folder, "model.yaml", PUR_MODEL))
    registry_service.import_members(uow, write(folder, "members.csv", MEMBERS_CSV))
    registry_service.import_engagements(uow, write(folder, "engagements.csv", ENGAGEMENTS_CSV))
    load(uow, folder)
    join(uow, A)
    join(uow, B)
    for member, supplier, code, day in ((A, "ACME", "LT-14", date(2025, 2, 3)), (B, "BETA", "B-14", date(2025, 3, 3))):
        n = orders.draft_order(
            uow, member, REF, 1, supplier, [(code, D(4 if supplier == "ACME" else 1))], on=day, cascade_reason="test"
        ).order.number
        orders.approve_order(uow, member, n, on=day)
        orders.place_order(uow, member, n, on=day)


def test_the_commissions_reach_the_books_and_the_report_as_income_on_the_purchasing_centre(
    engine: Engine, tmp_path: Path
) -> None:
    uow = unit_of_work(engine, "purchasing-test")
    _world(uow, tmp_path)
    made = commissions.compute_commissions(uow, Quarter(2025, 1), on=date(2025, 4, 2))
    commission = sum((v.statement.commission for v in made), D(0))
    assert commission == D("68.25")  # at lot 1's rate of 1.5 %: ACME 3,600.00 -> 54.00, BETA 950.00 -> 14.25
    ledger = funding.commission_ledger(uow, 2025)
    assert ledger.total == commission and {str(ln.period) for ln in ledger.lines} == {"2025-04"}
    imports.import_ledger(uow, write(tmp_path, "costs.csv", COSTS))
    imports.import_time_sheets(uow, write(tmp_path, "hours.csv", HOURS))
    imports.import_ledger(uow, write(tmp_path, "commissions-2025.csv", ledger.csv()))
    for month in range(1, 5):
        close_period(uow, Period(2025, month))
    report = association_report(uow, 2025)
    (pur,) = [c for c in report.centres if c.centre == "PUR"]
    assert (pur.cost, pur.income, pur.direct) == (D("80000.00"), commission, D("80000.00") - commission)
    assert pur.passed_on == pur.direct + pur.received and pur.after_allocation == 0
    assert report.other_income == commission
    funded = funding.purchasing_funding(uow, 2025)
    assert (funded.cost_year, funded.cost_months, funded.cost, funded.income) == (2025, 4, D("80000.00"), commission)
    assert funded.coverage == D("0.1")  # 68.25 / 80,000.00
    with pytest.raises(Rejected, match="commission ledger of 2025"):  # booked once: nothing new to write
        funding.commission_ledger(uow, 2025)


def test_the_commission_ledger_command_writes_refuses_and_feeds_the_report(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path))
    migrate(engine)
    _world(unit_of_work(engine), tmp_path)
    runner = CliRunner()

    def mutua(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["--data-dir", str(tmp_path), *args])
        return result.exit_code, result.output

    code, output = mutua("purchasing", "commissions", "ledger", "2025")
    assert code == 2 and "no commission statement was issued in 2025" in output
    code, output = mutua("purchasing", "commissions", "2025-Q1", "--on", "2025-04-02")  # as before the group
    assert code == 0 and "COM-2025-000001" in output, output
    code, output = mutua("purchasing", "commissions", "ledger", "2025", "--centre", "NOPE", "--account", "613000")
    assert code == 2, output
    assert "centre: unknown cost centre 'NOPE'" in output and "account 613000 is no income account" in output
    code, output = mutua("purchasing", "commissions", "ledger", "2025")  # to the standard output
    assert code == 0 and output.splitlines()[0] == "entry_id,period,account,centre,amount,nd_vat,engagement,description"
    target = tmp_path / "commissions-2025.csv"
    code, output = mutua("purchasing", "commissions", "ledger", "2025", "-o", str(target), "--json")
    assert code == 0, output
    written = json.loads(output)
    assert [(ln["entry_id"], ln["period"], ln["account"], ln["centre"]) for ln in written["lines"]] == [
        ("COM:COM-2025-000001", "2025-04", "743100", "PUR"),
        ("COM:COM-2025-000002", "2025-04", "743100", "PUR"),
    ]
    assert target.read_text(encoding="utf-8") == mutua("purchasing", "commissions", "ledger", "2025")[1]
    assert mutua("import", "ledger", str(write(tmp_path, "costs.csv", COSTS)))[0] == 0
    assert mutua("import", "time", str(write(tmp_path, "hours.csv", HOURS)))[0] == 0
    code, output = mutua("import", "ledger", str(target))
    assert code == 0, output
    code, output = mutua("purchasing", "commissions", "ledger", "2025", "-o", str(target))
    assert code == 2 and "every commission statement issued in 2025 is in the ledger already" in output
    for month in range(1, 5):
        assert mutua("close", f"2025-{month:02d}")[0] == 0
    code, output = mutua("report", "2025", "--json")
    assert code == 0, output
    (pur,) = [c for c in json.loads(output)["centres"] if c["centre"] == "PUR"]
    assert (pur["cost"], pur["income"], pur["direct"]) == (
        "80000.00",
        written["total"],
        str(D(80000) - D(written["total"])),
    )
    code, output = mutua("purchasing", "funding", "--year", "2025", "--json")
    assert code == 0 and json.loads(output)["coverage_pct"] == "0.1" and json.loads(output)["cost"] == "80000.00"
    code, output = mutua("purchasing", "alerts", "--on", "2025-06-01")
    assert code == 0 and "funding  2025: commission income 68.25 EUR (2 statements) against PUR's cost" in output
