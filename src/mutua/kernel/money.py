"""Money: ``Decimal`` only, one constructor, one rounding helper, largest-remainder splits.

Never use floating point for money. Amounts are kept exact (``Decimal`` or ``Fraction``) while
they are computed and rounded to the cent only at the edge, through :func:`to_cents`. Every split
of an amount over parties goes through :func:`split`, which rounds by largest remainder so that
the parts always add up to the amount split, to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import TypeVar

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
K = TypeVar("K")

Exact = Decimal | Fraction | int


class MoneyError(ValueError):
    """A value that is not a valid amount of money."""


def D(value: str | int | Decimal | None = None) -> Decimal:
    """The one constructor for amounts and quantities: from text, int or Decimal, never float.

    >>> D("12.50")
    Decimal('12.50')
    """
    if value is None or value == "":
        return ZERO
    if isinstance(value, float):  # pragma: no cover - a programmer mistake
        raise TypeError("never construct money from a float")
    try:
        result = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation as exc:
        raise MoneyError(f"not a number: {value!r}") from exc
    if not result.is_finite():
        raise MoneyError(f"not a finite number: {value!r}")
    return result


def as_fraction(value: Exact) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def to_cents(value: Exact) -> Decimal:
    """Round an exact value to the cent, half away from zero (commercial rounding)."""
    if isinstance(value, Fraction):
        sign = -1 if value < 0 else 1
        cents = abs(value) * 100
        whole, rest = divmod(cents.numerator, cents.denominator)
        if rest * 2 >= cents.denominator:
            whole += 1
        return (Decimal(sign * whole) / 100).quantize(CENT)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def is_cents(value: Decimal) -> bool:
    """True if the amount has no more than two decimals."""
    return value == value.quantize(CENT, rounding=ROUND_FLOOR)


def split(total: Decimal, weights: Mapping[K, Exact]) -> dict[K, Decimal]:
    """Split ``total`` (a cent amount) over the keys in proportion to their weights.

    Each part is the exact share floored to the cent; the cents left over go one by one to the
    parts with the largest remainders (ties broken by the order of ``weights``), so that the
    parts always add up to ``total``. Negative totals split symmetrically. Weights must be
    non-negative with a positive sum.

    >>> split(D("100.00"), {"a": 1, "b": 1, "c": 1})
    {'a': Decimal('33.34'), 'b': Decimal('33.33'), 'c': Decimal('33.33')}
    """
    if not is_cents(total):
        raise MoneyError(f"cannot split {total}: not a whole number of cents")
    keys = list(weights)
    fractions = [as_fraction(weights[k]) for k in keys]
    if any(w < 0 for w in fractions):
        raise MoneyError("split weights must not be negative")
    weight_sum = sum(fractions, Fraction(0))
    if weight_sum == 0:
        if total == 0:
            return dict.fromkeys(keys, ZERO)
        raise MoneyError(f"cannot split {total}: the weights add up to zero")
    sign = -1 if total < 0 else 1
    total_cents = int(abs(total) * 100)
    exact = [Fraction(total_cents) * w / weight_sum for w in fractions]
    floors = [e.numerator // e.denominator for e in exact]
    left = total_cents - sum(floors)
    order = sorted(range(len(keys)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return {k: (Decimal(sign * c) / 100).quantize(CENT) for k, c in zip(keys, floors, strict=True)}


def round_shares(exact: Mapping[K, Exact]) -> dict[K, Decimal]:
    """Round exact amounts to cents so that the rounded parts sum to the rounded exact total.

    Used where an allocation has produced exact (rational) amounts whose sum is a whole number
    of cents: the parts are rounded by largest remainder so that nothing is lost or created.
    Parts may have either sign; the total is kept exactly.
    """
    keys = list(exact)
    values = [as_fraction(exact[k]) for k in keys]
    total = sum(values, Fraction(0))
    total_cents_exact = total * 100
    if total_cents_exact.denominator != 1:
        raise MoneyError(f"exact parts add up to {float(total):.6f}, not a whole number of cents")
    cents = [v * 100 for v in values]
    floors = [c.numerator // c.denominator for c in cents]
    left = int(total_cents_exact) - sum(floors)
    order = sorted(range(len(keys)), key=lambda i: (-(cents[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return {k: (Decimal(c) / 100).quantize(CENT) for k, c in zip(keys, floors, strict=True)}


def total(amounts: Sequence[Decimal] | Mapping[object, Decimal]) -> Decimal:
    values = amounts.values() if isinstance(amounts, Mapping) else amounts
    return sum(values, ZERO)
