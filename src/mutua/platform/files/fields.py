"""Parsers for the fields of input files: each returns a value or raises ValueError plainly."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from mutua.kernel.ids import enterprise_number
from mutua.kernel.periods import Period, PeriodError

E = TypeVar("E", bound=enum.StrEnum)


def number(text: str, *, places: int | None = None, non_negative: bool = False, positive: bool = False) -> Decimal:
    cleaned = text.replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # Belgian decimal comma
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    if places is not None and value != value.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(f"{text!r} has more than {places} decimals")
    if positive and value <= 0:
        raise ValueError(f"must be greater than zero, not {text}")
    if non_negative and value < 0:
        raise ValueError(f"must not be negative, not {text}")
    return value


def amount(text: str) -> Decimal:
    """An amount in EUR: at most two decimals."""
    return number(text, places=2)


def quantity(text: str) -> Decimal:
    return number(text, places=6, non_negative=True)


def hours(text: str) -> Decimal:
    value = number(text, places=2, non_negative=True)
    if value > 24:
        raise ValueError(f"{text} hours in one day is more than 24")
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
