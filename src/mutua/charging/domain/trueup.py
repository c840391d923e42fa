"""The actual cost of closed months and the true-up of a year, as pipelines of pure stages::

    actual cost:  load (service) -> allocate support -> allocate actual
    true-up:      load (service) -> check -> allocate support -> allocate actual -> settle -> write

- ``allocate support`` (:func:`support_stage`): the support centres' cost goes to the final
  centres by the model's method;
- ``allocate actual`` (:func:`actual_stage`): the final centres' cost goes to services, then to
  engagements by their drivers (see :func:`~mutua.charging.domain.charges.allocate_actual`);
- ``check`` (:func:`true_up_blockers`): every month closed, and the true-up not run yet;
- ``settle`` (:func:`settle`): each member's over- or under-recovery, settled now as December
  true-up charges, or carried per service into next year's tariffs.

The report, the allocation picture and next year's tariff proposal run the actual-cost stages on
the closed months (:func:`allocate_actual_cost`); the true-up runs them on the whole year.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from mutua.charging.domain.charges import ActualAllocation, Charge, Drivers, Share, allocate_actual
from mutua.charging.domain.pipeline import Timings
from mutua.costing.domain.allocation import AllocationError, SupportAllocation, allocate_support
from mutua.costing.domain.model import CostModel
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import Problem
from mutua.registry.domain import Engagement


class TrueUpMode(enum.StrEnum):
    SETTLE = "settle"  # each member's over- or under-recovery is invoiced or credited now
    CARRY_FORWARD = "carry_forward"  # the balance goes into next year's tariffs


@dataclass(frozen=True, slots=True)
class TrueUpRun:
    """The true-up of a year, as it was run.

    Attributes:
        year: the year.
        mode: settled now, or carried forward.
        at: when (UTC).
        actor: who ran it.
        model_id: the version of the cost model it allocated with (the year reports from it).
    """

    year: int
    mode: TrueUpMode
    at: datetime
    actor: str
    model_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"mode": self.mode.value, "at": self.at.isoformat() + "Z", "by": self.actor}


@dataclass(frozen=True, slots=True)
class ActualBooks:
    """What allocating the actual cost of some closed months reads.

    Attributes:
        year: their year (its tariffs give the grade rates that weigh hours).
        periods: the months.
        model: the cost model in force.
        engagements: every engagement.
        drivers: the months' usage, hours and real cost per engagement.
        direct_costs: the months' direct cost per centre.
        charged: the months' provisional charges per (engagement, service).
    """

    year: int
    periods: tuple[Period, ...]
    model: CostModel
    engagements: tuple[Engagement, ...]
    drivers: Drivers
    direct_costs: Mapping[str, Decimal]
    charged: Mapping[tuple[str, str], Decimal]


@dataclass(frozen=True, slots=True)
class ActualCost:
    """The actual cost of some months: by centre (support allocation), then by engagement."""

    support: SupportAllocation
    allocation: ActualAllocation


def support_stage(books: ActualBooks) -> tuple[SupportAllocation | None, list[Problem]]:
    """The support centres' cost allocated to the final centres, or the problems that prevent it."""
    try:
        return allocate_support(books.model, books.direct_costs), []
    except AllocationError as exc:
        return None, list(exc.problems)


def actual_stage(books: ActualBooks, support: SupportAllocation) -> tuple[ActualAllocation | None, list[Problem]]:
    """The final centres' cost allocated to services and engagements, or the problems that prevent it."""
    return allocate_actual(
        books.model, books.year, books.periods, support.final, books.charged, books.engagements, books.drivers
    )


def allocate_actual_cost(books: ActualBooks, timings: Timings) -> tuple[ActualCost | None, list[Problem]]:
    """Run the actual-cost stages: the cost, or (None and) the problems."""
    support, problems = timings.run("allocate support", support_stage, books)
    if support is None:
        return None, problems
    allocation, problems = timings.run("allocate actual", actual_stage, books, support)
    if allocation is None or problems:
        return None, problems
    return ActualCost(support, allocation), []


def model_used(closed: Mapping[int, int], run: TrueUpRun | None, period_keys: Iterable[int]) -> int | None:
    """The version of the cost model the figures of these months were made with: the true-up's when
    the year was trued up (``run``), else that of the latest of them closed (``closed``: month ->
    the version its close used); None when none of them is closed (the model in force then applies).
    """
    if run is not None and run.model_id is not None:
        return run.model_id
    used = [closed[k] for k in sorted(period_keys) if k in closed]
    return used[-1] if used else None


def true_up_blockers(year: int, closed: Collection[int], ran: bool) -> list[str]:
    """Why the true-up of ``year`` cannot run: a month still open; it ran already."""
    blockers = []
    missing = [str(p) for p in months_of(year) if p.key not in closed]
    if missing:
        blockers.append(f"the true-up of {year} needs every month closed; still open: {', '.join(missing)}")
    if ran:
        blockers.append(f"the true-up of {year} was already run; corrections are credit notes in an open period")
    return blockers


# -- settlement ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settlement:
    """What the true-up writes besides the shares.

    Attributes:
        per_member: each member's adjustment (positive: the member owes it; negative: refunded).
        charges: when settled, one December true-up charge per engagement and service whose share
            differs from its charges (empty when carried forward).
        carried: when carried forward, each service's over- (positive) or under-recovery
            (negative), non-zero only (empty when settled).
    """

    per_member: Mapping[str, Decimal]
    charges: tuple[Charge, ...] = ()
    carried: Mapping[str, Decimal] = field(default_factory=dict)


def adjustments_by_member(shares: Iterable[Share]) -> dict[str, Decimal]:
    """Each member's actual share less its charges, summed over its engagements."""
    result: dict[str, Decimal] = {}
    for s in shares:
        result[s.member] = result.get(s.member, ZERO) + s.adjustment
    return result


def settlement_charges(shares: Iterable[Share], period: Period) -> list[Charge]:
    """The true-up charges of ``period`` (December): one per share whose actual differs from its charges."""
    return [
        Charge(
            period, s.engagement, s.member, s.service, "true-up", Decimal(1), "settlement", s.adjustment, s.adjustment
        )
        for s in shares
        if s.adjustment != 0
    ]


def carried_balances(shares: Iterable[Share]) -> dict[str, Decimal]:
    """Each service's charges less its actual cost (the balance next year's tariffs absorb), non-zero only."""
    carried: dict[str, Decimal] = {}
    for s in shares:
        carried[s.service] = carried.get(s.service, ZERO) + (s.charged - s.actual)
    return {k: v for k, v in carried.items() if v != 0}


def settle(shares: Sequence[Share], mode: TrueUpMode, year: int) -> Settlement:
    """The true-up of ``year``'s shares: settled now (December charges) or carried forward."""
    per_member = adjustments_by_member(shares)
    if mode is TrueUpMode.SETTLE:
        return Settlement(per_member, charges=tuple(settlement_charges(shares, Period(year, 12))))
    return Settlement(per_member, carried=carried_balances(shares))
