"""The projection of an engagement's spend to the year's end (the dashboard's and the statement's)::

    projection = spent + run rate x months still active + commitments still to come
    run rate   = spent / closed months counted
    low        = spent + (lowest month's spend)  x months still active + commitments
    high       = spent + (highest month's spend) x months still active + commitments

"Still" is after a month: the dashboard's last closed month, or the month of a statement. The
range always contains the central figure (an engagement that started during the year has a run
rate below its monthly spend). Once December is closed the three figures are the actual spend.

Example: 100.00, 300.00 and 200.00 spent in the first quarter, 50.00 committed in November::

    >>> from datetime import date
    >>> from mutua.registry.domain import Engagement, EngagementKind
    >>> e = Engagement("E", "0200000043", EngagementKind.SERVICE, "t", None, Decimal("0"), date(2025, 1, 1))
    >>> spent = {202501: Decimal("100.00"), 202502: Decimal("300.00"), 202503: Decimal("200.00")}
    >>> quarter = [Period(2025, 1), Period(2025, 2), Period(2025, 3)]
    >>> p = project(e, 2025, spent, quarter, [(Period(2025, 11), Decimal("50.00"))])
    >>> p.run_rate, p.central, p.low, p.high
    (Decimal('200.00'), Decimal('2450.00'), Decimal('1550.00'), Decimal('3350.00'))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from mutua.kernel.money import ZERO, to_cents
from mutua.kernel.periods import Period, months_of
from mutua.registry.domain import Engagement


@dataclass(frozen=True, slots=True)
class Projection:
    """An engagement's spend to date and to the year's end.

    Attributes:
        spent: spent in the closed months counted.
        run_rate: the average spend per closed month, to the cent.
        committed: the commitments still to come.
        central: the projection to the year's end.
        low: the projection at the lowest month's spend (never above ``central``).
        high: the projection at the highest month's spend (never below ``central``).
    """

    spent: Decimal
    run_rate: Decimal
    committed: Decimal
    central: Decimal
    low: Decimal
    high: Decimal

    def __add__(self, other: Projection) -> Projection:
        return Projection(
            self.spent + other.spent,
            self.run_rate + other.run_rate,
            self.committed + other.committed,
            self.central + other.central,
            self.low + other.low,
            self.high + other.high,
        )


NOTHING = Projection(ZERO, ZERO, ZERO, ZERO, ZERO, ZERO)


def percent(part: Decimal, whole: Decimal, quantum: Decimal = Decimal("0.1")) -> Decimal:
    """``part`` as a percentage of ``whole``, to ``quantum`` (zero of nothing)."""
    return (part * 100 / whole if whole else Decimal(0)).quantize(quantum)


class AgainstBudget:
    """Spend to date, projection and its range against a budget: for a record that has a
    ``budget`` and a ``projected`` (an engagement on the dashboard, or a member's whole year)."""

    __slots__ = ()
    if TYPE_CHECKING:  # given by the record (a field or a property), not a default of its fields

        @property
        def budget(self) -> Decimal: ...

        @property
        def projected(self) -> Projection: ...

    @property
    def spent(self) -> Decimal:
        return self.projected.spent

    @property
    def projection(self) -> Decimal:
        return self.projected.central

    @property
    def projection_low(self) -> Decimal:
        return self.projected.low

    @property
    def projection_high(self) -> Decimal:
        return self.projected.high

    @property
    def budget_used_pct(self) -> Decimal:
        return percent(self.spent, self.budget)

    @property
    def over_budget(self) -> bool:
        return self.projection > self.budget


def project(
    engagement: Engagement,
    year: int,
    spent_by_month: Mapping[int, Decimal],
    closed: Sequence[Period],
    commitments: Iterable[tuple[Period, Decimal]],
    after: Period | None = None,
) -> Projection:
    """Project ``engagement``'s spend to the end of ``year``.

    Args:
        engagement: the engagement (its dates say which months it is still active).
        year: the year.
        spent_by_month: what it was charged per closed month (YYYYMM), every kind of charge.
        closed: the closed months counted, in order (the run rate's months).
        commitments: its expected charges (month, amount) of the year; those after ``after`` count.
        after: the month the rest of the year follows; default the last closed month (or, with
            nothing closed, none: the whole year is to come).
    """
    spent = sum(spent_by_month.values(), ZERO)
    through = after if after is not None else (closed[-1] if closed else None)
    committed = sum((a for p, a in commitments if through is None or p > through), ZERO)
    if not closed:
        total = spent + committed
        return Projection(spent, ZERO, committed, total, total, total)

    def active(p: Period) -> bool:
        return engagement.is_active_between(p.first_day, p.last_day)

    amounts = [spent_by_month.get(p.key, ZERO) for p in closed if active(p)] or [ZERO]
    run_rate = to_cents(spent / len(closed))
    left = sum(1 for p in months_of(year) if (through is None or p > through) and active(p))
    central = spent + run_rate * left + committed
    low = spent + min(amounts) * left + committed
    high = spent + max(amounts) * left + committed
    return Projection(spent, run_rate, committed, central, min(low, central), max(high, central))
