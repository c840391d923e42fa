"""The purchasing team's funding: the commission statements of a year as ledger lines that the
close's ledger import books as income on the team's centre (the property: to the cent, whatever
the statements), the refusals (nothing to write, an unknown centre or account), and the commissions
of a year against the centre's cost in the close."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutua.charging.domain import LedgerLine
from mutua.charging.service.imports import LEDGER_COLUMNS, import_ledger_text
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period
from mutua.kernel.problems import Rejected
from mutua.purchasing.domain import CommissionLine, CommissionStatement, Quarter, Supplier
from mutua.purchasing.domain.funding import LEDGER_HEADER, cost_basis
from mutua.purchasing.service import funding
from tests.fakes import FakeUnitOfWork
from tests.fakes.charging import FakeCharging
from tests.fakes.costing import FakeCosting
from tests.fakes.purchasing import FakePurchasing
from tests.fakes.registry import FakeRegistry
from tests.small_model import MODEL
from tests.unit.purchasing.world import ENGAGEMENTS, MEMBERS

D = Decimal
# The small model with the purchasing team's support centre PUR (after HR in the step-down).
PUR_MODEL = MODEL.replace("order: [HR]", "order: [HR, PUR]").replace(
    "  - {code: DEV, name: Development, kind: operational}\n",
    "  - {code: PUR, name: Central purchasing body, kind: support, key: {basis: weights, weights: {DEV: 1}}}\n"
    "  - {code: DEV, name: Development, kind: operational}\n",
)
SUPPLIERS = ("ACME", "BETA", "GAMMA")


def _uow(statements: list[CommissionStatement], model: str = PUR_MODEL) -> Any:
    uow = FakeUnitOfWork(
        "test",
        registry=FakeRegistry(MEMBERS, ENGAGEMENTS),
        purchasing=FakePurchasing(),
        charging=FakeCharging(),
        costing=FakeCosting(model),
    )
    with uow:
        uow.purchasing.add_suppliers([Supplier(code, f"{code.title()} NV", "0403019261") for code in SUPPLIERS])
        for s in statements:
            uow.purchasing.add_statement(s)
        uow.commit()
    return uow


def _statement(n: int, supplier: str, quarter: Quarter, issued_on: date, *commissions: Decimal) -> CommissionStatement:
    lines = tuple(
        CommissionLine("TEST-ICT", lot, 1, (c * 100).quantize(D("0.01")), D("0.01"), c)
        for lot, c in enumerate(commissions, start=1)
    )
    return CommissionStatement(f"COM-{issued_on.year}-{n:06d}", supplier, quarter, lines, issued_on)


YEAR = [
    _statement(1, "ACME", Quarter(2024, 4), date(2025, 1, 6), D("120.10")),
    _statement(2, "ACME", Quarter(2025, 1), date(2025, 4, 5), D("1500.25"), D("0.01")),
    _statement(3, "BETA", Quarter(2025, 1), date(2025, 4, 5), D("99.99")),
    _statement(4, "BETA", Quarter(2025, 2), date(2025, 7, 5), D("0.00")),  # nothing ordered at a rate
    _statement(1, "ACME", Quarter(2025, 4), date(2026, 1, 5), D("700.00")),
]


def test_the_years_statements_become_income_lines_on_the_centre_in_the_month_they_were_issued() -> None:
    uow = _uow(YEAR)
    ledger = funding.commission_ledger(uow, 2025)
    assert [(ln.entry_id, str(ln.period), ln.account, ln.centre, ln.amount) for ln in ledger.lines] == [
        ("COM:COM-2025-000001", "2025-01", "743100", "PUR", D("120.10")),
        ("COM:COM-2025-000002", "2025-04", "743100", "PUR", D("1500.26")),
        ("COM:COM-2025-000003", "2025-04", "743100", "PUR", D("99.99")),
    ]  # the zero statement is left out; the statement of 2025-Q4 is issued (and booked) in 2026
    assert ledger.total == D("1720.35")
    text = ledger.csv()
    assert text.splitlines()[0] == ",".join(LEDGER_HEADER) == ",".join(c.name for c in LEDGER_COLUMNS)
    assert "Commission statement COM-2025-000002 of Acme NV (ACME), 2025-Q1, net of VAT" in text
    # the close's own ledger import takes the file and books the income (stored negative) on PUR
    import_ledger_text(uow, text, "commissions-2025.csv")
    booked = [ln for _, ln in uow.charging.ledger]
    assert [(ln.entry_id, ln.centre, ln.amount, ln.nd_vat) for ln in booked][1] == (
        "COM:COM-2025-000002",
        "PUR",
        D("-1500.26"),
        ZERO,
    )
    # a second run leaves out what is in the ledger already; a run with nothing new is refused
    with pytest.raises(Rejected) as refused:
        funding.commission_ledger(uow, 2025)
    assert "every commission statement issued in 2025 is in the ledger already" in str(refused.value.problems[0])
    with uow:
        uow.purchasing.add_statement(_statement(5, "GAMMA", Quarter(2025, 2), date(2025, 7, 5), D("10.00")))
        uow.commit()
    again = funding.commission_ledger(uow, 2025, account="749000")
    assert [ln.entry_id for ln in again.lines] == ["COM:COM-2025-000005"] and again.account == "749000"
    assert len(again.already) == 3


def test_nothing_to_write_an_unknown_centre_or_account_is_refused_with_the_problem_named() -> None:
    uow = _uow(YEAR)
    with pytest.raises(Rejected) as nothing:
        funding.commission_ledger(uow, 2024)
    assert [(p.field, p.message) for p in nothing.value.problems] == [
        ("year", "no commission statement was issued in 2024")
    ]
    with pytest.raises(Rejected) as unknown:
        funding.commission_ledger(_uow(YEAR, MODEL), 2025)  # the small model has no centre PUR
    assert [(p.field, p.message) for p in unknown.value.problems] == [("centre", "unknown cost centre 'PUR'")]
    with pytest.raises(Rejected) as accounts:
        funding.commission_ledger(uow, 2025, account="613000", centre="NOPE")
    assert [(p.field, p.message) for p in accounts.value.problems] == [
        ("account", "account 613000 is no income account (class 7): commissions are income"),
        ("centre", "unknown cost centre 'NOPE'"),
    ]
    with pytest.raises(Rejected) as malformed:
        funding.commission_ledger(uow, 2025, account="74x")
    assert malformed.value.problems[0].field == "account" and "is not a ledger account" in str(malformed.value)
    with pytest.raises(Rejected) as unlisted:
        funding.commission_ledger(uow, 2025, account="760000")
    assert unlisted.value.problems[0].message == "unknown account 760000 (not in the cost model)"
    assert funding.commission_ledger(_uow(YEAR, MODEL), 2025, centre="HR").lines[0].centre == "HR"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(SUPPLIERS),
            st.integers(1, 8),  # quarter of 2024-Q3 .. 2026-Q2
            st.integers(0, 40),  # days after the quarter's end
            st.lists(st.decimals(D(0), D("99999.99"), places=2), min_size=1, max_size=4),
        ),
        max_size=12,
    )
)
def test_the_ledger_lines_add_up_to_the_years_commissions_to_the_cent(drawn: list[Any]) -> None:
    statements, seen = [], set()
    for supplier, q, days, commissions in drawn:
        quarter = Quarter(2024 + (q + 1) // 4, (q + 1) % 4 + 1)
        if (supplier, quarter) in seen:
            continue
        seen.add((supplier, quarter))
        issued = date.fromordinal(quarter.last_day.toordinal() + 1 + days)
        statements.append(_statement(len(statements) + 1, supplier, quarter, issued, *commissions))
    uow = _uow(statements)
    expected = sum((s.commission for s in statements if s.issued_on.year == 2025), ZERO)
    if expected == 0:
        with pytest.raises(Rejected, match="commission ledger of 2025"):
            funding.commission_ledger(uow, 2025)
        return
    ledger = funding.commission_ledger(uow, 2025)
    assert ledger.total == expected
    assert all(ln.amount > 0 and ln.period.year == 2025 for ln in ledger.lines)
    import_ledger_text(uow, ledger.csv(), "commissions.csv")
    booked = [ln for _, ln in uow.charging.ledger]
    assert -sum((ln.amount for ln in booked), ZERO) == expected
    assert {ln.centre for ln in booked} == {"PUR"} and {ln.account for ln in booked} == {"743100"}


def _cost(uow: Any, period: Period, amount: str, centre: str = "PUR", account: str = "620000") -> None:
    uow.charging.ledger.append((1, LedgerLine(f"E-{len(uow.charging.ledger)}", period, account, centre, D(amount))))


def test_the_funding_sets_the_years_commissions_against_the_centres_cost_in_the_close() -> None:
    uow = _uow(YEAR)
    # no month closed: the commissions alone
    nothing = funding.purchasing_funding(uow, 2025)
    assert (nothing.income, nothing.statements, nothing.cost, nothing.coverage) == (D("1720.35"), 3, None, None)
    for month in range(1, 13):
        _cost(uow, Period(2024, month), "1000.00")
        uow.charging.closed[Period(2024, month).key] = 1
    _cost(uow, Period(2024, 6), "500.00", account="611000")
    _cost(uow, Period(2024, 6), "-300.00", account="743100")  # income is no cost
    _cost(uow, Period(2024, 6), "9999.00", centre="HR")  # another centre's
    last_year = funding.purchasing_funding(uow, 2025)
    assert (last_year.cost_year, last_year.cost_months, last_year.cost) == (2024, 12, D("12500.00"))
    assert last_year.coverage == D("13.8")  # 1,720.35 / 12,500.00
    assert last_year.centre_name == "Central purchasing body"
    for month in (1, 2):
        _cost(uow, Period(2025, month), "2000.00")
        uow.charging.closed[Period(2025, month).key] = 1
    _cost(uow, Period(2025, 3), "7777.00")  # March is not closed
    so_far = funding.purchasing_funding(uow, 2025)
    assert (so_far.cost_year, so_far.cost_months, so_far.cost, so_far.coverage) == (2025, 2, D("4000.00"), D("43.0"))
    assert so_far.as_json() == {
        "year": 2025,
        "centre": "PUR",
        "centre_name": "Central purchasing body",
        "statements": 3,
        "income": "1720.35",
        "cost_year": 2025,
        "cost_months": 2,
        "cost": "4000.00",
        "coverage_pct": "43.0",
    }
    # this year by default (the day given); without the centre in the model, the commissions alone
    assert funding.purchasing_funding(uow, on=date(2026, 3, 1)).income == D("700.00")
    unknown = funding.purchasing_funding(_uow(YEAR, MODEL), 2025)
    assert (unknown.known_centre, unknown.income, unknown.cost) == (False, D("1720.35"), None)


def test_the_cost_basis_is_the_years_close_so_far_else_the_last_year_closed() -> None:
    assert cost_basis({202411, 202412, 202501}, 2025) == (2025, [202501])
    assert cost_basis({202311, 202411, 202412}, 2025) == (2024, [202411, 202412])
    assert cost_basis({202601}, 2025) == (None, [])
