"""Commissions: what the suppliers pay the association on the value ordered under its agreements.

The base is the value of the orders placed in the quarter (by the day they were placed; an order
cancelled afterwards leaves the base), per supplier, agreement and lot; the rate is the lot's, else
the agreement's; the commission of a line is base x rate rounded to the cent once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from mutua.kernel.money import ZERO, to_cents
from mutua.purchasing.domain import CommissionLine, Order, Quarter


@dataclass(frozen=True, slots=True)
class PlacedValue:
    """The value of the orders placed with a supplier under a lot in a quarter.

    Attributes:
        supplier: the supplier's code.
        agreement: the agreement's reference.
        lot: the lot's number.
        orders: how many orders.
        value: their value.
    """

    supplier: str
    agreement: str
    lot: int
    orders: int
    value: Decimal


def placed_values(orders: Iterable[Order], quarter: Quarter) -> list[PlacedValue]:
    """The orders placed in ``quarter`` (and not cancelled) summed per supplier, agreement and lot."""
    sums: dict[tuple[str, str, int], tuple[int, Decimal]] = {}
    for order in orders:
        if order.placed_on is None or not order.status.ordered or Quarter.of(order.placed_on) != quarter:
            continue
        key = (order.supplier, order.agreement, order.lot)
        count, value = sums.get(key, (0, ZERO))
        sums[key] = (count + 1, value + order.value)
    return [PlacedValue(s, a, lot, n, v) for (s, a, lot), (n, v) in sorted(sums.items())]


def commission_lines(
    placed: Iterable[PlacedValue], rates: Mapping[tuple[str, int], Decimal]
) -> dict[str, tuple[CommissionLine, ...]]:
    """Per supplier, its lines: one per agreement and lot, at the lot's rate (``rates``)."""
    found: dict[str, list[CommissionLine]] = {}
    for p in placed:
        rate = rates.get((p.agreement, p.lot), ZERO)
        found.setdefault(p.supplier, []).append(
            CommissionLine(p.agreement, p.lot, p.orders, p.value, rate, to_cents(p.value * rate))
        )
    return {s: tuple(lines) for s, lines in sorted(found.items())}
