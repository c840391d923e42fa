"""The review step of the close: what closing a month WOULD charge, computed and not written.

The portal's close is run, review, lock: :func:`preview_close` computes the provisional charges of a
month with exactly the data and the domain function :func:`close_period` uses, inside a unit of
work that is never committed; the controller reviews the totals per service and the problems; then
"lock" is :func:`mutua.charging.service.close_period` itself (charges written, month locked).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from mutua.charging.domain import provisional_charges
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period, months_of
from mutua.legacy_store import Store
from mutua.platform.db.engine import UnitOfWork


def preview_close(engine: Engine, period: Period) -> dict[str, Any]:
    """The charges closing ``period`` would write, summed per service, and what stands in the way."""
    with UnitOfWork(engine) as uow:  # never committed: nothing is written
        store = Store(uow.connection)
        _, model = store.cost_model()
        closed = store.closed_periods()
        blockers: list[str] = []
        if period.key in closed:
            blockers.append(f"period {period} is already closed")
        earlier_open = [p for p in months_of(period.year) if p < period and p.key not in closed]
        if earlier_open:
            blockers.append(f"close {earlier_open[0]} first: periods are closed in order")
        engagements = store.engagements()
        drivers = store.drivers([period.key])
        direct = store.direct_costs_by_centre([period.key])
    charges, problems = provisional_charges(model, period, engagements, drivers)
    by_service: dict[str, Decimal] = defaultdict(lambda: ZERO)
    lines: dict[str, int] = defaultdict(int)
    members: set[str] = set()
    for c in charges:
        by_service[c.service] += c.amount
        lines[c.service] += 1
        members.add(c.member)
    return {
        "period": str(period),
        "closed": period.key in closed,
        "can_lock": not blockers and not problems,
        "blockers": blockers,
        "problems": [p.as_dict() for p in problems],
        "charges": len(charges),
        "members": len(members),
        "total_charged": str(sum(by_service.values(), ZERO)),
        "direct_cost": str(sum(direct.values(), ZERO)),
        "by_service": [
            {
                "service": s.code,
                "name": s.name,
                "lines": lines.get(s.code, 0),
                "amount": str(by_service.get(s.code, ZERO)),
            }
            for s in model.services
            if s.code in by_service
        ],
    }
