"""Read models for the portal and the API: a member's dashboard, an engagement's detail, usage,
the tariffs, and the allocation from ledger to centres to services to members (for a picture).

Projection to year end, per engagement (the same central figure as :func:`member_statement`)::

    projection = spent to date + run rate x months still active + commitments still to come
    run rate   = spent to date / closed months of the year
    low        = spent + (lowest month's spend)  x months still active + commitments
    high       = spent + (highest month's spend) x months still active + commitments

The range always contains the central figure (an engagement that started during the year has a run
rate below its monthly spend). A member's projection and range are the sums over its engagements.
Once December is closed the three figures are the actual spend.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from mutua.charging import db as charging_db
from mutua.charging.service import actual_allocation
from mutua.kernel.money import ZERO, to_cents
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import NotFound
from mutua.legacy_store import Store
from mutua.platform.db import schema
from mutua.platform.db.engine import UnitOfWork
from mutua.registry import db as registry_db
from mutua.registry.domain import Engagement


def reader(connection: Connection) -> Store:
    """A read-only store (the cost model is parsed once per version by the costing repository)."""
    return Store(connection)


def _pct(part: Decimal, whole: Decimal) -> str:
    return str((part * 100 / whole).quantize(Decimal("0.1"))) if whole else "0.0"


@dataclass(frozen=True, slots=True)
class _Projection:
    spent: Decimal
    central: Decimal
    low: Decimal
    high: Decimal


def _project(
    engagement: Engagement, monthly: dict[int, Decimal], closed: list[Period], year: int, committed: Decimal
) -> _Projection:
    spent = sum(monthly.values(), ZERO)
    if not closed:
        return _Projection(spent, spent + committed, spent + committed, spent + committed)
    last = closed[-1]
    amounts = [monthly.get(p.key, ZERO) for p in closed if engagement.is_active_between(p.first_day, p.last_day)]
    amounts = amounts or [ZERO]
    run_rate = to_cents(spent / len(closed))
    left = sum(1 for p in months_of(year) if p > last and engagement.is_active_between(p.first_day, p.last_day))
    central = spent + run_rate * left + committed
    low = spent + min(amounts) * left + committed
    high = spent + max(amounts) * left + committed
    return _Projection(spent, central, min(low, central), max(high, central))


def _closed_in(store: Store, year: int) -> list[Period]:
    closed = store.closed_periods()
    return [p for p in months_of(year) if p.key in closed]


def _monthly_by_engagement(
    c: Connection, member: str | None, keys: list[int], engagement: str | None = None
) -> list[tuple[str, str, int, str, Decimal]]:
    """(engagement, service, period_key, kind, amount) summed."""
    ch, e, m = charging_db.charges, registry_db.engagements, registry_db.members
    q = (
        select(e.c.code, ch.c.service, ch.c.period_key, ch.c.kind, func.sum(ch.c.amount))
        .join(e, e.c.id == ch.c.engagement_id)
        .where(ch.c.period_key.in_(keys))
        .group_by(e.c.code, ch.c.service, ch.c.period_key, ch.c.kind)
    )
    if member is not None:
        q = q.join(m, m.c.id == ch.c.member_id).where(m.c.enterprise_number == member)
    if engagement is not None:
        q = q.where(e.c.code == engagement)
    return [(r[0], r[1], int(r[2]), r[3], r[4]) for r in c.execute(q)]


def _commitments_after(store: Store, year: int, after: Period | None) -> dict[str, Decimal]:
    result: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for code, items in store.commitments(year).items():
        for p, amount, _ in items:
            if after is None or p > after:
                result[code] += amount
    return result


def member_dashboard(engine: Engine, member: str, year: int) -> dict[str, Any]:
    """Spend by service and by month, year to date against budget, and the projection with its range."""
    with UnitOfWork(engine) as uow:
        store = reader(uow.connection)
        _, model = store.cost_model()
        m = store.member(member)
        if m is None:
            raise NotFound(f"no member with enterprise number {member}")
        closed = _closed_in(store, year)
        keys = [p.key for p in closed]
        rows = _monthly_by_engagement(uow.connection, member, keys)
        engagements = store.engagements(member)
        committed = _commitments_after(store, year, closed[-1] if closed else None)
    first, last = Period(year, 1).first_day, Period(year, 12).last_day
    by_service_month: dict[tuple[str, int], Decimal] = defaultdict(lambda: ZERO)
    by_engagement_month: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    true_up = ZERO
    for code, service, key, kind, amount in rows:
        by_service_month[(service, key)] += amount
        by_engagement_month[code][key] += amount
        if kind == "true_up":
            true_up += amount
    lines = []
    totals = _Projection(ZERO, ZERO, ZERO, ZERO)
    budget = ZERO
    for e in engagements:
        if e.code not in by_engagement_month and not e.is_active_between(first, last):
            continue
        p = _project(e, by_engagement_month.get(e.code, {}), closed, year, committed.get(e.code, ZERO))
        budget += e.budget
        totals = _Projection(
            totals.spent + p.spent, totals.central + p.central, totals.low + p.low, totals.high + p.high
        )
        lines.append(
            {
                "engagement": e.code,
                "title": e.title,
                "kind": e.kind.value,
                "service": e.service,
                "budget": str(e.budget),
                "spent": str(p.spent),
                "budget_used_pct": _pct(p.spent, e.budget),
                "projection": str(p.central),
                "projection_low": str(p.low),
                "projection_high": str(p.high),
                "over_budget": p.central > e.budget,
            }
        )
    services = sorted({s for s, _ in by_service_month})
    return {
        "member": {"enterprise_number": m.enterprise_number, "name": m.name, "language": m.language.value},
        "year": year,
        "closed_periods": [str(p) for p in closed],
        "months_left": 12 - (closed[-1].month if closed else 0),
        "budget": str(budget),
        "spent": str(totals.spent),
        "true_up": str(true_up),
        "budget_used_pct": _pct(totals.spent, budget),
        "projection": str(totals.central),
        "projection_low": str(totals.low),
        "projection_high": str(totals.high),
        "over_budget": totals.central > budget,
        "by_service": [
            {
                "service": s,
                "name": (found.name if (found := model.service(s)) else s),
                "amount": str(sum((v for (sv, _), v in by_service_month.items() if sv == s), ZERO)),
            }
            for s in services
        ],
        "by_month": [
            {"period": str(Period.from_key(k)), "service": s, "amount": str(v)}
            for (s, k), v in sorted(by_service_month.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        ],
        "engagements": lines,
    }


def engagement_detail(engine: Engine, code: str, year: int) -> dict[str, Any]:
    """One engagement: its terms, charges by month and service, usage, commitments and projection."""
    with UnitOfWork(engine) as uow:
        store = reader(uow.connection)
        found = [e for e in store.engagements() if e.code == code]
        if not found:
            raise NotFound(f"no engagement {code!r}")
        e = found[0]
        closed = _closed_in(store, year)
        rows = _monthly_by_engagement(uow.connection, None, [p.key for p in closed], engagement=code)
        usage = _usage(uow.connection, None, year, engagement=code)
        commitments = store.commitments(year).get(code, [])
        after = closed[-1] if closed else None
    monthly: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for _, _, key, _, amount in rows:
        monthly[key] += amount
    committed = sum((a for p, a, _ in commitments if after is None or p > after), ZERO)
    p = _project(e, monthly, closed, year, committed)
    return {
        "engagement": e.code,
        "member": e.member,
        "title": e.title,
        "kind": e.kind.value,
        "service": e.service,
        "budget": str(e.budget),
        "starts_on": e.starts_on.isoformat(),
        "ends_on": None if e.ends_on is None else e.ends_on.isoformat(),
        "buyer_reference": e.buyer_reference,
        "year": year,
        "spent": str(p.spent),
        "projection": str(p.central),
        "projection_low": str(p.low),
        "projection_high": str(p.high),
        "charges": [
            {"period": str(Period.from_key(key)), "service": service, "kind": kind, "amount": str(amount)}
            for _, service, key, kind, amount in sorted(rows, key=lambda r: (r[2], r[1], r[3]))
        ],
        "usage": usage,
        "commitments": [{"period": str(p), "amount": str(a), "description": d} for p, a, d in sorted(commitments)],
    }


def _usage(c: Connection, member: str | None, year: int, engagement: str | None = None) -> list[dict[str, str]]:
    u, e, m = charging_db.usage, registry_db.engagements, registry_db.members
    q = (
        select(e.c.code, u.c.service, u.c.period_key, func.sum(u.c.quantity))
        .join(e, e.c.id == u.c.engagement_id)
        .where(u.c.period_key.between(year * 100 + 1, year * 100 + 12))
        .group_by(e.c.code, u.c.service, u.c.period_key)
        .order_by(u.c.period_key, e.c.code, u.c.service)
    )
    if member is not None:
        q = q.join(m, m.c.id == e.c.member_id).where(m.c.enterprise_number == member)
    if engagement is not None:
        q = q.where(e.c.code == engagement)
    return [
        {"engagement": r[0], "service": r[1], "period": str(Period.from_key(int(r[2]))), "quantity": str(r[3])}
        for r in c.execute(q)
    ]


def member_usage(engine: Engine, member: str, year: int) -> list[dict[str, str]]:
    with UnitOfWork(engine) as uow:
        if Store(uow.connection).member(member) is None:
            raise NotFound(f"no member with enterprise number {member}")
        return _usage(uow.connection, member, year)


def tariffs(engine: Engine, year: int | None = None) -> list[dict[str, Any]]:
    """The services of the model in force with their tariffs (every year, or one)."""
    with UnitOfWork(engine) as uow:
        _, model = reader(uow.connection).cost_model()
    result = []
    for s in model.services:
        for tr in model.tariffs:
            if tr.service != s.code or (year is not None and tr.year != year):
                continue
            result.append(
                {
                    "service": s.code,
                    "name": s.name,
                    "charging": s.charging.value,
                    "unit": s.unit,
                    "year": tr.year,
                    "price": None if tr.price is None else str(tr.price),
                    "markup": None if tr.markup is None else str(tr.markup),
                    "annual": None if tr.annual is None else str(tr.annual),
                    "grades": [{"grade": g, "rate": str(r)} for g, r in tr.grades],
                }
            )
    return result


def services(engine: Engine) -> list[dict[str, str]]:
    with UnitOfWork(engine) as uow:
        _, model = reader(uow.connection).cost_model()
    return [
        {
            "service": s.code,
            "name": s.name,
            "centre": s.centre,
            "activity": s.activity.value,
            "charging": s.charging.value,
            "unit": s.unit,
            "unit_code": s.unit_code,
        }
        for s in model.services
    ]


# -- the allocation as a picture ----------------------------------------------------------------


def data_version(engine: Engine) -> int:
    """The id of the newest audit entry: every write is audited, so any change moves it (a cache key)."""
    with UnitOfWork(engine) as uow:
        return int(uow.connection.execute(select(func.max(schema.audit_log.c.id))).scalar_one() or 0)


def close_fingerprint(engine: Engine, year: int) -> tuple[int, int]:
    """Changes whenever a month of ``year`` is closed or its true-up runs (a cache key)."""
    with UnitOfWork(engine) as uow:
        c = uow.connection
        closed = c.execute(
            select(func.count()).where(charging_db.periods.c.period_key.between(year * 100 + 1, year * 100 + 12))
        ).scalar_one()
        last_run = c.execute(
            select(func.max(charging_db.close_runs.c.id)).where(charging_db.close_runs.c.year == year)
        ).scalar_one()
    return int(closed), int(last_run or 0)


def _link(links: list[dict[str, str]], source: str, target: str, amount: Decimal) -> None:
    if amount > 0:
        links.append({"source": source, "target": target, "amount": str(amount)})


def allocation_flows(engine: Engine, year: int) -> dict[str, Any]:
    """Ledger (account class) -> cost centres -> services -> client groups, for the closed months.

    Each link is an exact amount in cents. Support centres pass their cost to the final centres
    (the model's method); income (negative) lines are listed in ``income`` but not drawn.
    """
    with UnitOfWork(engine) as uow:
        store = reader(uow.connection)
        _, model = store.cost_model()
        closed = _closed_in(store, year)
        if not closed:
            return {"year": year, "periods_closed": 0, "nodes": [], "links": [], "income": []}
        keys = [p.key for p in closed]
        ll = charging_db.ledger_lines
        prefix = func.substr(ll.c.account, 1, 2)
        ledger = [
            (r[0], r[1], (r[2] or ZERO) + (r[3] or ZERO))
            for r in uow.connection.execute(
                select(prefix, ll.c.centre, func.sum(ll.c.amount), func.sum(ll.c.nd_vat))
                .where(ll.c.period_key.in_(keys))
                .group_by(prefix, ll.c.centre)
            )
        ]
        support, allocation = actual_allocation(store, year, closed)
        groups = {m.enterprise_number: m.client_group.value for m in store.members()}
    links: list[dict[str, str]] = []
    income: list[dict[str, str]] = []
    for account_class, centre, amount in sorted(ledger):
        if amount > 0:
            _link(links, f"ledger:{account_class}", f"centre:{centre}", amount)
        elif amount < 0:
            income.append({"account_class": account_class, "centre": centre, "amount": str(amount)})
    final = {c.code for c in model.final_centres}
    moved: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    for f in support.flows:
        moved[(f.source, f.target)] += f.amount
    for (source, target), amount in sorted(moved.items()):
        _link(links, f"centre:{source}", f"centre:{target}", to_cents(amount))
    for s in model.services:
        if s.centre in final:
            _link(links, f"centre:{s.centre}", f"service:{s.code}", allocation.service_cost.get(s.code, ZERO))
    to_group: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for share in allocation.shares:
        to_group[(share.service, groups.get(share.member, "other"))] += share.actual
    for (service, group), amount in sorted(to_group.items()):
        _link(links, f"service:{service}", f"group:{group}", amount)
    names: dict[str, str] = {}
    for c in model.centres:
        names[f"centre:{c.code}"] = f"{c.code} {c.name}"
    for s in model.services:
        names[f"service:{s.code}"] = s.name
    for rule in model.accounts:
        names[f"ledger:{rule.prefix}"] = f"{rule.prefix} {rule.name}"
    used = {x for link in links for x in (link["source"], link["target"])}
    nodes = []
    for node in sorted(used, key=_node_order(model)):
        kind, _, code = node.partition(":")
        column = {"ledger": 0, "group": 4, "service": 3}.get(kind)
        if column is None:
            found = model.centre(code)
            column = 2 if found is not None and found.is_final else 1
        nodes.append({"id": node, "kind": kind, "code": code, "name": names.get(node, code), "column": column})
    return {
        "year": year,
        "periods_closed": len(closed),
        "method": support.method.value,
        "total_cost": str(support.total),
        "nodes": nodes,
        "links": links,
        "income": income,
    }


def _node_order(model: Any) -> Any:
    centre_order = {c.code: i for i, c in enumerate(model.centres)}
    service_order = {s.code: i for i, s in enumerate(model.services)}

    def key(node: str) -> tuple[int, str]:
        kind, _, code = node.partition(":")
        if kind == "centre":
            return (centre_order.get(code, 999), code)
        if kind == "service":
            return (service_order.get(code, 999), code)
        return (0, code)

    return key


def true_up_by_member(engine: Engine, year: int) -> dict[str, Any]:
    """The true-up of a year per member: charged provisionally, actual share, and the difference
    (positive: the member owes it; negative: it is refunded or carried forward)."""
    s, m = charging_db.true_up_shares, registry_db.members
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection)
        run = store.true_up_run(year)
        rows = uow.connection.execute(
            select(m.c.enterprise_number, m.c.name, func.sum(s.c.charged), func.sum(s.c.actual))
            .join(m, m.c.id == s.c.member_id)
            .where(s.c.year == year)
            .group_by(m.c.enterprise_number, m.c.name)
            .order_by(m.c.name)
        ).all()
    members = [
        {
            "member": r[0],
            "name": r[1],
            "charged": str(r[2]),
            "actual": str(r[3]),
            "difference": str(r[3] - r[2]),
        }
        for r in rows
    ]
    return {
        "year": year,
        "run": None if run is None else {"mode": run["mode"], "at": run["at"].isoformat() + "Z", "by": run["actor"]},
        "charged": str(sum((Decimal(x["charged"]) for x in members), ZERO)),
        "actual": str(sum((Decimal(x["actual"]) for x in members), ZERO)),
        "difference": str(sum((Decimal(x["difference"]) for x in members), ZERO)),
        "members": members,
    }
