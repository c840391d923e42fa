"""Read models for the portal and the API: a member's dashboard, an engagement's detail, usage,
the true-up per member, and the allocation from ledger to centres to services to members (for a
picture). Each is a typed record with Decimal amounts; ``as_json`` gives the API's shape.

Spend is projected to the year's end by :func:`mutua.charging.domain.project` (the statement's
rule too), from the last closed month; a member's projection and range are the sums over its
engagements. Once December is closed the three figures are the actual spend.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from mutua.charging.domain import MemberShare, Projection, TrueUpRun, UsageMonth, project
from mutua.charging.domain.projection import NOTHING
from mutua.charging.ports import ChargingUnitOfWork
from mutua.charging.reporting import MemberHeading
from mutua.charging.service import actual_cost
from mutua.costing.domain.model import CostModel
from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.money import ZERO, to_cents
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import NotFound


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal("0.0")


def _closed_in(uow: ChargingUnitOfWork, year: int) -> list[Period]:
    closed = uow.charging.closed_periods()
    return [p for p in months_of(year) if p.key in closed]


def _usage_json(u: UsageMonth) -> dict[str, str]:
    return {"engagement": u.engagement, "service": u.service, "period": str(u.period), "quantity": str(u.quantity)}


# -- a member's dashboard -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EngagementSpend:
    """An engagement on the dashboard: budget, spend to date and projection."""

    engagement: str
    title: str
    kind: str
    service: str | None
    budget: Decimal
    projected: Projection

    @property
    def spent(self) -> Decimal:
        return self.projected.spent

    @property
    def projection(self) -> Decimal:
        return self.projected.central

    @property
    def projection_low(self) -> Decimal:
        return self.projected.low

    @property
    def projection_high(self) -> Decimal:
        return self.projected.high

    @property
    def budget_used_pct(self) -> Decimal:
        return _pct(self.spent, self.budget)

    @property
    def over_budget(self) -> bool:
        return self.projection > self.budget

    def as_json(self) -> dict[str, Any]:
        return {
            "engagement": self.engagement,
            "title": self.title,
            "kind": self.kind,
            "service": self.service,
            "budget": str(self.budget),
            "spent": str(self.spent),
            "budget_used_pct": str(self.budget_used_pct),
            "projection": str(self.projection),
            "projection_low": str(self.projection_low),
            "projection_high": str(self.projection_high),
            "over_budget": self.over_budget,
        }


@dataclass(frozen=True, slots=True)
class ServiceSpend:
    service: str
    name: str
    amount: Decimal

    def as_json(self) -> dict[str, str]:
        return {"service": self.service, "name": self.name, "amount": str(self.amount)}


@dataclass(frozen=True, slots=True)
class MonthSpend:
    period: Period
    service: str
    amount: Decimal

    def as_json(self) -> dict[str, str]:
        return {"period": str(self.period), "service": self.service, "amount": str(self.amount)}


@dataclass(frozen=True)
class Dashboard:
    """A member's year: spend by service and by month, year to date against budget, and the
    projection to the year's end with its range.

    Attributes:
        member: the member.
        year: the year.
        closed_periods: the closed months of the year.
        true_up: the true-up charges included in the spend.
        by_service: spend per service (by code).
        by_month: spend per month and service.
        engagements: its engagements charged or active in the year.
    """

    member: MemberHeading
    year: int
    closed_periods: tuple[Period, ...]
    true_up: Decimal
    by_service: tuple[ServiceSpend, ...]
    by_month: tuple[MonthSpend, ...]
    engagements: tuple[EngagementSpend, ...]

    @property
    def months_left(self) -> int:
        return 12 - (self.closed_periods[-1].month if self.closed_periods else 0)

    @property
    def budget(self) -> Decimal:
        return sum((e.budget for e in self.engagements), ZERO)

    @property
    def projected(self) -> Projection:
        total = NOTHING
        for e in self.engagements:
            total = total + e.projected
        return total

    @property
    def spent(self) -> Decimal:
        return self.projected.spent

    @property
    def projection(self) -> Decimal:
        return self.projected.central

    @property
    def projection_low(self) -> Decimal:
        return self.projected.low

    @property
    def projection_high(self) -> Decimal:
        return self.projected.high

    @property
    def budget_used_pct(self) -> Decimal:
        return _pct(self.spent, self.budget)

    @property
    def over_budget(self) -> bool:
        return self.projection > self.budget

    def as_json(self) -> dict[str, Any]:
        return {
            "member": self.member.as_json(),
            "year": self.year,
            "closed_periods": [str(p) for p in self.closed_periods],
            "months_left": self.months_left,
            "budget": str(self.budget),
            "spent": str(self.spent),
            "true_up": str(self.true_up),
            "budget_used_pct": str(self.budget_used_pct),
            "projection": str(self.projection),
            "projection_low": str(self.projection_low),
            "projection_high": str(self.projection_high),
            "over_budget": self.over_budget,
            "by_service": [s.as_json() for s in self.by_service],
            "by_month": [m.as_json() for m in self.by_month],
            "engagements": [e.as_json() for e in self.engagements],
        }


@requires(Permission(member_scoped=True))
def member_dashboard(uow: ChargingUnitOfWork, member: str, year: int) -> Dashboard:
    """Spend by service and by month, year to date against budget, and the projection with its range."""
    with uow:
        _, model = uow.costing.cost_model()
        m = uow.registry.member(member)
        if m is None:
            raise NotFound(f"no member with enterprise number {member}")
        closed = _closed_in(uow, year)
        rows = uow.charging.monthly_charges([p.key for p in closed], member=member)
        engagements = uow.registry.engagements(member)
        commitments = uow.registry.commitments(year)
    first, last = Period(year, 1).first_day, Period(year, 12).last_day
    by_service_month: dict[tuple[str, int], Decimal] = defaultdict(lambda: ZERO)
    by_engagement_month: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    true_up = ZERO
    for r in rows:
        by_service_month[(r.service, r.period.key)] += r.amount
        by_engagement_month[r.engagement][r.period.key] += r.amount
        if r.kind == "true_up":
            true_up += r.amount
    lines = []
    for e in engagements:
        if e.code not in by_engagement_month and not e.is_active_between(first, last):
            continue
        expected = [(p, a) for p, a, _ in commitments.get(e.code, [])]
        projected = project(e, year, by_engagement_month.get(e.code, {}), closed, expected)
        lines.append(EngagementSpend(e.code, e.title, e.kind.value, e.service, e.budget, projected))
    by_service = []
    for s in sorted({s for s, _ in by_service_month}):
        found = model.service(s)
        amount = sum((v for (sv, _), v in by_service_month.items() if sv == s), ZERO)
        by_service.append(ServiceSpend(s, found.name if found else s, amount))
    by_month = [
        MonthSpend(Period.from_key(k), s, v)
        for (s, k), v in sorted(by_service_month.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    return Dashboard(
        MemberHeading.of(m), year, tuple(closed), true_up, tuple(by_service), tuple(by_month), tuple(lines)
    )


# -- an engagement ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EngagementCharge:
    period: Period
    service: str
    kind: str
    amount: Decimal

    def as_json(self) -> dict[str, str]:
        return {"period": str(self.period), "service": self.service, "kind": self.kind, "amount": str(self.amount)}


@dataclass(frozen=True, slots=True)
class ExpectedCharge:
    """A commitment: a charge expected in a month."""

    period: Period
    amount: Decimal
    description: str

    def as_json(self) -> dict[str, str]:
        return {"period": str(self.period), "amount": str(self.amount), "description": self.description}


@dataclass(frozen=True)
class EngagementDetail:
    """One engagement in a year: its terms, charges by month and service, usage, commitments and
    projection. ``member_name`` is for the pages (the API gives the member's number only)."""

    engagement: str
    member: str
    member_name: str
    title: str
    kind: str
    service: str | None
    budget: Decimal
    starts_on: date
    ends_on: date | None
    buyer_reference: str
    year: int
    projected: Projection
    charges: tuple[EngagementCharge, ...]
    usage: tuple[UsageMonth, ...]
    commitments: tuple[ExpectedCharge, ...]

    @property
    def spent(self) -> Decimal:
        return self.projected.spent

    @property
    def projection(self) -> Decimal:
        return self.projected.central

    @property
    def projection_low(self) -> Decimal:
        return self.projected.low

    @property
    def projection_high(self) -> Decimal:
        return self.projected.high

    def as_json(self) -> dict[str, Any]:
        return {
            "engagement": self.engagement,
            "member": self.member,
            "title": self.title,
            "kind": self.kind,
            "service": self.service,
            "budget": str(self.budget),
            "starts_on": self.starts_on.isoformat(),
            "ends_on": None if self.ends_on is None else self.ends_on.isoformat(),
            "buyer_reference": self.buyer_reference,
            "year": self.year,
            "spent": str(self.spent),
            "projection": str(self.projection),
            "projection_low": str(self.projection_low),
            "projection_high": str(self.projection_high),
            "charges": [c.as_json() for c in self.charges],
            "usage": [_usage_json(u) for u in self.usage],
            "commitments": [c.as_json() for c in self.commitments],
        }


@requires(Permission(member_scoped=True))
def engagement_detail(uow: ChargingUnitOfWork, code: str, year: int) -> EngagementDetail:
    """One engagement: its terms, charges by month and service, usage, commitments and projection.

    Member-scoped: the caller checks the user against the engagement's ``member``."""
    with uow:
        found = uow.registry.engagements(code=code)
        if not found:
            raise NotFound(f"no engagement {code!r}")
        e = found[0]
        owner = uow.registry.member(e.member)
        closed = _closed_in(uow, year)
        rows = uow.charging.monthly_charges([p.key for p in closed], engagement=code)
        usage = uow.charging.usage_by_month(year, engagement=code)
        commitments = uow.registry.commitments(year).get(code, [])
    monthly: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        monthly[r.period.key] += r.amount
    projected = project(e, year, monthly, closed, [(p, a) for p, a, _ in commitments])
    return EngagementDetail(
        e.code,
        e.member,
        owner.name if owner is not None else e.member,
        e.title,
        e.kind.value,
        e.service,
        e.budget,
        e.starts_on,
        e.ends_on,
        e.buyer_reference,
        year,
        projected,
        tuple(
            EngagementCharge(r.period, r.service, r.kind, r.amount)
            for r in sorted(rows, key=lambda r: (r.period, r.service, r.kind))
        ),
        tuple(usage),
        tuple(ExpectedCharge(p, a, d) for p, a, d in sorted(commitments)),
    )


# -- usage ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberUsage:
    """A member's usage in a year, per engagement, service and month."""

    member: MemberHeading
    year: int
    rows: tuple[UsageMonth, ...]

    def as_json(self) -> list[dict[str, str]]:
        return [_usage_json(u) for u in self.rows]


@requires(Permission(member_scoped=True))
def member_usage(uow: ChargingUnitOfWork, member: str, year: int) -> MemberUsage:
    with uow:
        m = uow.registry.member(member)
        if m is None:
            raise NotFound(f"no member with enterprise number {member}")
        return MemberUsage(MemberHeading.of(m), year, tuple(uow.charging.usage_by_month(year, member=member)))


# -- keys of the web's caches -----------------------------------------------------------------------


@requires(Permission())
def data_version(uow: ChargingUnitOfWork) -> int:
    """The id of the newest audit entry: every write is audited, so any change moves it (a cache key)."""
    with uow:
        return uow.audit.version()


@requires(Permission())
def close_fingerprint(uow: ChargingUnitOfWork, year: int) -> tuple[int, int]:
    """Changes whenever a month of ``year`` is closed or its true-up runs (a cache key)."""
    with uow:
        return uow.charging.close_fingerprint(year)


@requires(Permission())
def latest_year(uow: ChargingUnitOfWork) -> int:
    """The year of the latest closed month (this year when nothing is closed)."""
    with uow:
        latest = uow.charging.latest_closed_period()
    return latest.year if latest is not None else datetime.now(UTC).year


# -- the allocation as a picture ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlowNode:
    """A node of the picture: a ledger account class, a centre, a service or a client group."""

    id: str
    kind: str
    code: str
    name: str
    column: int

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "code": self.code, "name": self.name, "column": self.column}


