"""The close: provisional charges for a month, then the month locked; the true-up of a year.

Both run a pipeline of named, timed stages (:class:`~mutua.charging.domain.Timings`); the stages
are the domain's pure functions, the service only loads their input and writes their output::

    close    load -> check -> charge -> validate -> write + lock        (domain.close)
    review   load -> check -> charge -> validate                        (review.py: nothing written)
    true-up  load -> check -> allocate support -> allocate actual -> settle -> write   (domain.trueup)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from mutua.charging.domain import (
    ActualAllocation,
    ActualBooks,
    ActualCost,
    CloseDraft,
    MonthBooks,
    Timings,
    TrueUpMode,
    TrueUpRun,
    allocate_actual_cost,
    draft_close,
    model_used,
    settle,
    true_up_blockers,
    unstorable,
)
from mutua.charging.ports import ChargingUnitOfWork
from mutua.costing.domain.allocation import SupportAllocation
from mutua.costing.domain.model import CostModel
from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import Conflict, Rejected

__all__ = [
    "CloseResult",
    "CloseStatus",
    "PeriodStatus",
    "Timings",
    "TrueUpMode",
    "TrueUpResult",
    "actual_cost",
    "close_period",
    "close_status",
    "load_month",
    "model_of",
    "true_up",
]


@dataclass(frozen=True)
class CloseResult:
    """A month closed.

    Attributes:
        period: the month.
        charges: the number of charges written.
        total_charged: their total.
        direct_cost: the month's direct cost in the ledger.
        timings: seconds per stage (load, check, charge, validate, write).
    """

    period: Period
    charges: int
    total_charged: Decimal
    direct_cost: Decimal
    timings: Mapping[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "period": str(self.period),
            "charges": self.charges,
            "total_charged": str(self.total_charged),
            "direct_cost": str(self.direct_cost),
            "timings": dict(self.timings),
        }


@dataclass(frozen=True)
class TrueUpResult:
    """The true-up of a year.

    Attributes:
        year: the year.
        mode: settled now, or carried forward.
        total_cost: the year's actual cost.
        total_charged: the year's provisional charges.
        allocation: the actual cost by engagement and service.
        support: the support allocation of the year.
        per_member: each member's adjustment (positive: the member owes it).
        carried: each service's balance carried into next year's tariffs (carry forward only).
        timings: seconds per stage (load, check, allocate support, allocate actual, settle, write).
    """

    year: int
    mode: TrueUpMode
    total_cost: Decimal
    total_charged: Decimal
    allocation: ActualAllocation
    support: SupportAllocation
    per_member: Mapping[str, Decimal]
    carried: Mapping[str, Decimal]
    timings: Mapping[str, float] = field(default_factory=dict)

    @property
    def result(self) -> Decimal:
        """The association's result for the year after the true-up (0.00 when settled)."""
        settled = sum(self.per_member.values(), ZERO) if self.mode is TrueUpMode.SETTLE else ZERO
        return self.total_charged + settled - self.total_cost

    @property
    def settlement_total(self) -> Decimal:
        return sum(self.per_member.values(), ZERO)

    @property
    def members_owing(self) -> int:
        return sum(1 for a in self.per_member.values() if a > 0)

    @property
    def members_refunded(self) -> int:
        return sum(1 for a in self.per_member.values() if a < 0)

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "mode": self.mode.value,
            "total_cost": str(self.total_cost),
            "total_charged": str(self.total_charged),
            "result": str(self.result),
            "members_owing": self.members_owing,
            "members_refunded": self.members_refunded,
            "settlement_total": str(self.settlement_total),
            "carried_forward": {k: str(v) for k, v in self.carried.items()},
        }


@dataclass(frozen=True, slots=True)
class PeriodStatus:
    period: Period
    closed: bool

    @property
    def status(self) -> str:
        return "closed" if self.closed else "open"


@dataclass(frozen=True)
class CloseStatus:
    """Which months of a year are closed, and the year's true-up (None until it runs)."""

    year: int
    periods: tuple[PeriodStatus, ...]
    true_up: TrueUpRun | None

    @property
    def next_open(self) -> Period | None:
        """The month to close next (months are closed in order), or None when all are."""
        return next((p.period for p in self.periods if not p.closed), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "periods": [{"period": str(p.period), "status": p.status} for p in self.periods],
            "true_up": None if self.true_up is None else self.true_up.as_json(),
        }


# -- loading the stages' input --------------------------------------------------------------------


def load_month(uow: ChargingUnitOfWork, period: Period) -> MonthBooks:
    """What the close of ``period`` reads (inside an open unit of work)."""
    model_id, model = uow.costing.cost_model(period.first_day)  # a model adopted from a later date: not yet
    return MonthBooks(
        period,
        model_id,
        model,
        frozenset(uow.charging.closed_periods()),
        tuple(uow.registry.engagements()),
        uow.charging.drivers([period.key]),
        uow.charging.direct_costs_by_centre([period.key]),
    )


def model_of(uow: ChargingUnitOfWork, year: int, period: Period | None = None) -> tuple[int, CostModel]:
    """The version of the cost model (id, model) the figures of ``year`` (or of the month ``period``)
    were made with, whatever was imported since: the true-up's once the year was trued up (for a
    month, December's only), else the one the latest closed month used; the model in force when
    none of the months is closed (inside an open unit of work)."""
    keys = [period.key] if period is not None else [p.key for p in months_of(year)]
    run = uow.charging.true_up_run(year) if period is None or period.month == 12 else None
    used = model_used(uow.charging.closed_models(keys), run, keys)
    if used is None:
        return uow.costing.cost_model(date(year, 1, 1) if period is None else period.first_day)
    return used, uow.costing.cost_model_version(used)


