"""Transparency: the association's report and each member's statement (typed read models; their
``as_json`` is what the CLI's ``--json`` and the API give)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mutua.charging.domain import project
from mutua.charging.domain.projection import percent
from mutua.charging.ports import ChargingUnitOfWork
from mutua.charging.service.close import actual_cost, model_of
from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import NotFound
from mutua.platform.files.csv_out import csv_text
from mutua.registry.domain import ClientGroup, Member


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return percent(part, whole, Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class MemberHeading:
    """Who a statement or a dashboard is about."""

    enterprise_number: str
    name: str
    language: str

    @classmethod
    def of(cls, member: Member) -> MemberHeading:
        return cls(member.enterprise_number, member.name, member.language.value)

    def as_json(self) -> dict[str, Any]:
        return {"enterprise_number": self.enterprise_number, "name": self.name, "language": self.language}


# -- the association's report ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CentreCost:
    """A centre's row of the report; it adds up to the cent: ``cost - income = direct`` and
    ``direct + received - passed_on = after_allocation`` (a support centre passes on all it has).

    Attributes:
        cost: its costs in the ledger (classes 6, non-deductible VAT included).
        income: the other income booked on it (class 7, shown positive).
        direct: its net direct cost (cost less income).
        received: what it received from support centres.
        passed_on: what it passed on to other centres (support centres only).
        after_allocation: its cost after the support allocation (0.00 for a support centre).
    """

    centre: str
    name: str
    kind: str
    direct: Decimal
    received: Decimal
    after_allocation: Decimal
    passed_on: Decimal = ZERO
    cost: Decimal = ZERO
    income: Decimal = ZERO

    def as_json(self) -> dict[str, Any]:
        return {
            "centre": self.centre,
            "name": self.name,
            "kind": self.kind,
            "cost": str(self.cost),
            "income": str(self.income),
            "direct": str(self.direct),
            "received": str(self.received),
            "passed_on": str(self.passed_on),
            "after_allocation": str(self.after_allocation),
        }


@dataclass(frozen=True, slots=True)
class ServiceResult:
    service: str
    name: str
    activity: str
    revenue: Decimal
    cost: Decimal

    @property
    def result(self) -> Decimal:
        return self.revenue - self.cost

    def as_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "name": self.name,
            "activity": self.activity,
            "revenue": str(self.revenue),
            "cost": str(self.cost),
            "result": str(self.result),
        }


@dataclass(frozen=True, slots=True)
class RevenueShare:
    """Revenue of an activity or a client group (``label``) and its share of the total, in %."""

    label: str
    revenue: Decimal
    share_pct: Decimal


@dataclass(frozen=True)
class AssociationReport:
    """The association's report of a year's closed months.

    Attributes:
        year: the year.
        association: the association's name.
        periods_closed: the number of closed months (the figures are about them; none when 0).
        true_up: the true-up's mode once it ran, else None.
        centres: cost by centre before and after the support allocation.
        support_method: the support allocation's method.
        services: revenue, cost and result per service.
        revenue_by_activity: revenue per activity, largest first.
        revenue_by_client_group: revenue per client group, every group.
        total_cost: the cost of the closed months, net of other income: what the members bear.
        other_income: the other income of the closed months (class 7, shown positive).
        total_revenue: their charges (true-up included).
        carried_forward: the balance carried into next year's tariffs.
        zero_result: the true-up ran and the result less the carried balance is zero.
    """

    year: int
    association: str
    periods_closed: int
    true_up: str | None
    centres: tuple[CentreCost, ...] = ()
    support_method: str = ""
    services: tuple[ServiceResult, ...] = ()
    revenue_by_activity: tuple[RevenueShare, ...] = ()
    revenue_by_client_group: tuple[RevenueShare, ...] = ()
    total_cost: Decimal = ZERO
    total_revenue: Decimal = ZERO
    carried_forward: Decimal = ZERO
    zero_result: bool = False
    other_income: Decimal = ZERO

    @property
    def gross_cost(self) -> Decimal:
        """The closed months' costs before other income."""
        return self.total_cost + self.other_income

    @property
    def result(self) -> Decimal:
        return self.total_revenue - self.total_cost

    def as_json(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            "year": self.year,
            "association": self.association,
            "periods_closed": self.periods_closed,
            "true_up": self.true_up,
        }
        if not self.periods_closed:
            report["note"] = "no closed period in this year"
            return report
        report.update(
            {
                "centres": [c.as_json() for c in self.centres],
                "support_method": self.support_method,
                "services": [s.as_json() for s in self.services],
                "revenue_by_activity": [
                    {"activity": r.label, "revenue": str(r.revenue), "share_pct": str(r.share_pct)}
                    for r in self.revenue_by_activity
                ],
                "revenue_by_client_group": [
                    {"client_group": r.label, "revenue": str(r.revenue), "share_pct": str(r.share_pct)}
                    for r in self.revenue_by_client_group
                ],
                "gross_cost": str(self.gross_cost),
                "other_income": str(self.other_income),
                "total_cost": str(self.total_cost),
                "total_revenue": str(self.total_revenue),
                "carried_forward": str(self.carried_forward),
                "result": str(self.result),
                "zero_result": self.zero_result,
            }
        )
        return report


