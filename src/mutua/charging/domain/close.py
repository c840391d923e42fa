"""The close of a month as a pipeline of pure stages, shared by the close and its review::

    load (service) -> check -> charge -> validate -> write + lock (service; the review stops before)

- ``check`` (:func:`month_blockers`): a month is closed once, and after every earlier month of
  its year;
- ``charge`` (:func:`charge_month`): the provisional charges at the year's tariffs;
- ``validate`` (:func:`validate_close`): the draft of the close, with what blocks it and the
  problems that refuse it (a close with either writes nothing).

The month's support allocation is not a stage of the close: provisional charges are tariffs times
drivers. The actual cost (support allocation, then shares) is the true-up's pipeline
(:mod:`mutua.charging.domain.trueup`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal

from mutua.charging.domain.charges import Charge, Drivers, provisional_charges, unstorable
from mutua.charging.domain.pipeline import Timings
from mutua.costing.domain.model import CostModel
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import Problem
from mutua.registry.domain import Engagement


@dataclass(frozen=True, slots=True)
class MonthBooks:
    """What the close of a month reads.

    Attributes:
        period: the month to close.
        model_id: the id of the cost model in force (the close records it).
        model: the cost model in force.
        closed: the months already closed (YYYYMM).
        engagements: every engagement.
        drivers: the month's usage, hours and real cost per engagement.
        direct_costs: the month's direct cost per centre (the ledger, non-deductible VAT included).
    """

    period: Period
    model_id: int
    model: CostModel
    closed: frozenset[int]
    engagements: tuple[Engagement, ...]
    drivers: Drivers
    direct_costs: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class CloseDraft:
    """What closing a month would write, and what stands in the way.

    Attributes:
        period: the month.
        charges: the provisional charges.
        direct_cost: the month's direct cost in the ledger.
        blockers: why the month cannot be closed now (already closed, an earlier month open).
        problems: what in the data refuses the close (a missing tariff or grade rate, ...).
    """

    period: Period
    charges: tuple[Charge, ...]
    direct_cost: Decimal
    blockers: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def total_charged(self) -> Decimal:
        return sum((c.amount for c in self.charges), ZERO)

    @property
    def can_lock(self) -> bool:
        return not self.blockers and not self.problems


def month_blockers(period: Period, closed: Collection[int]) -> list[str]:
    """Why ``period`` cannot be closed now: it is closed already; an earlier month of its year is open."""
    blockers = []
    if period.key in closed:
        blockers.append(f"period {period} is already closed")
    earlier_open = [p for p in months_of(period.year) if p < period and p.key not in closed]
    if earlier_open:
        blockers.append(f"close {earlier_open[0]} first: periods are closed in order")
    return blockers


def charge_month(books: MonthBooks) -> tuple[list[Charge], list[Problem]]:
    """The month's provisional charges at the year's tariffs, or the problems that prevent them."""
    return provisional_charges(books.model, books.period, books.engagements, books.drivers)


def validate_close(
    books: MonthBooks, blockers: list[str], charges: list[Charge], problems: list[Problem]
) -> CloseDraft:
    """The draft of the close: its charges, the ledger's direct cost, its blockers and problems.

    A charge to an engagement the books do not know is a problem too (nothing may be charged to
    no one)."""
    known = {e.code: e.member for e in books.engagements}
    found = list(problems)
    for c in charges:
        if known.get(c.engagement) != c.member:
            found.append(Problem("close", None, f"engagement {c.engagement}", f"charged to {c.member}, not its member"))
    found.extend(unstorable(charges, "close"))
    return CloseDraft(
        books.period,
        tuple(charges),
        sum(books.direct_costs.values(), ZERO),
        tuple(blockers),
        tuple(found),
    )


def draft_close(books: MonthBooks, timings: Timings) -> CloseDraft:
    """Run the close's stages on the month's books (nothing is written here)."""
    blockers = timings.run("check", month_blockers, books.period, books.closed)
    charges, problems = timings.run("charge", charge_month, books)
    return timings.run("validate", validate_close, books, blockers, charges, problems)