def load_actuals(
    uow: ChargingUnitOfWork, year: int, periods: Sequence[Period], model: CostModel | None = None
) -> ActualBooks:
    """What allocating the actual cost of ``periods`` reads (inside an open unit of work), with
    ``model`` (by default the one the year's figures were made with: :func:`model_of`)."""
    if model is None:
        _, model = model_of(uow, year)
    keys = [p.key for p in periods]
    return ActualBooks(
        year,
        tuple(periods),
        model,
        tuple(uow.registry.engagements()),
        uow.charging.drivers(keys),
        uow.charging.direct_costs_by_centre(keys),
        uow.charging.charged_sums(keys, kind="provisional"),
    )


def actual_cost(
    uow: ChargingUnitOfWork,
    year: int,
    periods: Sequence[Period],
    timings: Timings | None = None,
    model: CostModel | None = None,
) -> ActualCost:
    """The actual cost of closed ``periods``: support allocation, then shares (inside an open unit
    of work), with ``model`` (by default the one the year's figures were made with); refused with
    the problems when the model cannot allocate it."""
    timings = timings or Timings()
    books = timings.run("load", load_actuals, uow, year, periods, model)
    cost, problems = allocate_actual_cost(books, timings)
    if cost is None:
        raise Rejected(problems, f"allocation of {year}")
    return cost


def refuse(draft: CloseDraft) -> None:
    """Refuse a close that is blocked (a Conflict) or whose data has problems (Rejected)."""
    if draft.blockers:
        raise Conflict(draft.blockers[0])
    if draft.problems:
        raise Rejected(draft.problems, f"close of {draft.period}")


# -- the use cases ----------------------------------------------------------------------------------


@requires(Permission(Action.CLOSE))
def close_period(uow: ChargingUnitOfWork, period: Period) -> CloseResult:
    """Charge a month provisionally at the year's tariffs and lock it."""
    timings = Timings()
    with uow:
        uow.charging.lock_closing()  # before the checks: a concurrent close waits, then finds the month closed
        books = timings.run("load", load_month, uow, period)
        draft = draft_close(books, timings)
        refuse(draft)
        with timings.stage("write"):
            run_id = uow.charging.add_run("close", period, books.model_id, draft.direct_cost, draft.total_charged)
            uow.charging.add_charges(run_id, "provisional", draft.charges)
            uow.charging.lock_period(period, books.model_id)
            uow.audit.record(
                "close",
                "period",
                str(period),
                run=run_id,
                charges=len(draft.charges),
                total_charged=draft.total_charged,
                direct_cost=draft.direct_cost,
            )
        uow.commit()
    return CloseResult(period, len(draft.charges), draft.total_charged, draft.direct_cost, dict(timings.stages))


@requires(Permission(Action.CLOSE))
def true_up(uow: ChargingUnitOfWork, year: int, mode: TrueUpMode = TrueUpMode.SETTLE) -> TrueUpResult:
    """Re-allocate the year's actual cost and settle (or carry forward) each member's difference."""
    timings = Timings()
    periods = months_of(year)
    with uow:
        with timings.stage("load"):
            uow.charging.lock_closing()  # before the check: a concurrent true-up waits, then finds it ran
            model_id, model = uow.costing.cost_model(date(year, 12, 31))  # in force at the year's end
            closed = uow.charging.closed_periods()
            ran = uow.charging.true_up_run(year) is not None
        blockers = timings.run("check", true_up_blockers, year, closed, ran)
        if blockers:
            raise Conflict(blockers[0])
        cost = actual_cost(uow, year, periods, timings, model)
        shares = cost.allocation.shares
        settlement = timings.run("settle", settle, shares, mode, year)
        if too_large := unstorable(settlement.charges, f"true-up of {year}"):
            raise Rejected(too_large, f"true-up of {year}")
        total_charged = sum((s.charged for s in shares), ZERO)
        result = TrueUpResult(
            year,
            mode,
            cost.allocation.total_cost,
            total_charged,
            cost.allocation,
            cost.support,
            settlement.per_member,
            settlement.carried,
        )
        with timings.stage("write"):
            december = Period(year, 12)
            run_id = uow.charging.add_run("true_up", december, model_id, result.total_cost, total_charged, mode.value)
            uow.charging.add_true_up_shares(run_id, year, shares)
            if mode is TrueUpMode.SETTLE:
                uow.charging.add_charges(run_id, "true_up", settlement.charges)
            else:
                uow.charging.add_carry_forwards(run_id, year, settlement.carried)
            uow.audit.record("true_up", "year", str(year), run=run_id, **result.as_json())
        uow.commit()
    return replace(result, timings=dict(timings.stages))


@requires(Permission(Action.READ_ASSOCIATION))
def close_status(uow: ChargingUnitOfWork, year: int) -> CloseStatus:
    """Which months of ``year`` are closed, and whether its true-up ran."""
    with uow:
        closed = uow.charging.closed_periods()
        run = uow.charging.true_up_run(year)
    return CloseStatus(year, tuple(PeriodStatus(p, p.key in closed) for p in months_of(year)), run)
