"""The rules of an order (call-off): what may be ordered, by whom, when, and up to what value.

:func:`order_refusals` gives every reason to refuse an order (checked when it is drafted and again
when it is approved, the day it starts to count against the ceilings); :func:`transition_problem`
the state machine's (:data:`~mutua.purchasing.domain.TRANSITIONS`). Consumption is always computed
from the orders (:func:`consumption`), never typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mutua.kernel.bounds import MAX_AMOUNT, MAX_QUANTITY
from mutua.kernel.money import ZERO, to_cents
from mutua.purchasing.domain import (
    TRANSITIONS,
    Accession,
    Agreement,
    AwardRule,
    CatalogueItem,
    Lot,
    LotKind,
    LotSupplier,
    Order,
    OrderLine,
    OrderStatus,
    PricePoint,
)


@dataclass(frozen=True, slots=True)
class EngagementBudget:
    """What an order charged to an engagement is checked against.

    Attributes:
        code: the engagement's code.
        member: its member.
        kind: its kind (``consultancy``, ``project``, ...).
        budget: its budget for the year (EUR).
        starts_on: its first day.
        ends_on: its last day, or None.
        committed: the value of the other orders charged to it in the order's year (approved and
            after, not cancelled).
    """

    code: str
    member: str
    kind: str
    budget: Decimal
    starts_on: date
    ends_on: date | None
    committed: Decimal


@dataclass(frozen=True, slots=True)
class OrderCheck:
    """Everything an order is checked against.

    Attributes:
        agreement: its agreement.
        lot: its lot, or None when the agreement has no such lot.
        awarded: the lot's suppliers.
        accession: the member's accession to the agreement, or None.
        consumed_agreement: the value of the agreement's other orders that count (approved and after).
        consumed_lot: the same for the lot.
        engagement: the engagement it is charged to, or None.
        engagement_named: the code the order names (to say which engagement is unknown).
        cascade_reason: why a supplier other than the first ranked is asked (cascade lots).
    """

    agreement: Agreement
    lot: Lot | None
    awarded: Sequence[LotSupplier]
    accession: Accession | None
    consumed_agreement: Decimal
    consumed_lot: Decimal
    engagement: EngagementBudget | None = None
    engagement_named: str | None = None
    cascade_reason: str = ""


def price_lines(
    requested: Sequence[tuple[CatalogueItem, Decimal]],
    prices: Mapping[int, PricePoint],
    reference_markup: Decimal,
) -> list[OrderLine]:
    """The order's lines at the prices in force (``prices``: each item's price point on the day),
    each amount quantity x unit price rounded to the cent; the savings' reference price is the
    item's own, else its price with the markup."""
    lines = []
    for number, (item, quantity) in enumerate(requested, start=1):
        point = prices.get(item.id)
        price = point.price if point is not None else item.price
        reference = item.reference_price or to_cents(price * (1 + reference_markup))
        lines.append(
            OrderLine(
                number,
                item.id,
                item.code,
                item.description_nl,
                item.unit,
                quantity,
                price,
                to_cents(quantity * price),
                ZERO,
                point.id if point is not None else 0,
                reference,
            )
        )
    return lines


def quantity_problem(quantity: Decimal) -> str | None:
    if not quantity.is_finite() or quantity <= 0:
        return f"quantity {quantity} is not positive"
    if quantity != quantity.quantize(Decimal("0.000001")):
        return f"quantity {quantity} has more than six decimals"
    if quantity > MAX_QUANTITY:
        return f"quantity {quantity} is beyond the bound of {MAX_QUANTITY:,}"
    return None


