"""The proposal of next year's tariffs from this year's actual cost (the tariffs in force are
costing's: :func:`mutua.costing.service.tariffs_in_force`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from mutua.charging.ports import ChargingUnitOfWork
from mutua.charging.service.close import actual_cost
from mutua.costing.domain.catalogue import Tariff, tariff_to_data
from mutua.costing.domain.tariffs import ServiceYear, propose_tariffs
from mutua.costing.modelfile import dump_cost_model
from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.money import ZERO
from mutua.kernel.periods import months_of
from mutua.kernel.problems import Conflict


@dataclass(frozen=True)
class TariffProposal:
    """Next year's tariffs as proposed from this year's actuals.

    Attributes:
        year: the year the tariffs are for.
        tariffs: the proposed tariffs.
        notes: services that could not be priced, and why.
        carried_forward: the balances carried from this year, per service (in the tariffs).
        model: the cost model file's text with the proposed tariffs (to review, then import).
    """

    year: int
    tariffs: tuple[Tariff, ...]
    notes: tuple[str, ...]
    carried_forward: Mapping[str, Decimal]
    model: str

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "tariffs": [tariff_to_data(t) for t in self.tariffs],
            "notes": list(self.notes),
            "carried_forward": {k: str(v) for k, v in self.carried_forward.items()},
            "model": self.model,
        }


@requires(Permission(Action.READ_ASSOCIATION))
def propose_next_year(uow: ChargingUnitOfWork, year: int) -> TariffProposal:
    """Next year's tariffs from ``year``'s actual cost, volumes and carried balance, and the cost model
    text with them added (for the controller to review and import)."""
    periods = months_of(year)
    with uow:
        _, model = uow.costing.cost_model()
        closed = uow.charging.closed_periods()
        if any(p.key not in closed for p in periods):
            raise Conflict(f"every month of {year} must be closed before proposing {year + 1}'s tariffs")
        allocation = actual_cost(uow, year, periods).allocation
        quantities: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for u in uow.charging.drivers([p.key for p in periods]).usage:
            quantities[u.service] += u.quantity
        carried = uow.charging.carry_forwards(year)
    cost: dict[str, Decimal] = defaultdict(lambda: ZERO)
    charged: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for s in allocation.shares:
        cost[s.service] += s.actual
        charged[s.service] += s.charged
    results = {
        code: ServiceYear(code, cost[code], charged[code], quantities[code], carried.get(code, ZERO))
        for code in set(cost) | set(charged)
    }
    proposed, notes = propose_tariffs(model, year, results)
    kept = tuple(t for t in model.tariffs if t.year != year + 1)
    new_model = replace(
        model,
        tariffs=kept + tuple(proposed),
        version=f"{model.version}+{year + 1}",
        _centre_index={},
        _service_index={},
    )
    return TariffProposal(year + 1, tuple(proposed), tuple(notes), carried, dump_cost_model(new_model))
