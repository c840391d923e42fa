"""Sums the repository reads back for the read models (dashboard, report, allocation, true-up)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from mutua.kernel.periods import Period


@dataclass(frozen=True, slots=True)
class MonthlyCharge:
    """What an engagement was charged for a service in a month, per kind of charge.

    Attributes:
        engagement: the engagement's code.
        service: the service's code.
        period: the month.
        kind: ``provisional`` (a close) or ``true_up`` (the year's settlement).
        amount: the sum, in EUR.
    """

    engagement: str
    service: str
    period: Period
    kind: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ChargeTotal:
    """Every charge of an engagement for a service over some months (all kinds together).

    Attributes:
        member: the member's enterprise number.
        engagement: the engagement's code.
        service: the service's code.
        amount: the sum, in EUR.
    """

    member: str
    engagement: str
    service: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class UsageMonth:
    """An engagement's usage of a service in a month (every source together).

    Attributes:
        engagement: the engagement's code.
        service: the service's code.
        period: the month it is charged in.
        quantity: the quantity, in the service's unit.
    """

    engagement: str
    service: str
    period: Period
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class LedgerTotal:
    """The ledger's cost (non-deductible VAT included) of an account class on a centre.

    Attributes:
        account_class: the account's first two digits.
        centre: the cost centre.
        amount: the sum (income negative).
    """

    account_class: str
    centre: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class MemberShare:
    """A member's true-up: its provisional charges and its share of the actual cost.

    Attributes:
        member: the member's enterprise number.
        name: the member's name.
        charged: charged provisionally over the year.
        actual: its share of the year's actual cost.
    """

    member: str
    name: str
    charged: Decimal
    actual: Decimal

    @property
    def difference(self) -> Decimal:
        """Positive: the member owes it; negative: it is refunded (or carried forward)."""
        return self.actual - self.charged
