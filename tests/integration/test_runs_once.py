"""Writes that must happen once, run at the same time on parallel connections: one wins, the others
get a Conflict, and the books are as after one run (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, insert, inspect, select

from mutua.access.service import add_user
from mutua.billing import service as billing
from mutua.bootstrap import MIGRATIONS, unit_of_work
from mutua.charging import db as charging_db
from mutua.charging.service.close import TrueUpMode, close_period, true_up
from mutua.charging.service.reporting import association_report
from mutua.kernel.access import Role
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import Conflict
from mutua.platform.db.engine import alembic_config
from tests.integration import small


def at_once(runs: int, work: Callable[[], object]) -> list[str]:
    """Run ``work`` in ``runs`` threads released together (each its own unit of work, so its own
    connection); "ok", "conflict", or the unexpected error of each."""
    barrier = threading.Barrier(runs)
    outcomes: list[str] = []

    def run() -> None:
        barrier.wait()
        try:
            work()
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        except BaseException as exc:  # the test shows it
            outcomes.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return sorted(outcomes)


@pytest.fixture
def year_of_books(engine: Engine, tmp_path: Path) -> Engine:
    small.registry(engine, tmp_path)
    for p in months_of(2025):
        small.month(engine, tmp_path, str(p))
    return engine


@pytest.fixture
def closed_year(year_of_books: Engine) -> Engine:
    for p in months_of(2025):
        close_period(unit_of_work(year_of_books), p)
    return year_of_books


def test_three_true_ups_at_once_make_one_true_up_and_two_conflicts(closed_year: Engine) -> None:
    outcomes = at_once(3, lambda: true_up(unit_of_work(closed_year), 2025, TrueUpMode.SETTLE))
    assert outcomes == ["conflict", "conflict", "ok"]
    c = charging_db.charges
    with closed_year.connect() as conn:
        runs = conn.execute(
            select(func.count()).where(
                charging_db.close_runs.c.kind == "true_up", charging_db.close_runs.c.year == 2025
            )
        ).scalar_one()
        shares = conn.execute(select(func.count()).select_from(charging_db.true_up_shares)).scalar_one()
        settlements = conn.execute(
            select(c.c.member_id, c.c.engagement_id, c.c.service, func.count())
            .where(c.c.kind == "true_up")
            .group_by(c.c.member_id, c.c.engagement_id, c.c.service)
        ).all()
    assert runs == 1
    assert shares == 4  # P1, S1, C1, C2: once each
    assert settlements and all(n == 1 for *_, n in settlements)  # each member settled once
    report = association_report(unit_of_work(closed_year), 2025).as_json()
    assert report["zero_result"] is True and report["result"] == "0.00"


def test_the_database_itself_refuses_a_second_true_up_of_a_year(closed_year: Engine) -> None:
    december = Period(2025, 12)
    with unit_of_work(closed_year) as uow:
        model_id, _ = uow.costing.cost_model()
        uow.charging.add_run("true_up", december, model_id, ZERO, ZERO, "settle")
        with pytest.raises(Conflict, match="true-up of 2025"):
            uow.charging.add_run("true_up", december, model_id, ZERO, ZERO, "settle")


def test_four_closes_of_a_month_at_once_close_it_once(year_of_books: Engine) -> None:
    january = Period(2025, 1)
    outcomes = at_once(4, lambda: close_period(unit_of_work(year_of_books), january))
    assert outcomes == ["conflict", "conflict", "conflict", "ok"]
    with year_of_books.connect() as conn:
        runs = conn.execute(select(func.count()).where(charging_db.close_runs.c.kind == "close")).scalar_one()
        charged = conn.execute(
            select(func.sum(charging_db.charges.c.amount)).where(charging_db.charges.c.period_key == january.key)
        ).scalar_one()
    assert runs == 1
    assert Decimal(charged) == Decimal("3824.25")  # as after one close


def test_two_corrections_of_one_invoice_at_once_issue_one_and_leave_no_gap(closed_year: Engine) -> None:
    billing.issue_period_invoices(unit_of_work(closed_year), Period(2025, 1), date(2025, 2, 1))
    outcomes = at_once(
        2, lambda: billing.issue_correction(unit_of_work(closed_year), "2025-000001", "wrong", date(2025, 2, 15))
    )
    assert outcomes == ["conflict", "ok"]
    docs = billing.list_documents(unit_of_work(closed_year))
    assert [d.number for d in docs] == ["2025-000001", "2025-000002", "2025-000003"]  # gapless


def test_three_users_of_one_name_created_at_once_make_one_account_and_two_conflicts(engine: Engine) -> None:
    outcomes = at_once(
        3, lambda: add_user(unit_of_work(engine), "marie", Role.CONTROLLER, password="plum garden ferry 7342")
    )
    assert outcomes == ["conflict", "conflict", "ok"]
    with unit_of_work(engine) as uow:
        assert [a.username for a in uow.accounts.all()] == ["marie"]


def test_a_username_taken_in_the_database_is_a_conflict_not_a_database_error(engine: Engine) -> None:
    add_user(unit_of_work(engine), "marie", Role.CONTROLLER, password="plum garden ferry 7342")
    with unit_of_work(engine) as uow:
        account = uow.accounts.get("marie")
        assert account is not None
        with pytest.raises(Conflict, match="exists already"):
            uow.accounts.add(account)  # past the service's check, as a concurrent creation is


def test_an_existing_database_upgrades_to_the_unique_true_up_and_refuses_a_year_trued_up_twice(
    closed_year: Engine,
) -> None:
    from alembic import command

    true_up(unit_of_work(closed_year), 2025)
    with closed_year.begin() as connection:
        command.downgrade(alembic_config(MIGRATIONS, connection), "charging@base")
    assert "uq_close_runs_true_up_year" not in {i["name"] for i in inspect(closed_year).get_indexes("close_runs")}
    runs = charging_db.close_runs
    with closed_year.begin() as connection:  # a second true-up, as the old version let through
        row = connection.execute(select(runs).where(runs.c.kind == "true_up")).one()._asdict()
        del row["id"]
        second = connection.execute(insert(runs).values(row)).inserted_primary_key[0]  # type: ignore[index]
    with pytest.raises(RuntimeError, match="true-up of 2025 ran more than once"), closed_year.begin() as connection:
        command.upgrade(alembic_config(MIGRATIONS, connection), "heads")
    with closed_year.begin() as connection:
        connection.execute(delete(runs).where(runs.c.id == second))
        command.upgrade(alembic_config(MIGRATIONS, connection), "heads")
    assert "uq_close_runs_true_up_year" in {i["name"] for i in inspect(closed_year).get_indexes("close_runs")}