@dataclass(frozen=True, slots=True)
class FlowLink:
    """An exact amount moved from one node to another (always positive)."""

    source: str
    target: str
    amount: Decimal

    def as_json(self) -> dict[str, str]:
        return {"source": self.source, "target": self.target, "amount": str(self.amount)}


@dataclass(frozen=True, slots=True)
class IncomeLine:
    """Income of an account class on a centre (negative: it reduces the centre's cost; not drawn)."""

    account_class: str
    centre: str
    amount: Decimal

    def as_json(self) -> dict[str, str]:
        return {"account_class": self.account_class, "centre": self.centre, "amount": str(self.amount)}


@dataclass(frozen=True)
class AllocationFlows:
    """Ledger (account class) -> cost centres -> services -> client groups, for the closed months.

    Attributes:
        year: the year.
        periods_closed: its closed months (nothing to draw when 0).
        method: the support allocation's method.
        total_cost: the closed months' cost.
        nodes: the nodes, column by column.
        links: every amount moved.
        income: the income lines, listed but not drawn.
    """

    year: int
    periods_closed: int
    method: str = ""
    total_cost: Decimal = ZERO
    nodes: tuple[FlowNode, ...] = ()
    links: tuple[FlowLink, ...] = ()
    income: tuple[IncomeLine, ...] = ()

    def as_json(self) -> dict[str, Any]:
        if not self.periods_closed:
            return {"year": self.year, "periods_closed": 0, "nodes": [], "links": [], "income": []}
        return {
            "year": self.year,
            "periods_closed": self.periods_closed,
            "method": self.method,
            "total_cost": str(self.total_cost),
            "nodes": [n.as_json() for n in self.nodes],
            "links": [link.as_json() for link in self.links],
            "income": [i.as_json() for i in self.income],
        }


