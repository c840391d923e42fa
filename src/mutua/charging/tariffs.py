"""Tariffs in force, and the proposal of next year's from this year's actual cost."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from mutua.charging.service import actual_allocation
from mutua.costing.domain.catalogue import tariff_to_data
from mutua.costing.domain.tariffs import ServiceYear, propose_tariffs
from mutua.costing.modelfile import dump_cost_model
from mutua.kernel.money import ZERO
from mutua.kernel.periods import months_of
from mutua.kernel.problems import Conflict
from mutua.legacy_store import Store
from mutua.platform.db.engine import UnitOfWork


def tariffs_in_force(engine: Engine, year: int) -> list[dict[str, Any]]:
    with UnitOfWork(engine) as uow:
        _, model = Store(uow.connection).cost_model()
    result = []
    for s in model.services:
        t = model.tariff(year, s.code)
        result.append(
            {
                "service": s.code,
                "name": s.name,
                "charging": s.charging.value,
                "unit": s.unit,
                "tariff": None if t is None else tariff_to_data(t),
            }
        )
    return result


def propose_next_year(engine: Engine, year: int) -> dict[str, Any]:
    """Next year's tariffs from ``year``'s actual cost, volumes and carried balance, and the cost model
    text with them added (for the controller to review and import)."""
    periods = list(months_of(year))
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection)
        _, model = store.cost_model()
        closed = store.closed_periods()
        if any(p.key not in closed for p in periods):
            raise Conflict(f"every month of {year} must be closed before proposing {year + 1}'s tariffs")
        _, allocation = actual_allocation(store, year, periods)
        quantities: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for u in store.drivers([p.key for p in periods]).usage:
            quantities[u.service] += u.quantity
        carried = store.carry_forwards(year)
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
    return {
        "year": year + 1,
        "tariffs": [tariff_to_data(t) for t in proposed],
        "notes": notes,
        "carried_forward": {k: str(v) for k, v in carried.items()},
        "model": dump_cost_model(new_model),
    }
