"""Tariff setting: next year's provisional tariffs from this year's actual cost, volumes and the
balance the board chose to carry forward (as university recharge centres do).

For each service, the cost to recover next year is this year's actual cost less what was
over-recovered (or plus what was under-recovered) and carried forward; the new tariff recovers it
at this year's volume::

    usage, reserved capacity: price  = (cost - carried) / quantity
    time:                     rate_g = rate_g x (cost - carried) / charged
    real cost:                1 + markup' = (1 + markup) x (cost - carried) / charged
    fixed share, even split:  annual = cost - carried
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from mutua.costing.domain.catalogue import Charging, Tariff
from mutua.costing.domain.model import CostModel
from mutua.kernel.money import ZERO

PRICE = Decimal("0.000001")
RATE = Decimal("0.01")
MARKUP = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class ServiceYear:
    """What a service did in a year.

    Attributes:
        service: the service code.
        cost: its actual cost.
        charged: what was charged provisionally.
        quantity: the quantity delivered (usage and capacity services).
        carried: the balance carried forward (positive: over-recovered, to give back).
    """

    service: str
    cost: Decimal
    charged: Decimal
    quantity: Decimal
    carried: Decimal = ZERO


def propose_tariffs(model: CostModel, year: int, results: Mapping[str, ServiceYear]) -> tuple[list[Tariff], list[str]]:
    """Tariffs for ``year + 1``; returns them and notes on services that could not be priced."""
    proposed: list[Tariff] = []
    notes: list[str] = []
    for service in model.services:
        old = model.tariff(year, service.code)
        r = results.get(service.code)
        if old is None or r is None:
            notes.append(f"{service.code}: no {year} tariff or activity; keep it as it is")
            continue
        target = r.cost - r.carried
        if service.charging in (Charging.USAGE, Charging.RESERVED_CAPACITY):
            if r.quantity <= 0:
                notes.append(f"{service.code}: no quantity delivered in {year}; cannot price it")
                continue
            proposed.append(Tariff(year + 1, service.code, price=(target / r.quantity).quantize(PRICE)))
        elif service.charging in (Charging.FIXED_SHARE, Charging.EVEN_SPLIT):
            proposed.append(Tariff(year + 1, service.code, annual=target.quantize(RATE)))
        elif r.charged <= 0:
            notes.append(f"{service.code}: nothing charged in {year}; cannot scale its tariff")
        elif service.charging is Charging.TIME:
            factor = target / r.charged
            proposed.append(
                Tariff(
                    year + 1, service.code, grades=tuple((g, (rate * factor).quantize(RATE)) for g, rate in old.grades)
                )
            )
        else:
            markup = ((1 + (old.markup or ZERO)) * target / r.charged - 1).quantize(MARKUP)
            proposed.append(Tariff(year + 1, service.code, markup=max(markup, ZERO)))
    return proposed, notes
