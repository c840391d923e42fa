"""The purchasing team's funding: the year's commission statements as ledger lines for the close
(other operating income on the team's cost centre, net of VAT, in the month each was issued: the
controller imports them like any ledger file), and the commissions of a year against that centre's
cost in the close (the year's close so far, else the last year closed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.money import ZERO
from mutua.kernel.problems import Problem, Rejected
from mutua.platform.files import fields
from mutua.platform.files.csv_out import csv_text
from mutua.purchasing.domain.funding import (
    COMMISSION_ACCOUNT,
    LEDGER_HEADER,
    PURCHASING_CENTRE,
    Funding,
    IncomeLine,
    centre_cost,
    cost_basis,
    income_lines,
    issued_in,
)
from mutua.purchasing.ports import FundingUnitOfWork
from mutua.purchasing.service.common import today

SOURCE = "commission ledger"


@dataclass(frozen=True, slots=True)
class CommissionLedger:
    """The commission statements of a year as ledger lines (Mutua's ledger file).

    Attributes:
        year: the year the statements were issued in.
        account: the income account.
        centre: the purchasing team's cost centre.
        lines: one per statement not yet in the ledger, by day of issue.
        already: the entries of the year's statements that are in the ledger already (left out).
    """

    year: int
    account: str
    centre: str
    lines: tuple[IncomeLine, ...]
    already: tuple[str, ...] = ()

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    def csv(self) -> str:
        """The lines as Mutua's ledger file (``mutua import ledger FILE`` reads it)."""
        return csv_text(LEDGER_HEADER, [line.row() for line in self.lines], numeric=("amount", "nd_vat"))

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "account": self.account,
            "centre": self.centre,
            "total": str(self.total),
            "lines": [line.as_json() for line in self.lines],
            "already_in_ledger": list(self.already),
        }


def _check(uow: FundingUnitOfWork, account: str, centre: str) -> None:
    """Refuse an account that is no income account of the model, or a centre it does not know."""
    _, model = uow.costing.cost_model()
    problems = []
    try:
        fields.account(account)
    except ValueError as exc:
        problems.append(Problem(SOURCE, None, "account", str(exc)))
    else:
        if not account.startswith("7"):
            problems.append(
                Problem(
                    SOURCE, None, "account", f"account {account} is no income account (class 7): commissions are income"
                )
            )
        elif model.account_rule(account) is None:
            problems.append(Problem(SOURCE, None, "account", f"unknown account {account} (not in the cost model)"))
    if model.centre(centre) is None:
        problems.append(Problem(SOURCE, None, "centre", f"unknown cost centre {centre!r}"))
    if problems:
        raise Rejected(problems, f"commission ledger of {centre}")


@requires(Permission(Action.READ_ASSOCIATION))
def commission_ledger(
    uow: FundingUnitOfWork, year: int, account: str = COMMISSION_ACCOUNT, centre: str = PURCHASING_CENTRE
) -> CommissionLedger:
    """The commission statements issued in ``year`` as ledger lines: each statement's commission
    (net of VAT) as income on ``account`` and ``centre``, in the month it was issued; the
    statements already in the ledger are left out. Refused (every problem named) when the model
    knows no such income account or centre, or when there is nothing to write."""
    with uow:
        _check(uow, account, centre)
        statements = issued_in(uow.purchasing.statements(), year)
        if not statements:
            raise Rejected(
                [Problem(SOURCE, None, "year", f"no commission statement was issued in {year}")],
                f"commission ledger of {year}",
            )
        suppliers = {s.code: s.name for s in uow.purchasing.suppliers()}
        lines = income_lines(statements, account, centre, suppliers)
        known = uow.charging.known_entry_ids([line.entry_id for line in lines])
    if len(known) == len(lines):
        raise Rejected(
            [Problem(SOURCE, None, "year", f"every commission statement issued in {year} is in the ledger already")],
            f"commission ledger of {year}",
        )
    return CommissionLedger(
        year,
        account,
        centre,
        tuple(line for line in lines if line.entry_id not in known),
        tuple(line.entry_id for line in lines if line.entry_id in known),
    )


@requires(Permission(Action.READ_ASSOCIATION))
def purchasing_funding(
    uow: FundingUnitOfWork, year: int | None = None, centre: str = PURCHASING_CENTRE, on: date | None = None
) -> Funding:
    """The commissions of ``year`` (the statements issued in it; this year by default) against the
    cost of the purchasing team's centre in the close: ``year``'s closed months so far, else the
    last year closed before it. Without such a centre in the cost model, the commissions alone."""
    which = year if year is not None else today(on).year
    with uow:
        statements = issued_in(uow.purchasing.statements(), which)
        income = sum((s.commission for s in statements), ZERO)
        _, model = uow.costing.cost_model()
        found = model.centre(centre)
        if found is None:
            return Funding(which, centre, "", len(statements), income)
        basis, months = cost_basis(uow.charging.closed_periods(), which)
        cost = centre_cost(uow.charging.ledger_totals(months), centre) if months else None
    return Funding(which, centre, found.name, len(statements), income, basis, len(months), cost)
