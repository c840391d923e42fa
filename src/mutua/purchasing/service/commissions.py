"""Commissions: per supplier and quarter, a statement of the commission on the value of the orders
placed with it (a rate per agreement, or per lot); numbered ``COM-YYYY-NNNNNN`` (gapless per year of
issue) and kept, so that the documents (PDF and Peppol UBL invoice from the association to the
supplier) are rendered from the same figures every time. A commission is no cost-sharing: its VAT is
the standard rate, category S, unless the cost model in force on the day of issue says otherwise
(its ``commissions`` rule: :mod:`mutua.costing.domain.vat`); the statement keeps the category, rate
and exemption reason it was issued with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.money import to_cents
from mutua.kernel.problems import Conflict, NotFound
from mutua.purchasing.domain import CommissionStatement, Lot, Quarter, Supplier
from mutua.purchasing.domain.commissions import commission_lines
from mutua.purchasing.ports import CommissionsUnitOfWork, PurchasingUnitOfWork
from mutua.purchasing.service.common import today


@dataclass(frozen=True, slots=True)
class StatementView:
    """A commission statement with what its documents show.

    Attributes:
        statement: the statement.
        supplier: the supplier it is addressed to.
        lots: the lots its lines name, by (agreement, number).
        titles: the agreements' titles (NL, FR) by reference.
    """

    statement: CommissionStatement
    supplier: Supplier
    lots: dict[tuple[str, int], Lot]
    titles: dict[str, tuple[str, str]]

    @property
    def vat(self) -> Decimal:
        return to_cents(self.statement.commission * self.statement.vat_rate)

    @property
    def total(self) -> Decimal:
        return self.statement.commission + self.vat

    def as_json(self) -> dict[str, Any]:
        s = self.statement
        return {
            "number": s.number,
            "supplier": s.supplier,
            "supplier_name": self.supplier.name,
            "quarter": str(s.quarter),
            "issued_on": s.issued_on.isoformat(),
            "base": str(s.base),
            "commission": str(s.commission),
            "vat_rate": str(s.vat_rate),
            "vat_category": s.vat_category,
            "exemption_reason_code": s.exemption_reason_code,
            "exemption_reason": s.exemption_reason,
            "vat": str(self.vat),
            "total": str(self.total),
            "lines": [
                {
                    "agreement": line.agreement,
                    "lot": line.lot,
                    "orders": line.orders,
                    "base": str(line.base),
                    "rate": str(line.rate),
                    "commission": str(line.commission),
                }
                for line in s.lines
            ],
        }


def _views(uow: PurchasingUnitOfWork, statements: list[CommissionStatement]) -> list[StatementView]:
    suppliers = {s.code: s for s in uow.purchasing.suppliers()}
    lots = {lot.key: lot for lot in uow.purchasing.lots()}
    titles = {a.reference: (a.title_nl, a.title_fr) for a in uow.purchasing.agreements()}
    return [StatementView(s, suppliers[s.supplier], lots, titles) for s in statements]


@requires(Permission(Action.MANAGE_PURCHASING))
def compute_commissions(uow: CommissionsUnitOfWork, quarter: Quarter, on: date | None = None) -> list[StatementView]:
    """The quarter's statements, one per supplier with orders placed in it; computed once, after
    the quarter (a supplier's statement of a quarter exists once: a second run is a Conflict); their
    VAT as the cost model in force on the day of issue says (category S at 21 % unless its
    ``commissions`` rule says otherwise; no cost model at all is a Conflict)."""
    day = today(on)
    if day <= quarter.last_day:
        raise Conflict(f"{quarter} is not over: its commissions are computed from {quarter.last_day} on")
    with uow:
        p = uow.purchasing
        p.lock("commissions")
        done = {s.supplier for s in p.statements(quarter)}
        agreements = {a.reference: a for a in p.agreements()}
        rates = {
            lot.key: lot.commission_rate
            if lot.commission_rate is not None
            else agreements[lot.agreement].commission_rate
            for lot in p.lots()
        }
        lines = commission_lines(p.placed_values(quarter), rates)
        vat = uow.costing.cost_model(day)[1].commissions
        todo = {s: ls for s, ls in lines.items() if s not in done}
        if not todo and done:
            raise Conflict(f"the commission statements of {quarter} were computed already")
        made = []
        for supplier, supplier_lines in todo.items():
            number = f"COM-{day.year}-{p.next_number('COM', day.year):06d}"
            statement = CommissionStatement(
                number,
                supplier,
                quarter,
                supplier_lines,
                day,
                vat.rate,
                vat.category,
                vat.exemption_reason_code,
                vat.exemption_reason,
                vat.exemption_reasons,
            )
            p.add_statement(statement)
            uow.audit.record(
                "issue",
                "commission_statement",
                number,
                supplier=supplier,
                quarter=str(quarter),
                base=str(statement.base),
                commission=str(statement.commission),
                vat_category=statement.vat_category,
                vat_rate=str(statement.vat_rate),
                exemption_reason_code=statement.exemption_reason_code,
            )
            made.append(statement)
        views = _views(uow, made)
        uow.commit()
    return views


@requires(Permission(Action.READ_ASSOCIATION))
def commission_statements(
    uow: PurchasingUnitOfWork, quarter: Quarter | None = None, supplier: str | None = None
) -> list[StatementView]:
    """The commission statements (of a quarter, a supplier), by number."""
    with uow:
        return _views(uow, uow.purchasing.statements(quarter, supplier))


@requires(Permission(Action.READ_ASSOCIATION))
def commission_statement(uow: PurchasingUnitOfWork, number: str) -> StatementView:
    """One commission statement with its supplier, lots and agreements' titles."""
    with uow:
        found = uow.purchasing.statement(number)
        if found is None:
            raise NotFound(f"no commission statement {number}")
        return _views(uow, [found])[0]
