"""The close's inputs as they are imported: ledger lines, time entries and usage.

Each record names its engagement by code; the repository keeps them (with the import batch they
came in). A month's inputs are summed into :class:`~mutua.charging.domain.charges.Drivers` and
direct costs by centre for its close.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mutua.kernel.periods import Period


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """A line of the general ledger, on a cost centre (and, for real cost, an engagement).

    Attributes:
        entry_id: the accounting system's unique id of the line.
        period: the month it is booked in.
        account: the account number.
        centre: the cost centre (the account's default when the file left it empty).
        amount: the cost; income (class 7) is stored negative: it reduces the cost to share.
        nd_vat: the VAT the association could not deduct (a cost too).
        engagement: the real-cost engagement it is booked on, or None.
        description: free text.
    """

    entry_id: str
    period: Period
    account: str
    centre: str
    amount: Decimal
    nd_vat: Decimal = Decimal(0)
    engagement: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class TimeEntry:
    """Hours a person worked on an engagement on one day, at a grade.

    Attributes:
        person: who worked.
        grade: the staff grade (its cost rate is in the year's tariff).
        engagement: the engagement's code.
        worked_on: the day.
        hours: the hours.
    """

    person: str
    grade: str
    engagement: str
    worked_on: date
    hours: Decimal

    @property
    def period(self) -> Period:
        return Period.of(self.worked_on)


@dataclass(frozen=True, slots=True)
class UsageLine:
    """Usage of a service by an engagement, already summed for a month.

    Attributes:
        engagement: the engagement's code.
        service: the service's code.
        period: the month it is charged in.
        quantity: the quantity, in the service's unit.
        origin: the month the usage happened in (later than ``period`` never; earlier for late
            usage charged in the next open month); None means ``period``.
        source: ``import`` (a CSV file) or ``metering``.
    """

    engagement: str
    service: str
    period: Period
    quantity: Decimal
    origin: Period | None = None
    source: str = "import"
