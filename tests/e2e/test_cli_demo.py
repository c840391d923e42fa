"""The demo through the `mutua` command, as a user runs it, on SQLite and on PostgreSQL."""

import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from mutua.bootstrap import cli as app
from mutua.platform.db.engine import make_engine
from tests.conftest import POSTGRES_URL

SHARES_2018 = {
    "development": Decimal("17.4"),
    "infrastructure": Decimal("23.5"),
    "secondment": Decimal("28.8"),
    "consultancy": Decimal("30.3"),
}
GROUPS_2018 = {"social_security": Decimal("64.2"), "federal_public_service": Decimal("6.4"), "other": Decimal("29.4")}
runner = CliRunner()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Global options pointing at a database holding the demo year 2025."""
    data_dir = tmp_path_factory.mktemp("demo")
    options = ["--data-dir", str(data_dir)]
    schema = None
    if request.param == "postgresql":
        from tests.conftest import _PG_PROBLEM, IN_CI

        if _PG_PROBLEM is not None:
            (pytest.fail if IN_CI else pytest.skip)(f"PostgreSQL not reachable: {_PG_PROBLEM}")
        schema = f"demo_{uuid.uuid4().hex[:10]}"
        admin = make_engine(POSTGRES_URL)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        options += ["--database-url", f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"]
    result = runner.invoke(app, [*options, "demo", "--json"])
    assert result.exit_code == 0, result.output
    yield options
    if schema is not None:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run_json(options: list[str], *args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, [*options, *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_demo_reports_the_2018_shares_within_two_points_and_a_zero_result(demo: list[str]) -> None:
    report = run_json(demo, "report", "2025")
    assert report["periods_closed"] == 12 and report["true_up"] == "settle"
    assert report["zero_result"] is True and report["result"] == "0.00"
    assert Decimal(report["total_revenue"]) == Decimal(report["total_cost"])
    assert abs(Decimal(report["total_revenue"]) - Decimal("321649376")) / Decimal("321649376") < Decimal("0.02")
    for row in report["revenue_by_activity"]:
        assert abs(Decimal(row["share_pct"]) - SHARES_2018[row["activity"]]) <= 2, row
    for row in report["revenue_by_client_group"]:
        assert abs(Decimal(row["share_pct"]) - GROUPS_2018[row["client_group"]]) <= 2, row
    after = sum(Decimal(c["after_allocation"]) for c in report["centres"])
    assert after == Decimal(report["total_cost"])
    assert all(Decimal(c["after_allocation"]) == 0 for c in report["centres"] if c["kind"] == "support")


def test_a_members_statement_comes_as_json_and_csv(demo: list[str]) -> None:
    members = Path(demo[1]) / "demo-input" / "members.csv"
    number = members.read_text().splitlines()[1].split(",")[0]
    statement = run_json(demo, "statement", "--member", number, "--period", "2025-06")
    assert statement["member"]["enterprise_number"] == number
    assert statement["engagements"], "the biggest member has engagements"
    total = sum(Decimal(e["period_total"]) for e in statement["engagements"])
    assert total == Decimal(statement["period_total"])
    result = runner.invoke(app, [*demo, "statement", "--member", number, "--period", "2025-06", "--csv"])
    rows = result.stdout.strip().splitlines()
    assert rows[0] == "engagement,title,service,detail,quantity,unit,unit_price,amount"
    assert sum(Decimal(r.rsplit(",", 1)[1]) for r in rows[1:]) == total


def test_bad_input_through_the_command_exits_non_zero_and_changes_nothing(demo: list[str], tmp_path: Path) -> None:
    before = run_json(demo, "report", "2025")
    bad = tmp_path / "ledger.csv"
    bad.write_text("entry_id,period,account,centre,amount\nX1,2025-03,620000,DEV,12.345\nX2,2025-03,620000,DEV,1\n")
    result = runner.invoke(app, [*demo, "import", "ledger", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2: amount: '12.345' has more than 2 decimals" in result.output
    assert f"{bad}:3: period: period 2025-03 is closed" in result.output
    result = runner.invoke(app, [*demo, "close", "2025-03"])
    assert result.exit_code == 1 and "already closed" in result.output
    assert run_json(demo, "report", "2025") == before


def test_the_cost_model_exports_and_validates(demo: list[str], tmp_path: Path) -> None:
    target = tmp_path / "model.yaml"
    assert runner.invoke(app, [*demo, "model", "export", str(target)]).exit_code == 0
    result = runner.invoke(app, ["model", "validate", str(target)])
    assert result.exit_code == 0 and "valid" in result.output
    target.write_text(target.read_text().replace("kind: support", "kind: suport", 1))
    result = runner.invoke(app, ["model", "validate", str(target)])
    assert result.exit_code == 2 and "'suport' is not one of" in result.output


def test_the_demo_and_only_the_demo_creates_the_demo_accounts(demo: list[str]) -> None:
    listed = runner.invoke(app, [*demo, "users", "list"])
    assert listed.exit_code == 0, listed.output
    assert {"admin", "controller", "auditor", "owner", "member"} <= set(listed.output.split())


def test_the_demo_leaves_january_of_next_year_waiting_for_the_close(demo: list[str]) -> None:
    from mutua.bootstrap import open_engine, unit_of_work
    from mutua.charging.service.review import preview_close
    from mutua.kernel.periods import Period
    from mutua.platform.settings import Settings

    status = run_json(demo, "status", "2026")
    assert [p["status"] for p in status["periods"]] == ["open"] * 12 and status["true_up"] is None
    tariffs = run_json(demo, "tariffs", "list", "2026")
    assert tariffs and all(t["tariff"] is not None for t in tariffs)  # adopted from 2025's actual cost
    options = dict(zip(demo[::2], demo[1::2], strict=True))
    settings = Settings(data_dir=Path(options["--data-dir"]), database_url=options.get("--database-url"))
    engine = open_engine(settings, migrate_schema=False)
    try:
        review = preview_close(unit_of_work(engine, "ctrl"), Period(2026, 1))
    finally:
        engine.dispose()
    assert review.can_lock and review.charges > 1000 and review.members > 200
    assert review.direct_cost > 0 and review.total_charged > 0
    # other income is booked where it is earned and shown as income: no centre shows a negative cost
    report = run_json(demo, "report", "2025")
    assert Decimal(report["other_income"]) > 0
    assert Decimal(report["gross_cost"]) - Decimal(report["other_income"]) == Decimal(report["total_cost"])
    for c in report["centres"]:
        assert Decimal(c["direct"]) > 0 and Decimal(c["income"]) >= 0, c
        assert Decimal(c["cost"]) - Decimal(c["income"]) == Decimal(c["direct"])
        assert Decimal(c["direct"]) + Decimal(c["received"]) - Decimal(c["passed_on"]) == Decimal(c["after_allocation"])
    fin = next(c for c in report["centres"] if c["centre"] == "FIN")
    assert Decimal(fin["income"]) == 0 and Decimal(fin["received"]) > 0  # step-down: FIN receives from FAC, HR, ICTW
