"""Response shapes of the charging context's API (its OpenAPI schema). Amounts are strings: exact
decimals, as the read models' ``as_json`` gives them."""

from __future__ import annotations

from pydantic import BaseModel

from mutua.platform.web.paging import Page
from mutua.platform.web.schemas import ProblemItem

Amount = str


class MemberHeadingOut(BaseModel):
    enterprise_number: str
    name: str
    language: str


# -- the dashboard, an engagement, usage ---------------------------------------------------------------


class EngagementSpendOut(BaseModel):
    engagement: str
    title: str
    kind: str
    service: str | None
    budget: Amount
    spent: Amount
    budget_used_pct: str
    projection: Amount
    projection_low: Amount
    projection_high: Amount
    over_budget: bool


class ServiceSpendOut(BaseModel):
    service: str
    name: str
    amount: Amount


class MonthSpendOut(BaseModel):
    period: str
    service: str
    amount: Amount


class DashboardOut(BaseModel):
    member: MemberHeadingOut
    year: int
    closed_periods: list[str]
    months_left: int
    budget: Amount
    spent: Amount
    true_up: Amount
    budget_used_pct: str
    projection: Amount
    projection_low: Amount
    projection_high: Amount
    over_budget: bool
    by_service: list[ServiceSpendOut]
    by_month: list[MonthSpendOut]
    engagements: list[EngagementSpendOut]


class UsageOut(BaseModel):
    engagement: str
    service: str
    period: str
    quantity: str


class EngagementChargeOut(BaseModel):
    period: str
    service: str
    kind: str
    amount: Amount


class CommitmentOut(BaseModel):
    period: str
    amount: Amount
    description: str


class EngagementDetailOut(BaseModel):
    engagement: str
    member: str
    title: str
    kind: str
    service: str | None
    budget: Amount
    starts_on: str
    ends_on: str | None
    buyer_reference: str
    year: int
    spent: Amount
    projection: Amount
    projection_low: Amount
    projection_high: Amount
    charges: list[EngagementChargeOut]
    usage: list[UsageOut]
    commitments: list[CommitmentOut]


# -- a statement --------------------------------------------------------------------------------------


class StatementLineOut(BaseModel):
    service: str
    service_name: str
    detail: str
    quantity: str
    unit: str
    unit_price: str
    amount: Amount


class StatementEngagementOut(BaseModel):
    engagement: str
    title: str
    kind: str
    buyer_reference: str
    lines: list[StatementLineOut]
    period_total: Amount
    to_date: Amount
    budget: Amount
    budget_used_pct: str
    run_rate: Amount
    commitments: Amount
    projection: Amount
    projection_over_budget: bool


class StatementOut(BaseModel):
    member: MemberHeadingOut
    period: str
    closed: bool
    months_left: int
    engagements: list[StatementEngagementOut]
    period_total: Amount
    to_date: Amount
    budget: Amount
    projection: Amount


# -- the close ----------------------------------------------------------------------------------------


class PeriodStatus(BaseModel):
    period: str
    status: str


class TrueUpRun(BaseModel):
    mode: str
    at: str
    by: str


class CloseStatus(BaseModel):
    year: int
    periods: list[PeriodStatus]
    true_up: TrueUpRun | None


class ServiceChargesOut(BaseModel):
    service: str
    name: str
    lines: int
    amount: Amount


class CloseReviewOut(BaseModel):
    period: str
    closed: bool
    can_lock: bool
    blockers: list[str]
    problems: list[ProblemItem]
    charges: int
    members: int
    total_charged: Amount
    direct_cost: Amount
    by_service: list[ServiceChargesOut]


class CloseResultOut(BaseModel):
    period: str
    charges: int
    total_charged: Amount
    direct_cost: Amount
    timings: dict[str, float]


class TrueUpOut(BaseModel):
    year: int
    mode: str
    total_cost: Amount
    total_charged: Amount
    result: Amount
    members_owing: int
    members_refunded: int
    settlement_total: Amount
    carried_forward: dict[str, Amount]


class MemberTrueUpOut(BaseModel):
    member: str
    name: str
    charged: Amount
    actual: Amount
    difference: Amount


class TrueUpByMemberOut(BaseModel):
    year: int
    run: TrueUpRun | None
    charged: Amount
    actual: Amount
    difference: Amount
    members: list[MemberTrueUpOut]


# -- the report and the allocation --------------------------------------------------------------------


class CentreCostOut(BaseModel):
    """A centre's row: ``cost - income = direct``; ``direct + received - passed_on = after_allocation``."""

    centre: str
    name: str
    kind: str
    cost: Amount
    income: Amount
    direct: Amount
    received: Amount
    passed_on: Amount
    after_allocation: Amount


class ServiceResultOut(BaseModel):
    service: str
    name: str
    activity: str
    revenue: Amount
    cost: Amount
    result: Amount


class ActivityRevenueOut(BaseModel):
    activity: str
    revenue: Amount
    share_pct: str


class ClientGroupRevenueOut(BaseModel):
    client_group: str
    revenue: Amount
    share_pct: str


class ReportOut(BaseModel):
    """The report; with no closed month only the first four fields and ``note``."""

    year: int
    association: str
    periods_closed: int
    true_up: str | None
    note: str | None = None
    centres: list[CentreCostOut] | None = None
    support_method: str | None = None
    services: list[ServiceResultOut] | None = None
    revenue_by_activity: list[ActivityRevenueOut] | None = None
    revenue_by_client_group: list[ClientGroupRevenueOut] | None = None
    gross_cost: Amount | None = None
    other_income: Amount | None = None
    total_cost: Amount | None = None
    total_revenue: Amount | None = None
    carried_forward: Amount | None = None
    result: Amount | None = None
    zero_result: bool | None = None


class FlowNodeOut(BaseModel):
    id: str
    kind: str
    code: str
    name: str
    column: int


class FlowLinkOut(BaseModel):
    source: str
    target: str
    amount: Amount


class IncomeOut(BaseModel):
    account_class: str
    centre: str
    amount: Amount


class AllocationOut(BaseModel):
    """The allocation; with no closed month, no ``method`` nor ``total_cost``."""

    year: int
    periods_closed: int
    method: str | None = None
    total_cost: Amount | None = None
    nodes: list[FlowNodeOut]
    links: list[FlowLinkOut]
    income: list[IncomeOut]


class UsagePage(Page[UsageOut]):
    """A page of a member's usage per engagement and month."""