def order_refusals(order: Order, check: OrderCheck, items: Mapping[int, CatalogueItem], on: date) -> list[str]:
    """Every reason to refuse ``order`` on ``on``, in plain words (none: it may go ahead)."""
    reasons: list[str] = []
    agreement, lot = check.agreement, check.lot
    ref = agreement.reference
    if on > agreement.term_end:
        reasons.append(f"agreement {ref} ended on {agreement.term_end}: no order after its term")
    elif on < agreement.starts_on:
        reasons.append(f"agreement {ref} starts on {agreement.starts_on}: no order before its term")
    if check.accession is None or check.accession.decided_on > on:
        reasons.append(f"member {order.member} has not joined agreement {ref}: outside the accession")
    if lot is None:
        reasons.append(f"agreement {ref} has no lot {order.lot}")
        return reasons
    ranks = {a.supplier: a.rank for a in check.awarded}
    if order.supplier not in ranks:
        reasons.append(f"supplier {order.supplier} was not awarded lot {lot.number} of {ref}")
    elif lot.award_rule is AwardRule.CASCADE:
        first = min((a for a in check.awarded if a.rank is not None), key=lambda a: a.rank or 0, default=None)
        if first is not None and first.supplier != order.supplier and not check.cascade_reason.strip():
            reasons.append(
                f"lot {lot.number} of {ref} is a cascade: ask {first.supplier} (rank 1) first, or say why "
                f"{order.supplier} (rank {ranks[order.supplier]}) is asked"
            )
    if not order.lines:
        reasons.append("an order has at least one line")
    for line in order.lines:
        item = items.get(line.item)
        if item is None or (item.agreement, item.lot, item.supplier) != (ref, lot.number, order.supplier):
            reasons.append(
                f"line {line.line}: item {line.code} is outside lot {lot.number} of {ref} from {order.supplier}"
            )
        elif not item.orderable_on(on):
            valid = (
                f"valid from {item.valid_from}"
                if item.valid_until is None
                else f"valid from {item.valid_from} to {item.valid_until}"
            )
            reasons.append(f"line {line.line}: item {line.code} may not be ordered on {on} ({valid})")
        if (why := quantity_problem(line.quantity)) is not None:
            reasons.append(f"line {line.line}: {why}")
    value = order.value
    if value > MAX_AMOUNT:
        reasons.append(f"the order's value {value} is beyond the bound of {MAX_AMOUNT:,}")
    if check.consumed_lot + value > lot.ceiling:
        reasons.append(
            f"above the ceiling of lot {lot.number} of {ref}: {check.consumed_lot} ordered of {lot.ceiling}, "
            f"this order ({value}) would bring it to {check.consumed_lot + value}"
        )
    if check.consumed_agreement + value > agreement.ceiling:
        reasons.append(
            f"above the ceiling of agreement {ref}: {check.consumed_agreement} ordered of {agreement.ceiling}, "
            f"this order ({value}) would bring it to {check.consumed_agreement + value}"
        )
    reasons.extend(_engagement_refusals(order, check, lot, value, on))
    return reasons


def _engagement_refusals(order: Order, check: OrderCheck, lot: Lot, value: Decimal, on: date) -> list[str]:
    engagement = check.engagement
    if engagement is None:
        if check.engagement_named:
            return [f"unknown engagement {check.engagement_named} of member {order.member}"]
        if lot.kind is LotKind.CONSULTANCY:
            return [f"lot {lot.number} sells consultancy in man-days: name the engagement it feeds"]
        return []
    reasons = []
    if engagement.member != order.member:
        return [f"unknown engagement {engagement.code} of member {order.member}"]
    if lot.kind is LotKind.CONSULTANCY and engagement.kind != "consultancy":
        reasons.append(f"engagement {engagement.code} is a {engagement.kind} engagement, not a consultancy one")
    if on < engagement.starts_on or (engagement.ends_on is not None and on > engagement.ends_on):
        reasons.append(f"engagement {engagement.code} is not active on {on}")
    if engagement.committed + value > engagement.budget:
        reasons.append(
            f"beyond the budget of engagement {engagement.code}: {engagement.committed} ordered in {on.year} of "
            f"{engagement.budget}, this order ({value}) would bring it to {engagement.committed + value}"
        )
    return reasons


def transition_problem(order: Order, to: OrderStatus) -> str | None:
    """Why ``order`` may not move to ``to`` (the state machine), or None."""
    if to in TRANSITIONS[order.status]:
        return None
    allowed = ", ".join(sorted(s.value for s in TRANSITIONS[order.status])) or "nothing"
    return f"order {order.number} is {order.status.value}: it may become {allowed}, not {to.value}"


def delivered_status(lines: Iterable[OrderLine]) -> OrderStatus:
    """Delivered when every line is delivered in full, else partly delivered."""
    return (
        OrderStatus.DELIVERED
        if all(line.delivered >= line.quantity for line in lines)
        else OrderStatus.PARTLY_DELIVERED
    )


def consumption(orders: Iterable[Order]) -> dict[tuple[str, int], Decimal]:
    """The value ordered per (agreement, lot): the orders that count (approved and after, not
    cancelled). An agreement's consumption is the sum over its lots."""
    totals: dict[tuple[str, int], Decimal] = {}
    for order in orders:
        if order.status.commits:
            key = (order.agreement, order.lot)
            totals[key] = totals.get(key, ZERO) + order.value
    return totals
