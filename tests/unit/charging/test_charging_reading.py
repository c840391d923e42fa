"""The charging context's read models on in-memory repositories: a member's statement and
dashboard, the association's report, the allocation picture, the true-up per member and next
year's tariffs. Amounts are Decimals; ``as_json`` gives the strings the CLI and the API print."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.fakes import FakeUnitOfWork
from tests.unit.charging.small import A, B, association, import_month

from mutua.charging.domain import TrueUpMode
from mutua.charging.service import association as association_views
from mutua.charging.service import close as service
from mutua.charging.service import dashboard as dashboard_views
from mutua.charging.service import reporting, tariffs
from mutua.kernel.access import Action, Forbidden, Permission, Role, User, permission_of
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import Conflict, NotFound
from mutua.registry.domain import Commitment


def closed_months(n: int) -> FakeUnitOfWork:
    uow = association()
    for p in months_of(2025)[:n]:
        import_month(uow, str(p))
        service.close_period(uow, p)
    return uow


def test_a_statement_shows_the_months_lines_and_projects_from_the_run_rate_and_commitments() -> None:
    uow = closed_months(6)
    uow.registry.added_commitments.append(Commitment("P1", Period(2025, 11), Decimal("5000.00"), "Go-live"))
    statement = reporting.member_statement(uow, A, Period(2025, 6))
    p1 = next(e for e in statement.engagements if e.engagement == "P1")
    assert (p1.to_date, p1.run_rate, p1.commitments) == (Decimal("9144.00"), Decimal("1524.00"), Decimal("5000.00"))
    assert p1.projection == Decimal("9144.00") + 6 * Decimal("1524.00") + Decimal("5000.00")
    assert p1.projection_over_budget and p1.budget_used_pct == Decimal("45.72")
    assert [(ln.detail, ln.quantity, ln.amount) for ln in p1.lines] == [
        ("junior", Decimal("8.00"), Decimal("480.00")),
        ("senior", Decimal("11.60"), Decimal("1044.00")),
    ]
    assert statement.period_total == Decimal("1524.00") + Decimal("50.00")  # P1 and C1's June
    assert {e.engagement for e in statement.engagements} == {"P1", "C1"}  # never another member's
    assert [e["engagement"] for e in statement.as_json()["engagements"]] == ["C1", "P1"]  # by code
    assert statement.as_json()["engagements"][1]["lines"][0]["amount"] == "480.00"


def test_a_statement_downloads_as_csv_with_one_row_per_line() -> None:
    statement = reporting.member_statement(closed_months(1), B, Period(2025, 1))
    assert reporting.statement_csv(statement).splitlines() == [
        "engagement,title,service,detail,quantity,unit,unit_price,amount",
        "C2,Cloud B,VMH,,300.50,VM-hour,0.5,150.25",
        "S1,Two developers,SECOND,,2000.00,EUR at cost,1.05,2100.00",
    ]


def test_an_unknown_member_has_no_statement_nor_dashboard() -> None:
    uow = closed_months(1)
    with pytest.raises(NotFound):
        reporting.member_statement(uow, "0200000043", Period(2025, 1))
    with pytest.raises(NotFound):
        dashboard_views.member_dashboard(uow, "0200000043", 2025)


def test_the_dashboard_sums_the_engagements_projections_with_their_range() -> None:
    uow = closed_months(2)
    dashboard = dashboard_views.member_dashboard(uow, A, 2025)
    assert dashboard.spent == 2 * (Decimal("1524.00") + Decimal("50.00"))
    assert dashboard.projection == dashboard.projection_low == dashboard.projection_high == 12 * Decimal("1574.00")
    assert dashboard.budget == Decimal("25000.00") and dashboard.months_left == 10
    assert [(s.service, s.amount) for s in dashboard.by_service] == [
        ("HOURS", Decimal("3048.00")),
        ("VMH", Decimal("100.00")),
    ]
    assert [str(m.period) for m in dashboard.by_month] == ["2025-01", "2025-01", "2025-02", "2025-02"]
    assert dashboard.as_json()["budget_used_pct"] == "12.6" and dashboard.true_up == Decimal("0.00")


def test_the_report_after_the_settled_true_up_shows_a_zero_result_per_service() -> None:
    uow = closed_months(12)
    before = reporting.association_report(uow, 2025)
    assert before.true_up is None and not before.zero_result
    service.true_up(uow, 2025, TrueUpMode.SETTLE)
    report = reporting.association_report(uow, 2025)
    assert report.zero_result and report.result == Decimal("0.00") and report.true_up == "settle"
    assert report.total_revenue == report.total_cost == Decimal("78060.00")
    assert all(s.result == 0 for s in report.services)
    assert sum(c.after_allocation for c in report.centres) == report.total_cost
    assert report.as_json()["result"] == "0.00"


def test_a_year_without_a_closed_month_reports_a_note_only() -> None:
    report = reporting.association_report(association(), 2025)
    assert report.as_json() == {
        "year": 2025,
        "association": "Small association",
        "periods_closed": 0,
        "true_up": None,
        "note": "no closed period in this year",
    }


def test_the_allocation_flows_add_up_to_the_cost_of_the_closed_months() -> None:
    flows = association_views.allocation_flows(closed_months(1), 2025)
    assert flows.total_cost == Decimal("6505.00")
    to_services = sum(link.amount for link in flows.links if link.target.startswith("service:"))
    assert to_services == flows.total_cost
    assert ("centre:HR", "centre:DEV", Decimal("540.00")) in [(x.source, x.target, x.amount) for x in flows.links]
    assert [(i.account_class, i.centre, i.amount) for i in flows.income] == [("74", "HR", Decimal("-100.00"))]


def test_the_true_up_per_member_adds_up_to_the_years_difference() -> None:
    uow = closed_months(12)
    assert association_views.true_up_by_member(uow, 2025).run is None
    result = service.true_up(uow, 2025)
    by_member = association_views.true_up_by_member(uow, 2025)
    assert [m.name for m in by_member.members] == ["Commune B", "Rijksdienst A"]  # by name
    assert by_member.difference == result.total_cost - result.total_charged
    assert {m.member: m.difference for m in by_member.members} == dict(result.per_member)
    assert by_member.as_json()["run"]["by"] == "ctrl"


def test_next_years_tariffs_are_proposed_from_a_closed_year_only() -> None:
    uow = closed_months(11)
    with pytest.raises(Conflict, match="every month of 2025 must be closed"):
        tariffs.propose_next_year(uow, 2025)
    import_month(uow, "2025-12")
    service.close_period(uow, Period(2025, 12))
    proposal = tariffs.propose_next_year(uow, 2025)
    assert proposal.year == 2026 and {t.service for t in proposal.tariffs} == {"HOURS", "SECOND", "VMH"}
    assert "year: 2026" in proposal.model and "model" in proposal.as_json()


def test_a_members_reads_are_member_scoped_and_the_associations_are_not_a_budget_holders() -> None:
    holder = User("jan", Role.BUDGET_HOLDER, member=A)
    for use_case in (
        reporting.member_statement,
        dashboard_views.member_dashboard,
        dashboard_views.member_usage,
        dashboard_views.engagement_detail,
    ):
        assert permission_of(use_case) == Permission(member_scoped=True)
        permission_of(use_case).check(holder, A)
        with pytest.raises(NotFound):  # as an unknown member: it tells nothing
            permission_of(use_case).check(holder, B)
    for use_case in (
        reporting.association_report,
        association_views.allocation_flows,
        association_views.true_up_by_member,
    ):
        assert permission_of(use_case) == Permission(Action.READ_ASSOCIATION)
        with pytest.raises(Forbidden):
            permission_of(use_case).check(holder)
