"""Orders (call-offs): a member drafts an order of catalogue items under an agreement it joined; it
is approved (the day it starts to count against the ceilings and the engagement's budget: every
rule is checked again), placed with the supplier, delivered (partly), invoiced, or cancelled.

A consultancy order (man-days of a consultancy lot) names the member's consultancy engagement and
goes through the association: its supplier's invoice is booked into the close's ledger on that
engagement (account :data:`CONSULTANCY_ACCOUNT`, the engagement's service's centre, the VAT the
association cannot deduct beside it), so that the close charges its real cost like any other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from mutua.charging.domain import LedgerLine
from mutua.costing.domain.catalogue import Charging
from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.money import ZERO, to_cents
from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict, NotFound
from mutua.purchasing.domain import (
    CatalogueItem,
    Channel,
    LotKind,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
)
from mutua.purchasing.domain.orders import (
    EngagementBudget,
    OrderCheck,
    delivered_status,
    order_refusals,
    price_lines,
    quantity_problem,
    transition_problem,
)
from mutua.purchasing.ports import OrderingUnitOfWork, PurchasingUnitOfWork
from mutua.purchasing.service.common import refuse, today

ORDER = Permission(Action.PURCHASE, member_scoped=True)
CONSULTANCY_ACCOUNT = "613000"
"""The ledger account of a consultancy order's supplier invoice (class 61: services and other goods)."""
VAT_RATE = Decimal("0.21")
"""The VAT a supplier charges the association on consultancy, which it cannot deduct."""
_CASCADE = "cascade: "


@dataclass(frozen=True, slots=True)
class OrderView:
    """An order with its life.

    Attributes:
        order: the order.
        events: its steps, oldest first.
    """

    order: Order
    events: tuple[OrderEvent, ...] = ()

    def as_json(self) -> dict[str, Any]:
        o = self.order
        return {
            "number": o.number,
            "member": o.member,
            "agreement": o.agreement,
            "lot": o.lot,
            "supplier": o.supplier,
            "status": o.status.value,
            "channel": o.channel.value,
            "engagement": o.engagement,
            "buyer_reference": o.buyer_reference,
            "created_on": o.created_on.isoformat(),
            "approved_on": _day(o.approved_on),
            "placed_on": _day(o.placed_on),
            "delivered_on": _day(o.delivered_on),
            "invoiced_on": _day(o.invoiced_on),
            "cancelled_on": _day(o.cancelled_on),
            "value": str(o.value),
            "reference_value": str(to_cents(o.reference_value)),
            "lines": [
                {
                    "line": line.line,
                    "item": line.item,
                    "code": line.code,
                    "description": line.description,
                    "unit": line.unit,
                    "quantity": str(line.quantity.normalize()),
                    "unit_price": str(line.unit_price),
                    "amount": str(line.amount),
                    "delivered": str(line.delivered.normalize()),
                    "price_point": line.price_point,
                }
                for line in o.lines
            ],
            "events": [
                {"status": e.status.value, "on": e.on.isoformat(), "actor": e.actor, "note": e.note}
                for e in self.events
            ],
        }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _check(uow: PurchasingUnitOfWork, order: Order, on: date, cascade_reason: str) -> list[str]:
    """Every reason to refuse ``order`` on ``on``, reading what it is checked against."""
    p = uow.purchasing
    agreement = p.agreement(order.agreement)
    if agreement is None:
        raise NotFound(f"no agreement {order.agreement}")
    lot = next((x for x in p.lots(order.agreement) if x.number == order.lot), None)
    awarded = [w for w in p.lot_suppliers(order.agreement) if w.lot == order.lot]
    accession = next(iter(p.accessions(order.agreement, order.member)), None)
    used = p.consumption(order.agreement)
    own = order.value if order.status.commits else ZERO  # an order counted already is not counted twice
    consumed_lot = used.get((order.agreement, order.lot), ZERO) - own
    consumed_agreement = sum(used.values(), ZERO) - own
    engagement = None
    if order.engagement:
        found = uow.registry.engagements(code=order.engagement)
        if found and found[0].member == order.member:
            e = found[0]
            committed = p.engagement_committed(e.code, on.year, excluding=order.number)
            engagement = EngagementBudget(e.code, e.member, e.kind.value, e.budget, e.starts_on, e.ends_on, committed)
    check = OrderCheck(
        agreement,
        lot,
        awarded,
        accession,
        consumed_agreement,
        consumed_lot,
        engagement,
        order.engagement,
        cascade_reason,
    )
    reasons = order_refusals(order, check, p.items_by_id(line.item for line in order.lines), on)
    if lot is not None and lot.kind is LotKind.CONSULTANCY and order.channel is not Channel.ASSOCIATION:
        reasons.append(
            "a consultancy order goes through the association (channel 'association'): its cost flows through the close"
        )
    return reasons


