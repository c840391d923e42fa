"""Commissions per supplier and quarter, computed once; consumption, alerts and savings; and the
property that consumption and commissions equal the sum of the orders, to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutua.kernel.access import Action, Role, User, may, may_read_member
from mutua.kernel.money import ZERO, to_cents
from mutua.kernel.problems import Conflict
from mutua.purchasing.domain import Channel, Order, OrderLine, OrderStatus, Quarter
from mutua.purchasing.domain.commissions import commission_lines, placed_values
from mutua.purchasing.domain.followup import AlertKind
from mutua.purchasing.domain.orders import consumption
from mutua.purchasing.service import commissions, followup, orders
from tests.small_model import A, B
from tests.unit.purchasing.world import REF, fake_uow, join, load

D = Decimal


@pytest.fixture
def uow(tmp_path: Path) -> Any:
    uow = fake_uow()
    load(uow, tmp_path)
    join(uow, A)
    join(uow, B)
    return uow


def _order(uow: Any, member: str, lines: list[tuple[str, Decimal]], day: date, supplier: str = "ACME") -> str:
    number: str = orders.draft_order(uow, member, REF, 1, supplier, lines, on=day, cascade_reason="test").order.number
    orders.approve_order(uow, member, number, on=day)
    orders.place_order(uow, member, number, on=day)
    return number


def test_a_quarters_commissions_are_computed_once_per_supplier_at_the_lots_rate(uow: Any) -> None:
    _order(uow, A, [("LT-16", D(3))], date(2025, 2, 1))  # 3,601.50
    _order(uow, B, [("DOCK", D(1))], date(2025, 3, 31))  # 150.00
    _order(uow, A, [("B-14", D(1))], date(2025, 3, 2), "BETA")  # 950.00
    _order(uow, A, [("LT-14", D(1))], date(2025, 4, 1))  # next quarter
    cancelled = _order(uow, B, [("LT-14", D(2))], date(2025, 3, 3))
    orders.cancel_order(uow, B, cancelled, "duplicate", on=date(2025, 3, 4))
    with pytest.raises(Conflict, match="not over"):
        commissions.compute_commissions(uow, Quarter(2025, 1), on=date(2025, 3, 31))
    made = commissions.compute_commissions(uow, Quarter(2025, 1), on=date(2025, 4, 2))
    assert [(v.statement.number, v.statement.supplier) for v in made] == [
        ("COM-2025-000001", "ACME"),
        ("COM-2025-000002", "BETA"),
    ]
    acme = made[0]
    ((line),) = acme.statement.lines
    assert (line.orders, line.base, line.rate, line.commission) == (2, D("3751.50"), D("0.015"), D("56.27"))
    assert (acme.vat, acme.total) == (D("11.82"), D("68.09"))  # category S, 21 %
    assert made[1].statement.commission == D("14.25")
    with pytest.raises(Conflict, match="computed already"):
        commissions.compute_commissions(uow, Quarter(2025, 1), on=date(2025, 4, 3))
    assert commissions.commission_statement(uow, "COM-2025-000001").as_json()["commission"] == "56.27"


EXEMPT_RULE = """
commissions:
  vat_category: E
  vat_rate: "0"
  exemption_reason_code: VATEX-EU-132
  exemption_reason: Exempt based on article 132 of Council Directive 2006/112/EC
  exemption_reasons: {fr: "Exonéré en vertu de l'article 132"}
