"""Usage views: a period's usage per member, meter and origin period from its rollups
(month to date while open), with the quantities last materialised for the close where the
rollups cannot give them. Pure: the event store sums the rollups (:class:`RollupUsage`), the
database gives the materialised quantities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mutua.costing.domain.model import CostModel
from mutua.kernel.periods import Period
from mutua.metering.domain import MICRO, Fraction128, billing_quantity

ROLLUPS = "rollups"
MATERIALISED = "materialised service total"


@dataclass(frozen=True, slots=True)
class RollupUsage:
    """A period's rollups summed per member, engagement, meter and origin period.

    Attributes:
        member, engagement, meter: what it is about.
        aggregation: the meter's aggregation as stored (``sum``, ``count``, ...).
        origin_period: the period the usage happened in (YYYYMM).
        late: some of it is late (its origin period was locked when it came).
        events: how many events.
        sum_micro, max_micro, last_micro: the sum, the maximum and the latest value (micro-units).
        last_day: the last day with an event.
    """

    member: str
    engagement: str
    meter: str
    aggregation: str
    origin_period: int
    late: bool
    events: int
    sum_micro: int
    max_micro: int
    last_micro: int
    last_day: date


@dataclass(frozen=True, slots=True)
class UsageLine:
    """One line of the usage view.

    Attributes:
        member, engagement, meter, aggregation: what it is about.
        service, unit: the meter's service and its unit (None when the model no longer has it).
        origin_period: the period the usage happened in.
        late: charged in a later period than its own.
        events: how many events.
        quantity: in the service's unit; None when unknown (never materialised).
        basis: ``rollups`` (exact from the rollups) or ``materialised service total``.
        last_day: the last day with an event.
    """

    member: str
    engagement: str
    meter: str
    aggregation: str
    service: str | None
    unit: str | None
    origin_period: Period
    late: bool
    events: int
    quantity: Decimal | None
    basis: str
    last_day: date

    def as_json(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "engagement": self.engagement,
            "meter": self.meter,
            "aggregation": self.aggregation,
            "service": self.service,
            "unit": self.unit,
            "origin_period": str(self.origin_period),
            "late": self.late,
            "events": self.events,
            "quantity": None if self.quantity is None else str(self.quantity),
            "basis": self.basis,
            "last_day": str(self.last_day),
        }


@dataclass(frozen=True, slots=True)
class UsageView:
    """Usage of one period (month to date while open), for one member or all.

    Attributes:
        period: the period.
        closed: the period is locked by a close.
        member: the member asked for, or None for all.
        lines: per member, meter and origin period.
    """

    period: Period
    closed: bool
    member: str | None
    lines: tuple[UsageLine, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "period": str(self.period),
            "closed": self.closed,
            "member": self.member,
            "lines": [line.as_json() for line in self.lines],
        }


def usage_lines(
    rows: Sequence[RollupUsage], model: CostModel, materialised: Mapping[tuple[str, str, int], Decimal]
) -> list[UsageLine]:
    """The view's lines: sum, count, max and latest are exact from the rollups; unique count and
    time-weighted average need every event, so for them a line shows the service total last
    materialised (``materialised``: (engagement, service, origin period) -> quantity)."""
    lines: list[UsageLine] = []
    for r in rows:
        m = model.meter(r.meter)
        # a balance carried from earlier months (recurring, increments) is not in one month's rollups
        value = None if m is not None and (m.recurring or m.increments) else _rollup_value(r)
        quantity: Decimal | None
        basis = ROLLUPS
        if value is not None and m is not None:
            quantity = billing_quantity(m, [Fraction128(value)])
        else:
            quantity = materialised.get((r.engagement, m.service if m else "", r.origin_period))
            basis = MATERIALISED
        service = m.service if m else None
        found = model.service(service or "")
        lines.append(
            UsageLine(
                r.member,
                r.engagement,
                r.meter,
                r.aggregation,
                service,
                None if found is None else found.unit,
                Period.from_key(r.origin_period),
                r.late,
                r.events,
                quantity,
                basis,
                r.last_day,
            )
        )
    return lines


def _rollup_value(r: RollupUsage) -> int | None:
    """The aggregate in micro-units as the rollups give it exactly, or None when they cannot."""
    if r.aggregation == "sum":
        return r.sum_micro
    if r.aggregation == "count":
        return r.events * MICRO
    if r.aggregation == "max":
        return r.max_micro
    if r.aggregation == "latest":
        return r.last_micro
    return None
