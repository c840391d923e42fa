"""Usage views: a period's usage per member, meter and origin period from its daily rollups
(month to date while open), with the quantities last materialised for the close where the
rollups cannot give them."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import select

from mutua.charging import db as charging_db
from mutua.costing.domain.model import CostModel
from mutua.kernel.periods import Period
from mutua.legacy_store import Store
from mutua.metering.domain import MICRO, Fraction128, billing_quantity
from mutua.metering.duck import connect
from mutua.registry import db as registry_db


def usage_lines(
    paths: Sequence[Path],
    model: CostModel,
    materialised: Mapping[tuple[str, str, int], Decimal],
    member: str | None,
    meter: str | None,
) -> list[dict[str, Any]]:
    """The view's lines from the rollup files ``paths``: sum, count, max and latest are exact from
    the rollups; unique count and time-weighted average need every event, so for them a line shows
    the service total last materialised (``materialised``: see :func:`materialised_quantities`)."""
    lines: list[dict[str, Any]] = []
    con = view_connection()
    rows = con.execute(
        USAGE_FROM_ROLLUPS, {"files": [str(p) for p in paths], "member": member, "meter": meter}
    ).fetchall()
    for r in rows:
        m = model.meter(str(r[2]))
        agg = str(r[3])
        value: Decimal | None
        if agg == "sum":
            value = Decimal(r[7] or 0)
        elif agg == "count":
            value = Decimal(int(r[6]) * MICRO)
        elif agg == "max":
            value = Decimal(r[8] or 0)
        elif agg == "latest":
            value = Decimal(r[9] or 0)
        else:
            value = None
        quantity: str | None
        basis = "rollups"
        if value is not None and m is not None:
            quantity = str(billing_quantity(m, [Fraction128(int(value))]))
        else:
            found = materialised.get((str(r[1]), m.service if m else "", int(r[4])))
            quantity = None if found is None else str(found)
            basis = "materialised service total"
        lines.append(
            {
                "member": r[0],
                "engagement": r[1],
                "meter": r[2],
                "aggregation": agg,
                "service": m.service if m else None,
                "unit": _unit(model, m.service if m else ""),
                "origin_period": str(Period.from_key(int(r[4]))),
                "late": bool(r[5]),
                "events": int(r[6]),
                "quantity": quantity,
                "basis": basis,
                "last_day": str(r[10]),
            }
        )
    return lines


USAGE_FROM_ROLLUPS = """
    SELECT member, engagement, meter, agg, origin_period, bool_or(late), sum(events)::BIGINT,
           sum(sum_micro)::DECIMAL(38,0), max(max_micro), arg_max(last_micro, last_us), max(day)
    FROM read_parquet($files)
    WHERE ($member IS NULL OR member = $member) AND ($meter IS NULL OR meter = $meter)
    GROUP BY ALL
    ORDER BY member, meter, origin_period
"""
"""A period's usage per member, meter and origin period from its rollup files; ``$member`` and
``$meter`` narrow it (None: all)."""

_VIEWS = threading.local()


def view_connection() -> duckdb.DuckDBPyConnection:
    """One DuckDB connection per thread for the views (opening one costs more than the query)."""
    con: duckdb.DuckDBPyConnection | None = getattr(_VIEWS, "con", None)
    if con is None:
        con = connect(threads=1)
        _VIEWS.con = con
    return con


def cost_model(store: Store) -> CostModel:
    """The model in force, parsed once per version (a stored version never changes)."""
    return store.costing.cost_model()[1]


def materialised_quantities(store: Store, period: Period) -> dict[tuple[str, str, int], Decimal]:
    """(engagement, service, origin period) -> the quantity last materialised for ``period``."""
    u, e = charging_db.usage, registry_db.engagements
    q = (
        select(e.c.code, u.c.service, u.c.origin_period_key, u.c.quantity)
        .join(e, e.c.id == u.c.engagement_id)
        .where(u.c.period_key == period.key, u.c.source == "metering")
    )
    return {(r[0], r[1], int(r[2])): r[3] for r in store.c.execute(q)}


def group_by_member(lines: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    result: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for ln in lines:
        result[str(ln["member"])].append(ln)
    return dict(result)


def _unit(model: CostModel, service: str) -> str | None:
    found = model.service(service)
    return None if found is None else found.unit