"""


def test_a_statement_is_issued_at_the_vat_of_the_model_in_force_and_keeps_it(uow: Any) -> None:
    from mutua.costing.modelfile import parse_cost_model
    from tests.small_model import MODEL

    _order(uow, A, [("LT-16", D(3))], date(2025, 2, 1))  # 3,601.50 at 1.5 %: 54.02
    _order(uow, A, [("LT-14", D(1))], date(2025, 4, 2))  # 900.00 at 1.5 %: 13.50
    text = MODEL + EXEMPT_RULE
    uow.costing.add_cost_model(parse_cost_model(text, "model.yaml"), text, "exempt")
    (exempt,) = commissions.compute_commissions(uow, Quarter(2025, 1), on=date(2025, 4, 2))
    s = exempt.statement
    assert (s.vat_category, s.vat_rate, s.exemption_reason_code) == ("E", D(0), "VATEX-EU-132")
    assert s.exemption_reason_in("fr") == "Exonéré en vertu de l'article 132"
    assert (exempt.vat, exempt.total) == (D("0.00"), D("54.02"))
    assert exempt.as_json()["vat_category"] == "E"
    (issued,) = [e for e in uow.audit.recorded if e["entity"] == "commission_statement"]
    assert '"vat_category": "E"' in issued["detail"] and '"exemption_reason_code": "VATEX-EU-132"' in issued["detail"]
    uow.costing.add_cost_model(parse_cost_model(MODEL, "model.yaml"), MODEL, "standard")  # back to S at 21 %
    (standard,) = commissions.compute_commissions(uow, Quarter(2025, 2), on=date(2025, 7, 1))
    assert (standard.statement.vat_category, standard.statement.vat_rate, standard.vat) == ("S", D("0.21"), D("2.84"))
    kept = commissions.commission_statement(uow, s.number).statement
    assert (kept.vat_category, kept.exemption_reason) == ("E", s.exemption_reason)  # as issued


def test_consumption_alerts_and_savings_follow_the_orders(uow: Any) -> None:
    _order(uow, A, [("LT-14", D(55))], date(2025, 2, 1))  # 49,500.00 of 60,000.00: 82.5 %
    _order(uow, B, [("LT-16", D(1))], date(2025, 2, 1))  # reference price 1,500.00
    lines = {(c.agreement, c.lot): c for c in followup.consumption(uow)}
    assert lines[(REF, None)].consumed == D("50700.50") and lines[(REF, 1)].remaining == D("9299.50")
    found = followup.purchasing_alerts(uow, on=date(2025, 8, 1))
    assert [(a.kind, a.lot) for a in found] == [(AlertKind.RENEWAL, None), (AlertKind.CEILING, 1)]
    assert "renewal 1 of 1 would extend it to 2026-12-31" in found[0].message
    ((saving),) = followup.association_savings(uow)
    # 49,500.00 at +10 % (the agreement's markup) and 1,200.50 at its own reference of 1,500.00
    assert (saving.value, saving.reference_value, saving.savings) == (D("50700.50"), D("55950.00"), D("5249.50"))
    assert [s.value for s in followup.member_savings(uow, B)] == [D("1200.50")]


def test_a_buyer_orders_for_its_own_member_and_a_purchasing_officer_manages_and_reads_all() -> None:
    buyer = User("bea", Role.BUYER, member=A)
    officer = User("olivier", Role.PURCHASING_OFFICER)
    assert may(buyer, Action.PURCHASE) and not may(buyer, Action.MANAGE_PURCHASING)
    assert may_read_member(buyer, A) and not may_read_member(buyer, B)
    assert may(officer, Action.MANAGE_PURCHASING) and may(officer, Action.PURCHASE) and may_read_member(officer, B)
    holder = User("jan", Role.BUDGET_HOLDER, member=A)
    assert not may(holder, Action.PURCHASE)
    permission = orders.draft_order.permission  # type: ignore[attr-defined]
    permission.check(buyer, A)
    with pytest.raises(Exception, match="no member"):
        permission.check(buyer, B)


amounts = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2)
quantities = st.decimals(min_value=D("0.5"), max_value=D(500), places=1)
statuses = st.sampled_from(list(OrderStatus))


@st.composite
def random_orders(draw: st.DrawFn) -> list[Order]:
    found = []
    for i in range(draw(st.integers(min_value=0, max_value=25))):
        lines = []
        for n in range(1, draw(st.integers(min_value=1, max_value=4)) + 1):
            price, quantity = draw(amounts), draw(quantities)
            lines.append(OrderLine(n, n, f"I{n}", "x", "C62", quantity, price, to_cents(price * quantity)))
        status = draw(statuses)
        day = date(2025, draw(st.integers(min_value=1, max_value=12)), draw(st.integers(min_value=1, max_value=28)))
        found.append(
            Order(
                f"PO-2025-{i:06d}",
                A,
                draw(st.sampled_from(["X", "Y"])),
                draw(st.integers(min_value=1, max_value=3)),
                draw(st.sampled_from(["S1", "S2"])),
                status,
                Channel.DIRECT,
                day,
                tuple(lines),
                placed_on=day if status.ordered else None,
            )
        )
    return found


@settings(max_examples=200, deadline=None)
@given(random_orders(), st.decimals(min_value=D(0), max_value=D("0.1"), places=4))
def test_consumption_and_commissions_equal_the_sum_of_the_orders_to_the_cent(found: list[Order], rate: Decimal) -> None:
    used = consumption(found)
    for key in {(o.agreement, o.lot) for o in found}:
        expected = sum(
            (ln.amount for o in found if (o.agreement, o.lot) == key and o.status.commits for ln in o.lines), ZERO
        )
        assert used.get(key, ZERO) == expected
    assert sum(used.values(), ZERO) == sum((o.value for o in found if o.status.commits), ZERO)
    for quarter in (Quarter(2025, q) for q in range(1, 5)):
        placed = placed_values(found, quarter)
        in_quarter = [o for o in found if o.status.ordered and o.placed_on and Quarter.of(o.placed_on) == quarter]
        assert sum((p.value for p in placed), ZERO) == sum((o.value for o in in_quarter), ZERO)
        rates = {(p.agreement, p.lot): rate for p in placed}
        lines = commission_lines(placed, rates)
        for supplier, supplier_lines in lines.items():
            base = sum((o.value for o in in_quarter if o.supplier == supplier), ZERO)
            assert sum((ln.base for ln in supplier_lines), ZERO) == base
            assert all(ln.commission == to_cents(ln.base * rate) for ln in supplier_lines)
