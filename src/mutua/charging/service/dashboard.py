"""A member's dashboard, an engagement's detail and a member's usage: read models of the portal and API."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mutua.charging.domain import Projection, UsageMonth, project
from mutua.charging.domain.projection import NOTHING, AgainstBudget
from mutua.charging.ports import ChargingUnitOfWork
from mutua.charging.service.close import model_of
from mutua.charging.service.reporting import MemberHeading
from mutua.kernel.access import Permission, requires
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import NotFound


def closed_in(uow: ChargingUnitOfWork, year: int) -> list[Period]:
    """The closed months of ``year``, in order (inside the caller's transaction)."""
    closed = uow.charging.closed_periods()
    return [p for p in months_of(year) if p.key in closed]


def _usage_json(u: UsageMonth) -> dict[str, str]:
    return {"engagement": u.engagement, "service": u.service, "period": str(u.period), "quantity": str(u.quantity)}


# -- a member's dashboard -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EngagementSpend(AgainstBudget):
    """An engagement on the dashboard: budget, spend to date and projection."""

    engagement: str
    title: str
    kind: str
    service: str | None
    budget: Decimal
    projected: Projection

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
class Dashboard(AgainstBudget):
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
        _, model = model_of(uow, year)
        m = uow.registry.member(member)
        if m is None:
            raise NotFound(f"no member with enterprise number {member}")
        closed = closed_in(uow, year)
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
class EngagementDetail(AgainstBudget):
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
        closed = closed_in(uow, year)
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


@dataclass(frozen=True, slots=True)
class ServiceUnit:
    """A service as usage is counted in it: its name and unit (the cost model's, in English; the
    pages translate them)."""

    service: str
    name: str
    unit: str


@dataclass(frozen=True)
class MemberUsage:
    """A member's usage in a year, per engagement, service and month; ``previous_year``: the same
    of the year before (for the trend against the same month); ``services``: names and units."""

    member: MemberHeading
    year: int
    rows: tuple[UsageMonth, ...]
    previous_year: tuple[UsageMonth, ...] = ()
    services: tuple[ServiceUnit, ...] = ()

    def as_json(self) -> list[dict[str, str]]:
        return [_usage_json(u) for u in self.rows]


@requires(Permission(member_scoped=True))
def member_usage(uow: ChargingUnitOfWork, member: str, year: int) -> MemberUsage:
    with uow:
        m = uow.registry.member(member)
        if m is None:
            raise NotFound(f"no member with enterprise number {member}")
        rows = tuple(uow.charging.usage_by_month(year, member=member))
        previous = tuple(uow.charging.usage_by_month(year - 1, member=member))
        _, model = model_of(uow, year)
    services = []
    for code in sorted({u.service for u in (*rows, *previous)}):
        found = model.service(code)
        services.append(ServiceUnit(code, found.name if found else code, found.unit if found else ""))
    return MemberUsage(MemberHeading.of(m), year, rows, previous, tuple(services))


# -- keys of the web's caches -----------------------------------------------------------------------