def _mine(uow: PurchasingUnitOfWork, member: str, number: str) -> Order:
    """The member's order ``number``; another member's is answered as an unknown one."""
    order = uow.purchasing.order(number)
    if order is None or order.member != member:
        raise NotFound(f"no order {number}")
    return order


@requires(ORDER)
def draft_order(
    uow: PurchasingUnitOfWork,
    member: str,
    reference: str,
    lot: int,
    supplier: str,
    lines: Sequence[tuple[str, Decimal]],
    *,
    engagement: str | None = None,
    channel: Channel = Channel.DIRECT,
    buyer_reference: str = "",
    cascade_reason: str = "",
    on: date | None = None,
) -> OrderView:
    """Draft an order of catalogue items (``lines``: item code and quantity) of one lot and
    supplier, at the prices in force on ``on``. Refused with every reason: past the term, above a
    ceiling, outside the accession or the lot, beyond the engagement's budget, ..."""
    day = today(on)
    with uow:
        p = uow.purchasing
        if uow.registry.member(member) is None:
            raise NotFound(f"no member with enterprise number {member}")
        if p.agreement(reference) is None:
            raise NotFound(f"no agreement {reference}")
        wanted = [code for code, _ in lines]
        catalogue = {i.code: i for i in p.items(reference, lot, supplier, withdrawn=True, codes=wanted)}
        lot_record = next((x for x in p.lots(reference) if x.number == lot), None)
        markup = p.agreement(reference).reference_markup  # type: ignore[union-attr]
        if lot_record is not None and lot_record.reference_markup is not None:
            markup = lot_record.reference_markup
        requested: list[tuple[CatalogueItem, Decimal]] = []
        reasons = []
        for i, (code, quantity) in enumerate(lines, start=1):
            item = catalogue.get(code)
            if item is None:
                reasons.append(f"line {i}: item {code} is outside lot {lot} of {reference} from {supplier}")
            elif (why := quantity_problem(quantity)) is not None:
                reasons.append(f"line {i}: {why}")
            else:
                requested.append((item, quantity))
        refuse(reasons, f"order under {reference}", "order")
        prices = p.prices_on([item.id for item, _ in requested], day)
        priced = price_lines(requested, prices, markup)
        number = f"PO-{day.year}-{p.next_number('PO', day.year):06d}"
        order = Order(
            number,
            member,
            reference,
            lot,
            supplier,
            OrderStatus.DRAFT,
            channel,
            day,
            tuple(priced),
            engagement,
            buyer_reference,
        )
        refuse(_check(uow, order, day, cascade_reason), f"order under {reference}", "order")
        p.add_order(order)
        event = OrderEvent(
            number, OrderStatus.DRAFT, day, uow.audit.actor, _CASCADE + cascade_reason if cascade_reason else ""
        )
        p.add_event(event)
        uow.audit.record(
            "draft",
            "order",
            number,
            member=member,
            agreement=reference,
            lot=lot,
            supplier=supplier,
            value=str(order.value),
        )
        uow.commit()
    return OrderView(order, (event,))


