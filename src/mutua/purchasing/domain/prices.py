"""Prices: indexation of an agreement's catalogue by its published index, with the computation shown.

A revision multiplies each item's price in force by ``to_value / from_value`` (the index now against
the index at the previous revision, the base value the first time) and rounds to the cent once:

    >>> from decimal import Decimal as D
    >>> indexed(D("250.00"), D("100.00"), D("104.20"))
    (Decimal('260.50'), '250.00 x 104.20 / 100.00 = 260.50')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

from mutua.kernel.money import to_cents
from mutua.purchasing.domain import Agreement, Indexation


def indexed(price: Decimal, from_value: Decimal, to_value: Decimal) -> tuple[Decimal, str]:
    """The new price and its computation."""
    new = to_cents(Fraction(price) * Fraction(to_value) / Fraction(from_value))
    return new, f"{price} x {index_text(to_value)} / {index_text(from_value)} = {new}"


def index_text(value: Decimal) -> str:
    """An index value with its meaningful decimals, at least two (``100.000000`` is ``100.00``)."""
    exponent = value.normalize().as_tuple().exponent
    places = max(2, -exponent if isinstance(exponent, int) else 2)
    return f"{value:.{places}f}"


def indexation_problems(
    agreement: Agreement, earlier: Sequence[Indexation], applies_from: date, to_value: Decimal
) -> list[str]:
    """Why an indexation of ``agreement`` to ``to_value`` from ``applies_from`` may not be applied."""
    rule = agreement.indexation
    if rule is None:
        return [f"agreement {agreement.reference} has no indexation clause"]
    reasons = []
    if applies_from.day != 1 or applies_from.month != rule.month:
        reasons.append(
            f"agreement {agreement.reference} revises its prices on the first day of month {rule.month}, "
            f"not on {applies_from}"
        )
    if not agreement.in_term(applies_from):
        reasons.append(
            f"{applies_from} is outside the term of {agreement.reference} "
            f"({agreement.starts_on} to {agreement.term_end})"
        )
    if any(ix.applies_from.year == applies_from.year for ix in earlier):
        reasons.append(f"agreement {agreement.reference} was indexed in {applies_from.year} already")
    if any(ix.applies_from > applies_from for ix in earlier):
        reasons.append("a later indexation was applied already")
    if not to_value.is_finite() or to_value <= 0:
        reasons.append(f"index value {to_value} is not positive")
    return reasons


def previous_value(agreement: Agreement, earlier: Sequence[Indexation]) -> Decimal:
    """The index value the next revision starts from: the last revision's, else the base value."""
    if earlier:
        return max(earlier, key=lambda ix: ix.applies_from).to_value
    return agreement.indexation.base_value if agreement.indexation else Decimal(1)
