"""Accounting periods: calendar months, written ``YYYY-MM``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    """Text that is not a period."""


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A calendar month.

    Attributes:
        year: the calendar year.
        month: 1 to 12.
    """

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise PeriodError(f"month must be 1-12, not {self.month}")
        if not 1900 <= self.year <= 9999:
            raise PeriodError(f"year out of range: {self.year}")

    @classmethod
    def parse(cls, text: str) -> Period:
        m = _PERIOD.match(text.strip())
        if not m:
            raise PeriodError(f"not a period (YYYY-MM): {text!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @property
    def key(self) -> int:
        """A sortable integer, ``YYYYMM``."""
        return self.year * 100 + self.month

    @classmethod
    def from_key(cls, key: int) -> Period:
        return cls(key // 100, key % 100)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        nxt = self.next()
        return date.fromordinal(nxt.first_day.toordinal() - 1)

    def next(self) -> Period:
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_of(year: int) -> tuple[Period, ...]:
    return tuple(Period(year, m) for m in range(1, 13))