def _link(links: list[FlowLink], source: str, target: str, amount: Decimal) -> None:
    if amount > 0:
        links.append(FlowLink(source, target, amount))


@requires(Permission(Action.READ_ASSOCIATION))
def allocation_flows(uow: ChargingUnitOfWork, year: int) -> AllocationFlows:
    """Ledger (account class) -> cost centres -> services -> client groups, for the closed months.

    Each link is an exact amount in cents. Support centres pass their cost to the final centres
    (the model's method); income (negative) lines are listed in ``income`` but not drawn.
    """
    with uow:
        _, model = uow.costing.cost_model()
        closed = _closed_in(uow, year)
        if not closed:
            return AllocationFlows(year, 0)
        ledger = uow.charging.ledger_totals([p.key for p in closed])
        cost = actual_cost(uow, year, closed)
        groups = {m.enterprise_number: m.client_group.value for m in uow.registry.members()}
    support, allocation = cost.support, cost.allocation
    links: list[FlowLink] = []
    income: list[IncomeLine] = []
    for t in sorted(ledger, key=lambda t: (t.account_class, t.centre, t.amount)):
        if t.amount > 0:
            _link(links, f"ledger:{t.account_class}", f"centre:{t.centre}", t.amount)
        elif t.amount < 0:
            income.append(IncomeLine(t.account_class, t.centre, t.amount))
    final = {c.code for c in model.final_centres}
    moved: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    for f in support.flows:
        moved[(f.source, f.target)] += f.amount
    for (source, target), exact in sorted(moved.items()):
        _link(links, f"centre:{source}", f"centre:{target}", to_cents(exact))
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
    used = {x for link in links for x in (link.source, link.target)}
    nodes = []
    for node in sorted(used, key=_node_order(model)):
        kind, _, code = node.partition(":")
        column = {"ledger": 0, "group": 4, "service": 3}.get(kind)
        if column is None:
            found = model.centre(code)
            column = 2 if found is not None and found.is_final else 1
        nodes.append(FlowNode(node, kind, code, names.get(node, code), column))
    return AllocationFlows(
        year, len(closed), support.method.value, support.total, tuple(nodes), tuple(links), tuple(income)
    )


