"""Metered usage as the close takes it: monthly totals turned into quantities per engagement,
service and origin period (each meter rounded once), and what a materialisation wrote."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mutua.costing.domain.model import CostModel
from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict
from mutua.metering.domain import Fraction128, Total, billing_quantity


def refuse_closed(period: Period, closed: Collection[int]) -> None:
    """A locked period's usage never changes: its late events are charged in the next open one."""
    if period.key in closed:
        raise Conflict(f"period {period} is closed: its usage can no longer change (late events go to the next)")


@dataclass(frozen=True)
class MaterialiseResult:
    """What a materialisation wrote.

    Attributes:
        period: the period charged.
        rows: usage rows written (per engagement, service and origin period).
        events: events counted.
        late_rows: rows of late usage (an earlier origin period).
        pending: events acknowledged over HTTP and not yet flushed when the totals were taken.
        batch_id: the import batch of the rows.
    """

    period: Period
    rows: int
    events: int
    late_rows: int
    pending: int
    batch_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": str(self.period),
            "usage_rows": self.rows,
            "events": self.events,
            "late_rows": self.late_rows,
            "pending_http_events": self.pending,
            "batch_id": self.batch_id,
        }


def service_quantities(model: CostModel, totals: Sequence[Total]) -> dict[tuple[str, str, int], Decimal]:
    """(engagement, service, origin period) -> quantity in the service's unit (each meter rounded once)."""
    fractions: dict[tuple[str, str, int], list[Fraction128]] = defaultdict(list)
    for tot in totals:
        fractions[(tot.engagement, tot.meter, tot.origin_period)].append(Fraction128(tot.numerator, tot.denominator))
    result: dict[tuple[str, str, int], Decimal] = defaultdict(lambda: Decimal(0))
    for (engagement, code, origin), parts in sorted(fractions.items()):
        meter = model.meter(code)
        if meter is None:
            continue
        result[(engagement, meter.service, origin)] += billing_quantity(meter, parts)
    return dict(result)
