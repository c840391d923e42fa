"""The close: provisional charges for a month, then the month locked; the true-up of a year.

The close is an explicit pipeline of pure stages, each timed::

    load (ledger, drivers, engagements) -> allocate support -> charge -> validate -> write + lock
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from mutua.charging.domain import ActualAllocation, allocate_actual, provisional_charges
from mutua.costing.domain.allocation import AllocationError, SupportAllocation, allocate_support
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import Conflict, Rejected
from mutua.legacy_store import Store
from mutua.platform.db.engine import UnitOfWork


class TrueUpMode(enum.StrEnum):
    SETTLE = "settle"  # each member's over- or under-recovery is invoiced or credited now
    CARRY_FORWARD = "carry_forward"  # the balance goes into next year's tariffs


@dataclass
class Timings:
    """How long each stage took, in seconds."""

    stages: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - start


@dataclass(frozen=True)
class CloseResult:
    period: Period
    charges: int
    total_charged: Decimal
    direct_cost: Decimal
    timings: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": str(self.period),
            "charges": self.charges,
            "total_charged": str(self.total_charged),
            "direct_cost": str(self.direct_cost),
            "timings": self.timings,
        }


def close_period(engine: Engine, period: Period, actor: str = "system") -> CloseResult:
    """Charge a month provisionally at the year's tariffs and lock it."""
    timings = Timings()
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection, actor)
        with timings.stage("load"):
            model_id, model = store.cost_model()
            closed = store.closed_periods()
            if period.key in closed:
                raise Conflict(f"period {period} is already closed")
            earlier_open = [p for p in months_of(period.year) if p < period and p.key not in closed]
            if earlier_open:
                raise Conflict(f"close {earlier_open[0]} first: periods are closed in order")
            engagements = store.engagements()
            drivers = store.drivers([period.key])
            direct = store.direct_costs_by_centre([period.key])
        with timings.stage("charge"):
            charges, problems = provisional_charges(model, period, engagements, drivers)
        if problems:
            raise Rejected(problems, f"close of {period}")
        total_charged = sum((c.amount for c in charges), ZERO)
        direct_cost = sum(direct.values(), ZERO)
        with timings.stage("write"):
            run_id = store.add_run("close", period, model_id, direct_cost, total_charged)
            store.add_charges(run_id, "provisional", charges)
            store.lock_period(period, model_id)
            store.audit(
                "close",
                "period",
                str(period),
                run=run_id,
                charges=len(charges),
                total_charged=total_charged,
                direct_cost=direct_cost,
            )
        uow.commit()
    return CloseResult(period, len(charges), total_charged, direct_cost, timings.stages)


@dataclass(frozen=True)
class TrueUpResult:
    year: int
    mode: TrueUpMode
    total_cost: Decimal
    total_charged: Decimal
    allocation: ActualAllocation
    support: SupportAllocation
    per_member: dict[str, Decimal]  # member -> adjustment (positive: the member owes it)
    carried: dict[str, Decimal]

    @property
    def result(self) -> Decimal:
        """The association's result for the year after the true-up (0.00 when settled)."""
        settled = sum(self.per_member.values(), ZERO) if self.mode is TrueUpMode.SETTLE else ZERO
        return self.total_charged + settled - self.total_cost

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "mode": self.mode.value,
            "total_cost": str(self.total_cost),
            "total_charged": str(self.total_charged),
            "result": str(self.result),
            "members_owing": sum(1 for a in self.per_member.values() if a > 0),
            "members_refunded": sum(1 for a in self.per_member.values() if a < 0),
            "settlement_total": str(sum(self.per_member.values(), ZERO)),
            "carried_forward": {k: str(v) for k, v in self.carried.items()},
        }


def actual_allocation(store: Store, year: int, periods: list[Period]) -> tuple[SupportAllocation, ActualAllocation]:
    """Allocate the actual cost of ``periods`` (support centres, then engagements)."""
    _, model = store.cost_model()
    keys = [p.key for p in periods]
    direct = store.direct_costs_by_centre(keys)
    try:
        support = allocate_support(model, direct)
    except AllocationError as exc:
        raise Rejected(exc.problems, f"allocation of {year}") from exc
    charged = store.charged_sums(keys, kind="provisional")
    allocation, problems = allocate_actual(
        model, year, periods, support.final, charged, store.engagements(), store.drivers(keys)
    )
    if problems or allocation is None:
        raise Rejected(problems, f"allocation of {year}")
    return support, allocation


def true_up(engine: Engine, year: int, mode: TrueUpMode = TrueUpMode.SETTLE, actor: str = "system") -> TrueUpResult:
    """Re-allocate the year's actual cost and settle (or carry forward) each member's difference."""
    periods = list(months_of(year))
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection, actor)
        model_id, _ = store.cost_model()
        closed = store.closed_periods()
        missing = [str(p) for p in periods if p.key not in closed]
        if missing:
            raise Conflict(f"the true-up of {year} needs every month closed; still open: {', '.join(missing)}")
        if store.true_up_run(year) is not None:
            raise Conflict(f"the true-up of {year} was already run; corrections are credit notes in an open period")
        support, allocation = actual_allocation(store, year, periods)
        total_charged = sum((s.charged for s in allocation.shares), ZERO)
        december = Period(year, 12)
        run_id = store.add_run("true_up", december, model_id, allocation.total_cost, total_charged, mode.value)
        store.add_true_up_shares(run_id, year, allocation.shares)
        per_member: dict[str, Decimal] = {}
        for s in allocation.shares:
            per_member[s.member] = per_member.get(s.member, ZERO) + s.adjustment
        carried: dict[str, Decimal] = {}
        if mode is TrueUpMode.SETTLE:
            from mutua.charging.domain import Charge

            adjustments = [
                Charge(
                    december,
                    s.engagement,
                    s.member,
                    s.service,
                    "true-up",
                    Decimal(1),
                    "settlement",
                    s.adjustment,
                    s.adjustment,
                )
                for s in allocation.shares
                if s.adjustment != 0
            ]
            store.add_charges(run_id, "true_up", adjustments)
        else:
            for s in allocation.shares:
                carried[s.service] = carried.get(s.service, ZERO) + (s.charged - s.actual)
            carried = {k: v for k, v in carried.items() if v != 0}
            store.add_carry_forwards(run_id, year, carried)
        result = TrueUpResult(
            year, mode, allocation.total_cost, total_charged, allocation, support, per_member, carried
        )
        store.audit("true_up", "year", str(year), run=run_id, **result.as_dict())
        uow.commit()
    return result


def close_status(engine: Engine, year: int) -> dict[str, Any]:
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection)
        closed = store.closed_periods()
        run = store.true_up_run(year)
        return {
            "year": year,
            "periods": [{"period": str(p), "status": "closed" if p.key in closed else "open"} for p in months_of(year)],
            "true_up": None
            if run is None
            else {"mode": run["mode"], "at": run["at"].isoformat() + "Z", "by": run["actor"]},
        }
