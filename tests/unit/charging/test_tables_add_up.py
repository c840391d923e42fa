"""Property: for random cost models (every method) and random books, every published table of a
closed month adds up along its rows and its columns to the cent, from one rounding: the report's
centres (cost - income = direct; direct + received - passed on = after allocation) and services,
and the allocation picture (into every centre and service as much as out of it, its links between
centres the report's received and passed on)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fakes.charging import charging_uow
from tests.unit.modelgen import models

from mutua.charging.service import association as association_views
from mutua.charging.service import close as service
from mutua.charging.service import imports, reporting
from mutua.kernel.periods import Period
from mutua.registry.domain import Category, ClientGroup, Engagement, EngagementKind, Language, Member

A, B = "0203430576", "0406798006"
MEMBERS = (
    Member(A, "Member A", Category.A, ClientGroup.SOCIAL_SECURITY, Language.NL, date(2001, 1, 1)),
    Member(B, "Member B", Category.B, ClientGroup.OTHER, Language.FR, date(2010, 5, 1)),
)
ZERO = Decimal("0.00")
cents = st.integers(min_value=1, max_value=10**9).map(lambda c: Decimal(c) / 100)


@st.composite
def books(draw: st.DrawFn) -> tuple[dict[str, Any], str, str]:
    """A random model, its ledger (costs on every centre, some other income) and usage of a month."""
    data = draw(models())
    centres = [c["code"] for c in data["centres"]]
    lines = ["entry_id,period,account,centre,amount,nd_vat,engagement,description"]
    for i, centre in enumerate(centres):
        lines.append(f"L{i},2025-01,611000,{centre},{draw(cents)},{draw(st.sampled_from(['', '0.21']))},,cost")
        if draw(st.booleans()):
            lines.append(f"I{i},2025-01,740000,{centre},{draw(cents) / 7:.2f},,,income")
    usage = ["member,engagement,service,period,quantity"]
    for s in data["services"]:
        for member in (A, B):
            quantity = draw(st.integers(min_value=1, max_value=10**6))
            usage.append(f"{member},{s['code']}-{member[-2:]},{s['code']},2025-01,{quantity}")
    return data, "\n".join(lines) + "\n", "\n".join(usage) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books())
def test_every_row_and_column_of_the_report_and_the_allocation_adds_up(drawn: tuple[dict[str, Any], str, str]) -> None:
    data, ledger, usage = drawn
    engagements = [
        Engagement(
            f"{s['code']}-{m[-2:]}", m, EngagementKind.SERVICE, s["name"], None, Decimal("1000.00"), date(2025, 1, 1)
        )
        for s in data["services"]
        for m in (A, B)
    ]
    uow = charging_uow(yaml.safe_dump(data), MEMBERS, engagements)
    imports.import_ledger_text(uow, ledger, "ledger.csv")
    imports.import_usage_text(uow, usage, "usage.csv")
    service.close_period(uow, Period(2025, 1))
    report = reporting.association_report(uow, 2025)
    flows = association_views.allocation_flows(uow, 2025)

    for c in report.centres:  # rows
        assert c.cost - c.income == c.direct
        assert c.direct + c.received - c.passed_on == c.after_allocation
        assert (c.after_allocation if c.kind == "support" else c.passed_on) == ZERO
    centres = report.centres  # columns
    assert sum((c.cost for c in centres), ZERO) == report.gross_cost
    assert sum((c.income for c in centres), ZERO) == report.other_income
    assert sum((c.direct for c in centres), ZERO) == report.total_cost
    assert sum((c.received for c in centres), ZERO) == sum((c.passed_on for c in centres), ZERO)
    assert sum((c.after_allocation for c in centres), ZERO) == report.total_cost
    assert sum((s.cost for s in report.services), ZERO) == report.total_cost
    assert sum((s.revenue for s in report.services), ZERO) == report.total_revenue

    into: dict[str, Decimal] = defaultdict(lambda: ZERO)
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    between: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for link in flows.links:
        assert link.amount > 0
        into[link.target] += link.amount
        out[link.source] += link.amount
        if link.source.startswith("centre:") and link.target.startswith("centre:"):
            between[(link.source[7:], link.target[7:])] += link.amount
    for c in centres:  # into every centre as much as out of it; its links are the report's figures
        node = f"centre:{c.centre}"
        assert into[node] == out[node]
        received = sum((a for (_, t), a in between.items() if t == c.centre), ZERO)
        passed = sum((a for (s, _), a in between.items() if s == c.centre), ZERO)
        assert received - passed == c.received - c.passed_on
        if c.kind != "support":
            to_services = sum(
                (a.amount for a in flows.links if a.source == node and a.target.startswith("service:")), ZERO
            )
            back = sum((a.amount for a in flows.links if a.target == node and a.source.startswith("service:")), ZERO)
            assert to_services - back == c.after_allocation
    for s in report.services:
        node = f"service:{s.service}"
        assert into[node] == out[node]
        from_centre = sum((a.amount for a in flows.links if a.target == node and a.source.startswith("centre:")), ZERO)
        to_centre = sum((a.amount for a in flows.links if a.source == node and a.target.startswith("centre:")), ZERO)
        assert from_centre - to_centre == s.cost
    first = sum((a for n, a in out.items() if n.startswith("ledger:")), ZERO)
    last = sum((into[n] - out[n] for n in set(into) | set(out) if n.startswith(("group:", "income:"))), ZERO)
    assert first == last  # the picture's first column equals its last
