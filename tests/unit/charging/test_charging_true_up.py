"""The true-up of a year on in-memory repositories, and its settlement arithmetic as pure functions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.fakes import FakeUnitOfWork
from tests.unit.charging.small import A, B, association, import_month

from mutua.charging.domain import Share, TrueUpMode, settle, true_up_blockers
from mutua.charging.domain.trueup import adjustments_by_member, carried_balances, settlement_charges
from mutua.charging.service import close as service
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import Conflict


def closed_year() -> FakeUnitOfWork:
    uow = association()
    for p in months_of(2025):
        import_month(uow, str(p))
        service.close_period(uow, p)
    return uow


def test_settling_the_year_charges_each_difference_in_december_so_the_year_ends_at_zero() -> None:
    uow = closed_year()
    result = service.true_up(uow, 2025)
    # Year: DEV 12 x (3000 + 3/5 of 900) = 42,480; SEC 12 x (2000 + 180) = 26,160; VM 12 x (605 + 180) = 9,420
    assert result.total_cost == Decimal("78060.00")
    assert result.total_charged == 12 * Decimal("3824.25")
    assert result.result == Decimal("0.00")
    assert result.per_member[A] == Decimal("42480.00") - Decimal("18288.00") + Decimal("2352.06") - Decimal("600.00")
    december = [c for _, kind, c in uow.charging.written if kind == "true_up"]
    assert {c.period for c in december} == {Period(2025, 12)}
    assert sum(c.amount for c in december) == result.total_cost - result.total_charged
    assert uow.charging.carried == {}
    assert list(result.timings) == ["load", "check", "allocate support", "allocate actual", "settle", "write"]
    entry = uow.audit.recorded[-1]
    assert (entry["action"], entry["entity"], entry["entity_key"]) == ("true_up", "year", "2025")
    run = uow.charging.true_up_run(2025)
    assert run is not None and run.mode is TrueUpMode.SETTLE and run.actor == "ctrl"


def test_carrying_forward_keeps_each_services_balance_and_charges_nothing() -> None:
    uow = closed_year()
    result = service.true_up(uow, 2025, TrueUpMode.CARRY_FORWARD)
    assert sum(result.carried.values()) == result.total_charged - result.total_cost
    assert uow.charging.carry_forwards(2025) == result.carried
    assert [kind for _, kind, _ in uow.charging.written] == ["provisional"] * len(uow.charging.written)


def test_the_true_up_needs_every_month_closed_and_runs_once() -> None:
    uow = association()
    import_month(uow, "2025-01")
    service.close_period(uow, Period(2025, 1))
    with pytest.raises(Conflict, match="still open: 2025-02, 2025-03"):
        service.true_up(uow, 2025)
    assert uow.charging.shares == []
    uow = closed_year()
    service.true_up(uow, 2025)
    written = len(uow.charging.written)
    with pytest.raises(Conflict, match="was already run"):
        service.true_up(uow, 2025, TrueUpMode.CARRY_FORWARD)
    assert len(uow.charging.written) == written and uow.charging.carried == {}


def test_the_true_up_is_blocked_by_an_open_month_then_by_having_run() -> None:
    every_month = {p.key for p in months_of(2025)}
    assert true_up_blockers(2025, every_month, ran=False) == []
    assert true_up_blockers(2025, every_month - {202512}, ran=True) == [
        "the true-up of 2025 needs every month closed; still open: 2025-12",
        "the true-up of 2025 was already run; corrections are credit notes in an open period",
    ]


SHARES = [
    Share("P1", A, "HOURS", charged=Decimal("100.00"), actual=Decimal("130.00")),
    Share("C1", A, "VMH", charged=Decimal("50.00"), actual=Decimal("40.00")),
    Share("C2", B, "VMH", charged=Decimal("60.00"), actual=Decimal("60.00")),
]


def test_each_member_owes_its_actual_share_less_its_charges() -> None:
    assert adjustments_by_member(SHARES) == {A: Decimal("20.00"), B: Decimal("0.00")}


def test_settling_charges_one_december_line_per_share_that_differs() -> None:
    lines = settlement_charges(SHARES, Period(2025, 12))
    assert [(c.engagement, c.amount, c.detail, c.unit) for c in lines] == [
        ("P1", Decimal("30.00"), "true-up", "settlement"),
        ("C1", Decimal("-10.00"), "true-up", "settlement"),
    ]


def test_carrying_forward_keeps_each_services_charges_less_its_cost_when_not_zero() -> None:
    assert carried_balances(SHARES) == {"HOURS": Decimal("-30.00"), "VMH": Decimal("10.00")}


def test_a_settlement_either_charges_or_carries() -> None:
    settled = settle(SHARES, TrueUpMode.SETTLE, 2025)
    carried = settle(SHARES, TrueUpMode.CARRY_FORWARD, 2025)
    assert len(settled.charges) == 2 and settled.carried == {}
    assert carried.charges == () and carried.carried == {"HOURS": Decimal("-30.00"), "VMH": Decimal("10.00")}
    assert settled.per_member == carried.per_member


def test_every_close_and_the_true_up_take_the_closing_lock_and_a_year_has_one_true_up_run() -> None:
    uow = closed_year()
    assert uow.charging.locks_taken == 12  # one per close, before its checks
    service.true_up(uow, 2025)
    assert uow.charging.locks_taken == 13
    with pytest.raises(Conflict, match="true-up of 2025"):  # as the database's unique index refuses it
        uow.charging.add_run("true_up", Period(2025, 12), 1, Decimal(0), Decimal(0), "settle")