@requires(Permission(Action.READ_ASSOCIATION))
def association_report(uow: ChargingUnitOfWork, year: int) -> AssociationReport:
    """Cost by centre before and after allocation, result per service, revenue by activity and
    client group, and the zero-result check, for the closed months of ``year``."""
    with uow:
        _, model = model_of(uow, year)
        closed = uow.charging.closed_periods()
        periods = [p for p in months_of(year) if p.key in closed]
        run = uow.charging.true_up_run(year)
        mode = None if run is None else run.mode.value
        if not periods:
            return AssociationReport(year, model.association.name, 0, mode)
        cost = actual_cost(uow, year, periods, model=model)
        ledger = uow.charging.ledger_totals([p.key for p in periods])
        charged = uow.charging.charged_totals([p.key for p in periods])
        groups = {m.enterprise_number: m.client_group.value for m in uow.registry.members()}
        carried = uow.charging.carry_forwards(year)
    support, allocation = cost.support, cost.allocation
    income: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in ledger:
        if line.account_class.startswith("7"):
            income[line.centre] -= line.amount
    revenue_by_service: dict[str, Decimal] = defaultdict(lambda: ZERO)
    revenue_by_group: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for t in charged:
        revenue_by_service[t.service] += t.amount
        revenue_by_group[groups[t.member]] += t.amount
    revenue = sum(revenue_by_service.values(), ZERO)
    revenue_by_activity: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for code, amount in revenue_by_service.items():
        found = model.service(code)
        revenue_by_activity[found.activity.value if found else "unknown"] += amount
    carried_total = sum(carried.values(), ZERO)
    return AssociationReport(
        year,
        model.association.name,
        len(periods),
        mode,
        centres=tuple(
            CentreCost(
                c.code,
                c.name,
                c.kind.value,
                support.direct.get(c.code, ZERO),
                support.received(c.code),
                support.final.get(c.code, ZERO),
                passed_on=support.passed_on(c.code),
                cost=support.direct.get(c.code, ZERO) + income[c.code],
                income=income[c.code],
            )
            for c in model.centres
        ),
        support_method=support.method.value,
        services=tuple(
            ServiceResult(
                s.code,
                s.name,
                s.activity.value,
                revenue_by_service.get(s.code, ZERO),
                allocation.service_cost.get(s.code, ZERO),
            )
            for s in model.services
        ),
        revenue_by_activity=tuple(
            RevenueShare(a, v, _pct(v, revenue)) for a, v in sorted(revenue_by_activity.items(), key=lambda kv: -kv[1])
        ),
        revenue_by_client_group=tuple(
            RevenueShare(
                g.value, revenue_by_group.get(g.value, ZERO), _pct(revenue_by_group.get(g.value, ZERO), revenue)
            )
            for g in ClientGroup
        ),
        total_cost=support.total,
        total_revenue=revenue,
        carried_forward=carried_total,
        zero_result=run is not None and revenue - support.total - carried_total == 0,
        other_income=sum(income.values(), ZERO),
    )


# -- a member's statement ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatementLine:
    """A charge of the statement's month."""

    service: str
    service_name: str
    detail: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal

    def as_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "service_name": self.service_name,
            "detail": self.detail,
            "quantity": str(self.quantity),
            "unit": self.unit,
            "unit_price": str(self.unit_price),
            "amount": str(self.amount),
        }


