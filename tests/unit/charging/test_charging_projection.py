"""The projection to year end and its range (mutua.charging.domain.project), shared by the
dashboard (from the last closed month) and the statement (from the statement's month)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mutua.charging.domain import project
from mutua.kernel.periods import Period
from mutua.registry.domain import Engagement, EngagementKind

D = Decimal
QUARTER = [Period(2025, 1), Period(2025, 2), Period(2025, 3)]


def _engagement(ends_on: date | None = None, starts_on: date = date(2025, 1, 1)) -> Engagement:
    return Engagement("E", "0200000043", EngagementKind.SERVICE, "t", None, D("5000.00"), starts_on, ends_on)


def test_the_projection_adds_the_run_rate_for_each_month_left_and_the_range_uses_the_lowest_and_highest_month() -> None:
    monthly = {202501: D("100.00"), 202502: D("300.00"), 202503: D("200.00")}
    p = project(_engagement(), 2025, monthly, QUARTER, [(Period(2025, 11), D("50.00"))])
    assert (p.spent, p.run_rate, p.committed) == (D("600.00"), D("200.00"), D("50.00"))
    assert p.central == D("600.00") + D("200.00") * 9 + D("50.00")
    assert p.low == D("600.00") + D("100.00") * 9 + D("50.00")
    assert p.high == D("600.00") + D("300.00") * 9 + D("50.00")
    assert p.low <= p.central <= p.high


def test_an_engagement_ending_in_june_is_projected_only_to_june() -> None:
    closed = [Period(2025, 1), Period(2025, 2)]
    p = project(_engagement(date(2025, 6, 30)), 2025, {202501: D("10.00"), 202502: D("10.00")}, closed, [])
    assert p.central == D("20.00") + D("10.00") * 4


def test_with_december_closed_the_projection_and_its_range_are_the_actual_spend() -> None:
    closed = [Period(2025, m) for m in range(1, 13)]
    monthly = {p.key: D(str(p.month)) for p in closed}
    p = project(_engagement(), 2025, monthly, closed, [(Period(2025, 6), D("999.00"))])
    assert p.spent == p.central == p.low == p.high == D("78")  # June's commitment is in the past


def test_with_nothing_closed_the_projection_is_the_commitments() -> None:
    p = project(_engagement(), 2025, {}, [], [(Period(2025, 3), D("700.00"))])
    assert (p.spent, p.central, p.low, p.high) == (D("0.00"), D("700.00"), D("700.00"), D("700.00"))


def test_the_range_contains_the_projection_for_an_engagement_that_started_during_the_year() -> None:
    started = _engagement(starts_on=date(2025, 3, 1))
    closed = [Period(2025, m) for m in range(1, 5)]
    p = project(started, 2025, {202503: D("100.00"), 202504: D("100.00")}, closed, [])
    assert p.central == D("200.00") + D("50.00") * 8  # the run rate: spent / closed months
    assert p.low <= p.central <= p.high


def test_a_statement_projects_from_its_own_month_and_counts_only_the_commitments_after_it() -> None:
    # the statement of April with the first quarter closed: nine months still to come, not ten
    expected = [(Period(2025, 4), D("80.00")), (Period(2025, 5), D("70.00"))]
    monthly = {202501: D("100.00"), 202502: D("100.00"), 202503: D("100.00")}
    p = project(_engagement(), 2025, monthly, QUARTER, expected, after=Period(2025, 4))
    assert p.committed == D("70.00")
    assert p.central == D("300.00") + D("100.00") * 8 + D("70.00")
