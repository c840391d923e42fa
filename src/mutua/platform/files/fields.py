"""Parsers for the fields of input files: each returns a value or raises ValueError plainly.

Every amount, quantity and hour has a bound (:mod:`mutua.kernel.bounds`, listed in the README's
"Bounds of imported values"): a value past it is refused with its line and field, so that the sums
of the close, the true-up and the report cannot overflow.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from mutua.kernel.bounds import MAX_AMOUNT, MAX_HOURS, MAX_QUANTITY, MAX_WEIGHT, beyond
from mutua.kernel.ids import enterprise_number
from mutua.kernel.periods import Period, PeriodError

E = TypeVar("E", bound=enum.StrEnum)


def number(
    text: str,
    *,
    places: int | None = None,
    non_negative: bool = False,
    positive: bool = False,
    bound: Decimal | None = None,
) -> Decimal:
    """A number; with ``bound``, at most that in absolute value (checked before anything else is
    computed with it)."""
    cleaned = text.replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # Belgian decimal comma
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    if bound is not None and (why := beyond(value, bound)) is not None:
        raise ValueError(why)
    if places is not None and not _has_places(value, places):
        raise ValueError(f"{text!r} has more than {places} decimals")
    if positive and value <= 0:
        raise ValueError(f"must be greater than zero, not {text}")
    if non_negative and value < 0:
        raise ValueError(f"must not be negative, not {text}")
    return value


def _has_places(value: Decimal, places: int) -> bool:
    """Whether finite ``value`` has at most ``places`` decimals (trailing zeros aside), read from its
    digits: quantizing a number too long for the decimal context raises an error whose text is only
    its class name."""
    _, digits, exponent = value.as_tuple()
    extra = -int(exponent) - places  # digits written past the allowed places
    return extra <= 0 or not any(digits[-extra:])


def amount(text: str) -> Decimal:
    """An amount in EUR: at most two decimals, at most :data:`MAX_AMOUNT` either way."""
    return number(text, places=2, bound=MAX_AMOUNT)


def non_negative_amount(text: str) -> Decimal:
    """An amount in EUR that cannot be negative (a budget, non-deductible VAT)."""
    return number(text, places=2, non_negative=True, bound=MAX_AMOUNT)


def quantity(text: str) -> Decimal:
    """A quantity used: at most six decimals, at most :data:`MAX_QUANTITY`."""
    return number(text, places=6, non_negative=True, bound=MAX_QUANTITY)


def weight(text: str) -> Decimal:
    """A vote or engagement weight: at most six decimals, at most :data:`MAX_WEIGHT`."""
    return number(text, places=6, non_negative=True, bound=MAX_WEIGHT)


def hours(text: str) -> Decimal:
    """Hours one person worked on one engagement on one day: at most :data:`MAX_HOURS`."""
    value = number(text, places=2, non_negative=True, bound=Decimal(10) ** 6)
    if value > MAX_HOURS:
        raise ValueError(f"{text} hours in one day is more than {MAX_HOURS}")
    return value


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise ValueError(str(exc)) from None


def kbo(text: str) -> str:
    return enterprise_number(text)


def choice(enum_type: type[E]) -> Callable[[str], E]:
    def parse(text: str) -> E:
        try:
            return enum_type(
                text.strip().lower() if text.strip().lower() in {e.value for e in enum_type} else text.strip()
            )
        except ValueError:
            allowed = ", ".join(e.value for e in enum_type)
            raise ValueError(f"{text!r} is not one of: {allowed}") from None

    return parse


def text(limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"longer than {limit} characters")
        return value

    return parse


def account(text: str) -> str:
    if not text.isdigit() or not 3 <= len(text) <= 10:
        raise ValueError(f"{text!r} is not a ledger account (3 to 10 digits)")
    if text[0] not in "67":
        raise ValueError(f"{text!r} is not a class 6 (cost) or class 7 (income) account")
    return text
