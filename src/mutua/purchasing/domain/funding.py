"""How the purchasing team is funded: the suppliers' commissions are the association's income (other
operating income, class 7) on the purchasing team's cost centre, booked by the day each statement
was issued, net of VAT (the VAT is the tax authority's, never income); against that centre's cost
in the close, they give the share of the team's cost the commissions cover.

Example (statements issued in 2025: 17,242.58 on 5 April, 17,869.83 on 5 July)::

    ledger lines   COM:COM-2025-000001  2025-04  743100  PUR  17242.58
                   COM:COM-2025-000013  2025-07  743100  PUR  17869.83
    funding        commission income 35,112.41 against PUR's cost 270,000.00 (2025, 7 months closed): 13.0 %
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mutua.charging.domain.projection import percent
from mutua.charging.domain.totals import LedgerTotal
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period
from mutua.purchasing.domain import CommissionStatement

PURCHASING_CENTRE = "PUR"
"""The purchasing team's cost centre (the demo's ``PUR``: the central purchasing body)."""

COMMISSION_ACCOUNT = "743100"
"""The account the commissions are booked on: other operating income (class 74)."""

LEDGER_HEADER = ("entry_id", "period", "account", "centre", "amount", "nd_vat", "engagement", "description")
"""The columns of Mutua's ledger file (what ``mutua import ledger`` reads)."""

ENTRY_PREFIX = "COM:"
"""A commission's ledger entry is ``COM:`` and its statement's number (an order's invoice: ``PO:``)."""


@dataclass(frozen=True, slots=True)
class IncomeLine:
    """A commission statement as a line of Mutua's ledger file: income, written positive.

    Attributes:
        entry_id: ``COM:`` and the statement's number.
        period: the month the statement was issued in.
        account: the income account.
        centre: the purchasing team's cost centre.
        amount: the statement's commission, net of VAT.
        statement: the statement's number.
        description: what it is, for the accountant.
    """

    entry_id: str
    period: Period
    account: str
    centre: str
    amount: Decimal
    statement: str
    description: str

    def row(self) -> tuple[str, ...]:
        """The line in the order of :data:`LEDGER_HEADER`."""
        return (
            self.entry_id,
            str(self.period),
            self.account,
            self.centre,
            f"{self.amount:.2f}",
            "",
            "",
            self.description,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "period": str(self.period),
            "account": self.account,
            "centre": self.centre,
            "amount": str(self.amount),
            "statement": self.statement,
            "description": self.description,
        }


def issued_in(statements: Iterable[CommissionStatement], year: int) -> list[CommissionStatement]:
    """The statements issued in ``year`` with a commission, by day of issue and number."""
    return sorted(
        (s for s in statements if s.issued_on.year == year and s.commission != 0),
        key=lambda s: (s.issued_on, s.number),
    )


def income_lines(
    statements: Iterable[CommissionStatement], account: str, centre: str, suppliers: Mapping[str, str]
) -> list[IncomeLine]:
    """One ledger line per statement: its commission (net of VAT) in the month it was issued.

    ``suppliers``: the suppliers' names by code (for the description)."""
    lines = []
    for s in statements:
        name = suppliers.get(s.supplier, s.supplier)
        description = f"Commission statement {s.number} of {name} ({s.supplier}), {s.quarter}, net of VAT"
        lines.append(
            IncomeLine(
                f"{ENTRY_PREFIX}{s.number}",
                Period.of(s.issued_on),
                account,
                centre,
                s.commission,
                s.number,
                description[:300],
            )
        )
    return lines


@dataclass(frozen=True, slots=True)
class Funding:
    """The commissions of a year against the purchasing team's cost centre's cost in the close.

    Attributes:
        year: the year of the commissions (statements issued in it).
        centre: the purchasing team's cost centre.
        centre_name: its name (the cost model's; empty when the model has no such centre).
        statements: how many statements with a commission were issued in ``year``.
        income: their commission, net of VAT.
        cost_year: the year whose close gives the cost: ``year`` when one of its months is closed,
            else the last year with closed months before it; None when nothing is closed.
        cost_months: how many months of ``cost_year`` are closed.
        cost: the centre's cost in those months (classes 6, non-deductible VAT included), or None.
    """

    year: int
    centre: str
    centre_name: str
    statements: int
    income: Decimal
    cost_year: int | None = None
    cost_months: int = 0
    cost: Decimal | None = None

    @property
    def known_centre(self) -> bool:
        return bool(self.centre_name)

    @property
    def coverage(self) -> Decimal | None:
        """Income / cost, in percent to one decimal; None without a cost."""
        return percent(self.income, self.cost, Decimal("0.1")) if self.cost else None

    def as_json(self) -> dict[str, Any]:
        coverage = self.coverage
        return {
            "year": self.year,
            "centre": self.centre,
            "centre_name": self.centre_name,
            "statements": self.statements,
            "income": str(self.income),
            "cost_year": self.cost_year,
            "cost_months": self.cost_months,
            "cost": None if self.cost is None else str(self.cost),
            "coverage_pct": None if coverage is None else str(coverage),
        }


def cost_basis(closed: Iterable[int], year: int) -> tuple[int | None, list[int]]:
    """The year whose closed months give the cost (``year``'s close so far, else the last year
    closed before it) and those months' keys (YYYYMM)."""
    keys = sorted(closed)
    own = [k for k in keys if k // 100 == year]
    if own:
        return year, own
    earlier = [k // 100 for k in keys if k // 100 < year]
    if not earlier:
        return None, []
    last = max(earlier)
    return last, [k for k in keys if k // 100 == last]


def centre_cost(totals: Iterable[LedgerTotal], centre: str) -> Decimal:
    """A centre's cost in the ledger's totals: its classes 6 (the report's "cost" column)."""
    return sum((t.amount for t in totals if t.centre == centre and t.account_class.startswith("6")), ZERO)