def _move(uow: PurchasingUnitOfWork, order: Order, to: OrderStatus, day: date, note: str = "", **dates: Any) -> Order:
    if (why := transition_problem(order, to)) is not None:
        raise Conflict(why)
    moved = replace(order, status=to, **dates)
    uow.purchasing.update_order(moved)
    uow.purchasing.add_event(OrderEvent(order.number, to, day, uow.audit.actor, note))
    uow.audit.record(to.value, "order", order.number, member=order.member, on=day, note=note, value=str(order.value))
    return moved


def _view(uow: PurchasingUnitOfWork, order: Order) -> OrderView:
    return OrderView(order, tuple(uow.purchasing.events(order.number)))


@requires(ORDER)
def approve_order(uow: PurchasingUnitOfWork, member: str, number: str, on: date | None = None) -> OrderView:
    """Approve a draft: every rule is checked again on the day of approval, from which it counts
    against the ceilings and the engagement's budget."""
    day = today(on)
    with uow:
        uow.purchasing.lock("orders")  # two approvals never both find the ceiling still free
        order = _mine(uow, member, number)
        if (why := transition_problem(order, OrderStatus.APPROVED)) is not None:
            raise Conflict(why)
        events = uow.purchasing.events(number)
        reason = next((e.note.removeprefix(_CASCADE) for e in events if e.note.startswith(_CASCADE)), "")
        refuse(_check(uow, order, day, reason), f"approval of order {number}", "order")
        moved = _move(uow, order, OrderStatus.APPROVED, day, approved_on=day)
        view = _view(uow, moved)
        uow.commit()
    return view


@requires(ORDER)
def place_order(uow: PurchasingUnitOfWork, member: str, number: str, on: date | None = None) -> OrderView:
    """Place an approved order with the supplier (the day is its commission's quarter)."""
    day = today(on)
    with uow:
        order = _mine(uow, member, number)
        agreement = uow.purchasing.agreement(order.agreement)
        if agreement is not None and day > agreement.term_end and order.status is OrderStatus.APPROVED:
            raise Conflict(f"agreement {order.agreement} ended on {agreement.term_end}: no order after its term")
        moved = _move(uow, order, OrderStatus.PLACED, day, placed_on=day)
        view = _view(uow, moved)
        uow.commit()
    return view


@requires(ORDER)
def record_delivery(
    uow: PurchasingUnitOfWork,
    member: str,
    number: str,
    delivered: Mapping[int, Decimal] | None = None,
    on: date | None = None,
) -> OrderView:
    """Record a delivery: ``delivered`` gives the quantity delivered now per line (None: all that
    is still due). Partly delivered until every line is delivered in full."""
    day = today(on)
    with uow:
        order = _mine(uow, member, number)
        now = (
            dict(delivered)
            if delivered is not None
            else {line.line: line.quantity - line.delivered for line in order.lines}
        )
        reasons = []
        lines: list[OrderLine] = []
        for line in order.lines:
            more = now.pop(line.line, ZERO)
            if more < 0:
                reasons.append(f"line {line.line}: a delivered quantity is not negative")
            elif line.delivered + more > line.quantity:
                reasons.append(f"line {line.line}: {line.delivered + more} delivered of {line.quantity} ordered")
            lines.append(replace(line, delivered=line.delivered + more))
        reasons.extend(f"order {number} has no line {n}" for n in sorted(now))
        refuse(reasons, f"delivery of order {number}", "order")
        status = delivered_status(lines)
        note = ", ".join(
            f"line {a.line}: {(b.delivered - a.delivered).normalize()}"
            for a, b in zip(order.lines, lines, strict=True)
            if b.delivered != a.delivered
        )
        moved = _move(
            uow,
            replace(order, lines=tuple(lines)),
            status,
            day,
            note,
            delivered_on=day if status is OrderStatus.DELIVERED else None,
        )
        view = _view(uow, moved)
        uow.commit()
    return view