def _node_order(model: CostModel) -> Callable[[str], tuple[int, str]]:
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


# -- the true-up per member ---------------------------------------------------------------------


@dataclass(frozen=True)
class TrueUpByMember:
    """The true-up of a year per member: charged provisionally, actual share, and the difference
    (positive: the member owes it; negative: it is refunded or carried forward).

    Attributes:
        year: the year.
        run: the true-up as it ran, or None (then ``members`` is empty).
        members: per member, by name.
    """

    year: int
    run: TrueUpRun | None
    members: tuple[MemberShare, ...]

    @property
    def charged(self) -> Decimal:
        return sum((m.charged for m in self.members), ZERO)

    @property
    def actual(self) -> Decimal:
        return sum((m.actual for m in self.members), ZERO)

    @property
    def difference(self) -> Decimal:
        return sum((m.difference for m in self.members), ZERO)

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "run": None if self.run is None else self.run.as_json(),
            "charged": str(self.charged),
            "actual": str(self.actual),
            "difference": str(self.difference),
            "members": [
                {
                    "member": m.member,
                    "name": m.name,
                    "charged": str(m.charged),
                    "actual": str(m.actual),
                    "difference": str(m.difference),
                }
                for m in self.members
            ],
        }


@requires(Permission(Action.READ_ASSOCIATION))
def true_up_by_member(uow: ChargingUnitOfWork, year: int) -> TrueUpByMember:
    with uow:
        return TrueUpByMember(year, uow.charging.true_up_run(year), tuple(uow.charging.true_up_by_member(year)))