@dataclass(frozen=True, slots=True)
class StatementEngagement:
    """An engagement on a statement: the month's lines, spend to date against budget, projection."""

    engagement: str
    title: str
    kind: str
    buyer_reference: str
    lines: tuple[StatementLine, ...]
    to_date: Decimal
    budget: Decimal
    run_rate: Decimal
    commitments: Decimal
    projection: Decimal

    @property
    def period_total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)

    @property
    def budget_used_pct(self) -> Decimal:
        return _pct(self.to_date, self.budget)

    @property
    def projection_over_budget(self) -> bool:
        return self.projection > self.budget

    def as_json(self) -> dict[str, Any]:
        return {
            "engagement": self.engagement,
            "title": self.title,
            "kind": self.kind,
            "buyer_reference": self.buyer_reference,
            "lines": [ln.as_json() for ln in self.lines],
            "period_total": str(self.period_total),
            "to_date": str(self.to_date),
            "budget": str(self.budget),
            "budget_used_pct": str(self.budget_used_pct),
            "run_rate": str(self.run_rate),
            "commitments": str(self.commitments),
            "projection": str(self.projection),
            "projection_over_budget": self.projection_over_budget,
        }


@dataclass(frozen=True)
class Statement:
    """A member's statement of a month.

    Attributes:
        member: the member.
        period: the month.
        closed: whether the month is closed (an open month has no charges yet).
        months_left: the months of the year after this one.
        engagements: its engagements charged this year or active this month.
    """

    member: MemberHeading
    period: Period
    closed: bool
    months_left: int
    engagements: tuple[StatementEngagement, ...]

    @property
    def period_total(self) -> Decimal:
        return sum((e.period_total for e in self.engagements), ZERO)

    @property
    def to_date(self) -> Decimal:
        return sum((e.to_date for e in self.engagements), ZERO)

    @property
    def budget(self) -> Decimal:
        return sum((e.budget for e in self.engagements), ZERO)

    @property
    def projection(self) -> Decimal:
        return sum((e.projection for e in self.engagements), ZERO)

    def as_json(self) -> dict[str, Any]:
        return {
            "member": self.member.as_json(),
            "period": str(self.period),
            "closed": self.closed,
            "months_left": self.months_left,
            "engagements": [e.as_json() for e in self.engagements],
            "period_total": str(self.period_total),
            "to_date": str(self.to_date),
            "budget": str(self.budget),
            "projection": str(self.projection),
        }


@requires(Permission(member_scoped=True))
def member_statement(uow: ChargingUnitOfWork, member: str, period: Period) -> Statement:
    """A member's statement for a period: each engagement's charges that month, the total to
    date, the budget against actual and the projection to the year's end."""
    with uow:
        _, model = model_of(uow, period.year, period)
        m = uow.registry.member(member)
        if m is None:
            raise NotFound(f"no member with enterprise number {member}")
        closed = uow.charging.closed_periods()
        counted = [p for p in months_of(period.year) if p <= period and p.key in closed]
        charges = uow.charging.charges([p.key for p in counted], member=member)
        engagements = uow.registry.engagements(member)
        commitments = uow.registry.commitments(period.year)
    monthly: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    lines: dict[str, list[StatementLine]] = defaultdict(list)
    for c in charges:
        monthly[c.engagement][c.period.key] += c.amount
        if c.period == period:
            found = model.service(c.service)
            lines[c.engagement].append(
                StatementLine(
                    c.service,
                    found.name if found else c.service,
                    c.detail,
                    c.quantity,
                    c.unit,
                    c.unit_price,
                    c.amount,
                )
            )
    result = []
    for e in engagements:
        if e.code not in monthly and not e.is_active_between(period.first_day, period.last_day):
            continue
        expected = [(p, a) for p, a, _ in commitments.get(e.code, [])]
        projection = project(e, period.year, monthly.get(e.code, {}), counted, expected, after=period)
        result.append(
            StatementEngagement(
                e.code,
                e.title,
                e.kind.value,
                e.buyer_reference,
                tuple(lines.get(e.code, [])),
                projection.spent,
                e.budget,
                projection.run_rate,
                projection.committed,
                projection.central,
            )
        )
    return Statement(MemberHeading.of(m), period, period.key in closed, 12 - period.month, tuple(result))


STATEMENT_COLUMNS = ("engagement", "title", "service", "detail", "quantity", "unit", "unit_price", "amount")


STATEMENT_NUMERIC = ("quantity", "unit_price", "amount")


def statement_csv(statement: Statement) -> str:
    """A member statement's lines as CSV text (one row per charged line of the period); text cells
    that a spreadsheet would run as a formula are neutralised (:func:`csv_text`)."""
    return csv_text(
        STATEMENT_COLUMNS,
        (
            [e.engagement, e.title, ln.service, ln.detail, ln.quantity, ln.unit, ln.unit_price, ln.amount]
            for e in statement.engagements
            for ln in e.lines
        ),
        numeric=STATEMENT_NUMERIC,
    )
