"""The bounds of every amount, quantity and hour Mutua accepts from a file, in one place.

Amounts are stored as scaled integers in 64-bit columns (BIGINT: at most 9,223,372,036,854,775,807
units) and summed in SQL. A value past these bounds is refused where it enters (the CSV imports
through :mod:`mutua.platform.files.fields`, the cost model through its reader), with its file, line
and field, so that every later step (the close, the true-up, the report) can add them up:

=================  ==============================  =========  ==========================================
what               bound (absolute value)          stored as  one BIGINT sum overflows only after
=================  ==============================  =========  ==========================================
amount (EUR)       100,000,000.00                  cents      922 million lines at the bound
quantity           1,000,000,000 (6 decimals)      10^-6      9,223 lines at the bound (usage is one
                                                              line per engagement, service and month)
hours              24 per person, engagement, day  10^-6      384 billion entries at the bound
weight             1,000,000 (6 decimals)          10^-6      9.2 million members or engagements
price, rate (EUR)  10,000 per unit or hour         10^-9      a usage line's charge is at most 10^13
                                                              EUR (10^15 cents): 9,223 such lines
markup             10 (1000 %)                     -          -
=================  ==============================  =========  ==========================================

The tightest column is a charge's unit price (10^-9 EUR: at most 9,223,372,036.85 EUR), which holds
a month's fixed share and a true-up's settlement of one engagement and service: a year of ledger
lines at the bound (one a month on a centre: 1.2 x 10^9 EUR) fits, and so do 92 of them. Past that,
the close and the true-up refuse with a problem naming the engagement (:func:`storable`), never an
overflow. PostgreSQL sums BIGINT columns as NUMERIC in any case; SQLite sums them as 64-bit
integers, which these bounds keep in range: the largest sum the close, the true-up or the report
makes is a year of one kind of line, and a year of ledger lines overflows it only past 922 million
lines at the bound (77 million a month, far past what one CSV import holds in memory).
"""

from __future__ import annotations

from decimal import Decimal

MAX_AMOUNT = Decimal("100000000.00")
"""The largest amount in EUR (absolute value): ledger amounts, non-deductible VAT, commitments,
budgets, annual tariffs."""

MAX_QUANTITY = Decimal("1000000000")
"""The largest quantity of a service used in a month (usage files)."""

MAX_HOURS = Decimal(24)
"""The most hours one person books on one engagement on one day."""

MAX_WEIGHT = Decimal("1000000")
"""The largest vote weight or engagement weight, and the largest allocation key weight."""

MAX_PRICE = Decimal("10000")
"""The largest unit price or hourly rate of a tariff, in EUR."""

MAX_MARKUP = Decimal(10)
"""The largest overhead markup of a real-cost tariff (10 = 1000 %)."""


def beyond(value: Decimal, bound: Decimal) -> str | None:
    """Why ``value`` is past ``bound`` (in absolute value), or None when it is within."""
    if value.copy_abs() > bound:  # not abs(): it rounds to the context and overflows on 1e999999999
        return f"{value} is beyond the bound of {bound:,} (see the README's bounds of imported values)"
    return None


BIGINT = 2**63 - 1
"""The largest integer a 64-bit column holds (SQLite INTEGER, PostgreSQL BIGINT)."""


def storable(value: Decimal, scale: int) -> bool:
    """Whether ``value`` fits a BIGINT column of 10^-``scale`` units (a charge's amount: 2, its
    quantity: 6, its unit price: 9)."""
    return abs(value).scaleb(scale) <= BIGINT
