"""Transparency: the association's report and each member's statement."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from mutua.charging.service import actual_allocation
from mutua.kernel.money import ZERO, to_cents
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import NotFound
from mutua.legacy_store import Store
from mutua.platform.db.engine import UnitOfWork
from mutua.registry.domain import ClientGroup


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.01")) if whole else ZERO


def association_report(engine: Engine, year: int) -> dict[str, Any]:
    """Cost by centre before and after allocation, result per service, revenue by activity and
    client group, and the zero-result check, for the closed months of ``year``."""
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection)
        _, model = store.cost_model()
        closed = store.closed_periods()
        periods = [p for p in months_of(year) if p.key in closed]
        keys = [p.key for p in periods]
        run = store.true_up_run(year)
        report: dict[str, Any] = {
            "year": year,
            "association": model.association.name,
            "periods_closed": len(periods),
            "true_up": None if run is None else run["mode"],
        }
        if not periods:
            report["note"] = "no closed period in this year"
            return report
        support, allocation = actual_allocation(store, year, periods)
        charged_rows = store.charged_totals(keys)
        members = {m.enterprise_number: m for m in store.members()}
        carried = store.carry_forwards(year)

    revenue_by_service: dict[str, Decimal] = defaultdict(lambda: ZERO)
    revenue_by_group: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for member, _engagement, service, amount in charged_rows:
        revenue_by_service[service] += amount
        revenue_by_group[members[member].client_group.value] += amount
    revenue = sum(revenue_by_service.values(), ZERO)
    revenue_by_activity: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for code, amount in revenue_by_service.items():
        found = model.service(code)
        revenue_by_activity[found.activity.value if found else "unknown"] += amount
    cost = support.total
    carried_total = sum(carried.values(), ZERO)
    result = revenue - cost
    report.update(
        {
            "centres": [
                {
                    "centre": c.code,
                    "name": c.name,
                    "kind": c.kind.value,
                    "direct": str(support.direct.get(c.code, ZERO)),
                    "received": str(support.received(c.code)) if c.is_final else "0.00",
                    "after_allocation": str(support.final.get(c.code, ZERO)),
                }
                for c in model.centres
            ],
            "support_method": support.method.value,
            "services": [
                {
                    "service": s.code,
                    "name": s.name,
                    "activity": s.activity.value,
                    "revenue": str(revenue_by_service.get(s.code, ZERO)),
                    "cost": str(allocation.service_cost.get(s.code, ZERO)),
                    "result": str(revenue_by_service.get(s.code, ZERO) - allocation.service_cost.get(s.code, ZERO)),
                }
                for s in model.services
            ],
            "revenue_by_activity": [
                {"activity": a, "revenue": str(v), "share_pct": str(_pct(v, revenue))}
                for a, v in sorted(revenue_by_activity.items(), key=lambda kv: -kv[1])
            ],
            "revenue_by_client_group": [
                {
                    "client_group": g.value,
                    "revenue": str(revenue_by_group.get(g.value, ZERO)),
                    "share_pct": str(_pct(revenue_by_group.get(g.value, ZERO), revenue)),
                }
                for g in ClientGroup
            ],
            "total_cost": str(cost),
            "total_revenue": str(revenue),
            "carried_forward": str(carried_total),
            "result": str(result),
            "zero_result": run is not None and result - carried_total == 0,
        }
    )
    return report


@dataclass(frozen=True)
class _Line:
    period: Period
    service: str
    detail: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal


def member_statement(engine: Engine, member: str, period: Period) -> dict[str, Any]:
    """A member's statement for a period: each engagement's charges that month, the total to
    date, the budget against actual and the projection to the year's end."""
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection)
        _, model = store.cost_model()
        m = store.member(member)
        if m is None:
            raise NotFound(f"no member with enterprise number {member}")
        closed = store.closed_periods()
        year_keys = [p.key for p in months_of(period.year) if p <= period and p.key in closed]
        charges = store.charges(year_keys, member=member)
        engagements = store.engagements(member)
        commitments = store.commitments(period.year)
    months_elapsed = len(year_keys)
    months_left = 12 - period.month
    lines_by_engagement: dict[str, list[_Line]] = defaultdict(list)
    to_date: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for c in charges:
        to_date[c.engagement] += c.amount
        if c.period == period:
            lines_by_engagement[c.engagement].append(
                _Line(c.period, c.service, c.detail, c.quantity, c.unit, c.unit_price, c.amount)
            )
    result_engagements: list[dict[str, Any]] = []
    for e in engagements:
        if e.code not in to_date and not e.is_active_between(period.first_day, period.last_day):
            continue
        spent = to_date.get(e.code, ZERO)
        run_rate = to_cents(spent / months_elapsed) if months_elapsed else ZERO
        still_active_months = sum(
            1 for p in months_of(period.year) if p > period and e.is_active_between(p.first_day, p.last_day)
        )
        committed = sum((a for p, a, _ in commitments.get(e.code, []) if p > period), ZERO)
        projection = spent + run_rate * still_active_months + committed
        lines = lines_by_engagement.get(e.code, [])
        result_engagements.append(
            {
                "engagement": e.code,
                "title": e.title,
                "kind": e.kind.value,
                "buyer_reference": e.buyer_reference,
                "lines": [
                    {
                        "service": ln.service,
                        "service_name": (s.name if (s := model.service(ln.service)) else ln.service),
                        "detail": ln.detail,
                        "quantity": str(ln.quantity),
                        "unit": ln.unit,
                        "unit_price": str(ln.unit_price),
                        "amount": str(ln.amount),
                    }
                    for ln in lines
                ],
                "period_total": str(sum((ln.amount for ln in lines), ZERO)),
                "to_date": str(spent),
                "budget": str(e.budget),
                "budget_used_pct": str(_pct(spent, e.budget)),
                "run_rate": str(run_rate),
                "commitments": str(committed),
                "projection": str(projection),
                "projection_over_budget": projection > e.budget,
            }
        )
    return {
        "member": {"enterprise_number": m.enterprise_number, "name": m.name, "language": m.language.value},
        "period": str(period),
        "closed": period.key in closed,
        "months_left": months_left,
        "engagements": result_engagements,
        "period_total": str(sum((Decimal(e["period_total"]) for e in result_engagements), ZERO)),
        "to_date": str(sum((Decimal(e["to_date"]) for e in result_engagements), ZERO)),
        "budget": str(sum((Decimal(e["budget"]) for e in result_engagements), ZERO)),
        "projection": str(sum((Decimal(e["projection"]) for e in result_engagements), ZERO)),
    }


STATEMENT_COLUMNS = ("engagement", "title", "service", "detail", "quantity", "unit", "unit_price", "amount")


def statement_csv(statement: dict[str, Any]) -> str:
    """A member statement's lines as CSV text (one row per charged line of the period)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(STATEMENT_COLUMNS)
    for e in statement["engagements"]:
        for ln in e["lines"]:
            writer.writerow([e["engagement"], e["title"], *(ln[c] for c in STATEMENT_COLUMNS[2:])])
    return buffer.getvalue()