@requires(ORDER)
def record_invoice(
    uow: OrderingUnitOfWork, member: str, number: str, invoice_reference: str = "", on: date | None = None
) -> OrderView:
    """Record the supplier's invoice of a delivered order. A consultancy order's invoice is booked
    into the ledger on its engagement, in the month of ``on`` (which must still be open)."""
    day = today(on)
    with uow:
        order = _mine(uow, member, number)
        if (why := transition_problem(order, OrderStatus.INVOICED)) is not None:
            raise Conflict(why)
        lot = next((x for x in uow.purchasing.lots(order.agreement) if x.number == order.lot), None)
        if lot is not None and lot.kind is LotKind.CONSULTANCY:
            _book(uow, order, invoice_reference, day)
        moved = _move(uow, order, OrderStatus.INVOICED, day, invoice_reference, invoiced_on=day)
        view = _view(uow, moved)
        uow.commit()
    return view


def _book(uow: OrderingUnitOfWork, order: Order, invoice: str, day: date) -> None:
    """A consultancy order's supplier invoice as a ledger line on its engagement (real cost)."""
    period = Period.of(day)
    uow.charging.lock_closing()
    if period.key in uow.charging.closed_periods():
        raise Conflict(f"{period} is closed: record the invoice of order {order.number} in an open month")
    _, model = uow.costing.cost_model()
    found = uow.registry.engagements(code=order.engagement) if order.engagement else []
    if not found:
        raise Conflict(f"order {order.number} names no engagement: its cost cannot reach the close")
    service = model.service(found[0].service or "")
    if service is None or service.charging is not Charging.REAL_COST:
        raise Conflict(
            f"engagement {found[0].code} is not charged at real cost: its service cannot take a supplier invoice"
        )
    if model.account_rule(CONSULTANCY_ACCOUNT) is None:
        raise Conflict(f"the cost model knows no account {CONSULTANCY_ACCOUNT}")
    entry = f"PO:{order.number}"
    if uow.charging.known_entry_ids([entry]):
        raise Conflict(f"the invoice of order {order.number} is in the ledger already")
    amount = order.value
    line = LedgerLine(
        entry,
        period,
        CONSULTANCY_ACCOUNT,
        service.centre,
        amount,
        to_cents(amount * VAT_RATE),
        found[0].code,
        f"Supplier invoice {invoice or '-'} of {order.supplier}, order {order.number} under {order.agreement} "
        f"lot {order.lot} (VAT 21 % not deductible)"[:300],
    )
    batch = uow.batches.add(
        "purchasing_invoice", f"order {order.number}", hashlib.sha256(entry.encode()).hexdigest(), 1
    )
    uow.charging.add_ledger_lines(batch, [line])


@requires(ORDER)
def cancel_order(uow: PurchasingUnitOfWork, member: str, number: str, reason: str, on: date | None = None) -> OrderView:
    """Cancel an order not yet delivered (a draft, approved or placed one), saying why."""
    day = today(on)
    if not reason.strip():
        refuse(["say why the order is cancelled"], f"cancellation of order {number}", "order", "reason")
    with uow:
        order = _mine(uow, member, number)
        moved = _move(uow, order, OrderStatus.CANCELLED, day, reason.strip()[:500], cancelled_on=day)
        view = _view(uow, moved)
        uow.commit()
    return view


@requires(Permission(member_scoped=True))
def order_detail(uow: PurchasingUnitOfWork, member: str, number: str) -> OrderView:
    """One of a member's orders with its life."""
    with uow:
        return _view(uow, _mine(uow, member, number))


@requires(Permission(member_scoped=True))
def member_orders(uow: PurchasingUnitOfWork, member: str, status: OrderStatus | None = None) -> list[Order]:
    """A member's orders (in a status), by number."""
    with uow:
        return uow.purchasing.orders(member=member, status=status)


@requires(Permission(Action.READ_ASSOCIATION))
def all_orders(
    uow: PurchasingUnitOfWork, reference: str | None = None, status: OrderStatus | None = None
) -> list[Order]:
    """Every member's orders (under an agreement, in a status): the purchasing team's view."""
    with uow:
        return uow.purchasing.orders(agreement=reference, status=status)
