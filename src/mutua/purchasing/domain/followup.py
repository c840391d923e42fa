"""Follow-up of the agreements: consumption against the ceilings, expiry and renewal alerts, and the
savings (what members would have paid at their own tender against the agreement's price)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from mutua.kernel.money import ZERO
from mutua.purchasing.domain import Agreement, Lot, Order, add_months

CEILING_WARNING = Decimal("0.80")
"""Share of a ceiling past which an alert is raised."""

ALERT_DAYS = 180
"""How long before a term ends its alert is raised (a renewal is decided, or a new tender prepared)."""


@dataclass(frozen=True, slots=True)
class Consumption:
    """The value ordered under an agreement or one of its lots against its ceiling.

    Attributes:
        agreement: the agreement's reference.
        lot: the lot's number, or None for the agreement as a whole.
        ceiling: the ceiling.
        consumed: the value of the orders that count (approved and after, not cancelled).
    """

    agreement: str
    lot: int | None
    ceiling: Decimal
    consumed: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.ceiling - self.consumed

    @property
    def share(self) -> Decimal:
        """Consumed / ceiling, as a fraction rounded to four decimals."""
        return (self.consumed / self.ceiling).quantize(Decimal("0.0001")) if self.ceiling else ZERO


def consumption_lines(
    agreements: Sequence[Agreement], lots: Sequence[Lot], by_lot: Mapping[tuple[str, int], Decimal]
) -> list[Consumption]:
    """Per agreement its line (lot None) then its lots' lines."""
    lines = []
    for a in agreements:
        own = [lot for lot in lots if lot.agreement == a.reference]
        total = sum((by_lot.get(lot.key, ZERO) for lot in own), ZERO)
        lines.append(Consumption(a.reference, None, a.ceiling, total))
        lines.extend(Consumption(a.reference, lot.number, lot.ceiling, by_lot.get(lot.key, ZERO)) for lot in own)
    return lines


class AlertKind(enum.StrEnum):
    RENEWAL = "renewal"  # the term ends and a renewal may be exercised: decide it
    EXPIRY = "expiry"  # the term ends for good: tender again in time
    EXPIRED = "expired"  # the term has ended (orders are refused)
    CEILING = "ceiling"  # most of a ceiling is used


@dataclass(frozen=True, slots=True)
class Alert:
    """Something the purchasing team must act on.

    Attributes:
        kind: renewal, expiry, expired or ceiling.
        agreement: the agreement's reference.
        lot: the lot's number, for a lot's ceiling.
        due: the day that matters (the term's end), or None.
        days: days from today to ``due`` (negative when past).
        message: what it is, in plain words (English; the edges translate).
    """

    kind: AlertKind
    agreement: str
    lot: int | None
    due: date | None
    days: int | None
    message: str

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "agreement": self.agreement,
            "lot": self.lot,
            "due": self.due.isoformat() if self.due else None,
            "days": self.days,
            "message": self.message,
        }


def alerts(
    agreements: Sequence[Agreement],
    consumption: Iterable[Consumption],
    today: date,
    within_days: int = ALERT_DAYS,
    threshold: Decimal = CEILING_WARNING,
) -> list[Alert]:
    """The alerts of ``today``: terms ending within ``within_days`` (a renewal to decide, or the
    end for good), terms ended less than a year ago, and ceilings used past ``threshold``."""
    found = []
    for a in agreements:
        end = a.term_end
        days = (end - today).days
        if days < 0:
            if today - end <= timedelta(days=366):
                found.append(Alert(AlertKind.EXPIRED, a.reference, None, end, days, f"{a.reference} ended on {end}"))
            continue
        if days <= within_days:
            if a.renewed < a.renewals:
                new_end = add_months(a.ends_on, (a.renewed + 1) * a.renewal_months)
                message = (
                    f"{a.reference} ends on {end} ({days} days): renewal {a.renewed + 1} of {a.renewals} "
                    f"would extend it to {new_end}"
                )
                found.append(Alert(AlertKind.RENEWAL, a.reference, None, end, days, message))
            else:
                message = f"{a.reference} ends on {end} ({days} days) and cannot be renewed: prepare a new tender"
                found.append(Alert(AlertKind.EXPIRY, a.reference, None, end, days, message))
    for c in consumption:
        if c.ceiling and c.consumed >= c.ceiling * threshold:
            where = c.agreement if c.lot is None else f"{c.agreement} lot {c.lot}"
            message = f"{where}: {c.consumed} ordered of its ceiling {c.ceiling} ({c.share * 100:.2f} %)"
            found.append(Alert(AlertKind.CEILING, c.agreement, c.lot, None, None, message))
    return found


@dataclass(frozen=True, slots=True)
class Savings:
    """What the orders under an agreement's lot cost against what they would have cost at the
    members' own tenders (the reference prices).

    Attributes:
        agreement: the agreement's reference.
        lot: the lot's number.
        orders: how many orders (approved and after, not cancelled).
        value: their value at the agreement's prices.
        reference_value: their value at the reference prices.
    """

    agreement: str
    lot: int
    orders: int
    value: Decimal
    reference_value: Decimal

    @property
    def savings(self) -> Decimal:
        return self.reference_value - self.value


def savings(orders: Iterable[Order]) -> list[Savings]:
    """The savings per agreement and lot of the orders that count."""
    sums: dict[tuple[str, int], tuple[int, Decimal, Decimal]] = {}
    for order in orders:
        if not order.status.commits:
            continue
        n, value, reference = sums.get((order.agreement, order.lot), (0, ZERO, ZERO))
        sums[(order.agreement, order.lot)] = (n + 1, value + order.value, reference + order.reference_value)
    return [Savings(a, lot, n, v, r) for (a, lot), (n, v, r) in sorted(sums.items())]
