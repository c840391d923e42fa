"""A supplier's price list for one lot: its lines checked one by one, then merged into the lot's
catalogue (new items, changed prices kept as history, items no longer listed withdrawn).

A price list is a table with a header line and these columns (any order; the optional ones may be
left out):

===================  ========  ==============================================================
column               required  what
===================  ========  ==============================================================
code                 yes       the supplier's item code (unique in the list)
cpv                  yes       CPV 2008 code of the item (``30213100`` or ``30213100-6``)
description_nl       yes       description in Dutch
description_fr       yes       description in French
unit                 yes       UN/ECE rec. 20 unit code (``C62``, ``DAY``, ...; man-days
                               ``DAY`` on a consultancy lot)
price                yes       unit price in EUR excl. VAT, positive, at most two decimals
                               (``1234.50``; a decimal comma is accepted)
valid_until          no        the last day the item may be ordered (``YYYY-MM-DD``)
reference_price      no        what a member would pay at its own tender (the savings' reference)
===================  ========  ==============================================================

Every bad line is named (line, column, why) and the whole list is refused: :func:`check_lines`
returns the problems with the lines that passed; the caller writes nothing when there is any.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from mutua.kernel.bounds import MAX_AMOUNT
from mutua.kernel.money import is_cents
from mutua.kernel.problems import Problem
from mutua.purchasing.domain import CatalogueItem, LotKind, units
from mutua.purchasing.domain import cpv as cpv_codes

REQUIRED = ("code", "cpv", "description_nl", "description_fr", "unit", "price")
OPTIONAL = ("valid_until", "reference_price")
COLUMNS = REQUIRED + OPTIONAL
MAX_CODE = 60
MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class PriceListLine:
    """A line of a price list that passed its checks.

    Attributes:
        line: its line (row) number in the file (the header is line 1).
        code: the supplier's item code.
        cpv: the CPV code (8 digits).
        description_nl: the Dutch description.
        description_fr: the French description.
        unit: the UN/ECE rec. 20 unit code.
        price: the unit price.
        valid_until: the last day it may be ordered, or None.
        reference_price: the savings' reference price, or None.
    """

    line: int
    code: str
    cpv: str
    description_nl: str
    description_fr: str
    unit: str
    price: Decimal
    valid_until: date | None = None
    reference_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PriceChange:
    """An item whose price (or description, unit, validity) a new price list changes.

    Attributes:
        item: the item as it is.
        line: the price list's line.
    """

    item: CatalogueItem
    line: PriceListLine

    @property
    def price_changed(self) -> bool:
        return self.item.price != self.line.price


@dataclass(frozen=True, slots=True)
class CatalogueChanges:
    """What a price list does to a lot's catalogue of one supplier.

    Attributes:
        new: lines of items not in the catalogue yet.
        changed: items listed again with something different (a new price goes into the history).
        unchanged: how many items are listed again as they are.
        withdrawn: items of the catalogue the list no longer names (they may no longer be ordered
            from the list's first day).
    """

    new: tuple[PriceListLine, ...]
    changed: tuple[PriceChange, ...]
    unchanged: int
    withdrawn: tuple[CatalogueItem, ...]


def header_problems(header: Sequence[str], source: str) -> list[Problem]:
    """What is wrong with a price list's header line (line 1)."""
    problems = []
    for name in header:
        if name not in COLUMNS:
            problems.append(Problem(source, 1, name or "(empty)", f"unknown column (expected: {', '.join(COLUMNS)})"))
    for name in REQUIRED:
        if name not in header:
            problems.append(Problem(source, 1, name, "required column is missing from the header"))
    named = [h for h in header if h]
    if len(set(named)) != len(named):
        problems.append(Problem(source, 1, None, "a column is named twice in the header"))
    return problems


def _amount(text: str) -> Decimal:
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{text.strip()[:20]!r} is not an amount") from None
    if not amount.is_finite():
        raise ValueError(f"{text.strip()[:20]!r} is not an amount")
    return amount


_PLAIN_PRICE = re.compile(r"[1-9][0-9]{0,8}(?:\.[0-9]{1,2})?")
"""A price as most price lists write it (no sign, grouping or exponent, at most two decimals, below
10^9): taken as it is; anything else goes through every check of :func:`_amount`."""
_CENT = Decimal("0.01")


def _price(text: str, what: str) -> Decimal:
    if _PLAIN_PRICE.fullmatch(text):
        amount = Decimal(text)
        if amount <= MAX_AMOUNT:
            return amount.quantize(_CENT)
    amount = _amount(text)
    if amount < 0:
        raise ValueError(f"negative {what} {amount}: a price is positive")
    if amount == 0:
        raise ValueError(f"{what} is zero: a price is positive")
    if amount > MAX_AMOUNT:  # before the cents: 1e100 cannot even be rounded to them
        raise ValueError(f"{what} {amount} is beyond the bound of {MAX_AMOUNT:,}")
    if not is_cents(amount):
        raise ValueError(f"{what} {amount} has more than two decimals")
    return amount.quantize(_CENT)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text.strip()[:20]!r} is not a date (YYYY-MM-DD)") from None


def check_lines(
    rows: Sequence[tuple[int, Mapping[str, str | None]]],
    source: str,
    kind: LotKind,
    valid_from: date,
    seen: dict[str, int] | None = None,
) -> tuple[list[PriceListLine], list[Problem]]:
    """Check every row (line, cells by column) of a price list for a lot of ``kind`` taking effect
    on ``valid_from``: the lines that passed, and a problem per bad cell or duplicate item. A list
    checked part by part passes the same ``seen`` (code: line) to each part."""
    problems: list[Problem] = []
    lines: list[PriceListLine] = []
    seen = {} if seen is None else seen
    vocabulary = cpv_codes.vocabulary()
    consultancy = kind is LotKind.CONSULTANCY
    for line, cells in rows:
        found = _check_row(line, cells, source, problems, seen, vocabulary, consultancy, valid_from)
        if found is not None:
            lines.append(found)
    if not rows:
        problems.append(Problem(source, None, None, "the price list has a header but no items"))
    return lines, problems


def _check_row(
    line: int,
    cells: Mapping[str, str | None],
    source: str,
    problems: list[Problem],
    seen: dict[str, int],
    vocabulary: Mapping[str, str],
    consultancy: bool,
    valid_from: date,
) -> PriceListLine | None:
    before = len(problems)

    def bad(name: str, why: str) -> None:
        problems.append(Problem(source, line, name, why))

    code = (cells.get("code") or "").strip()
    if not code:
        bad("code", "missing item code")
    elif len(code) > MAX_CODE:
        bad("code", f"item code longer than {MAX_CODE} characters")
    elif code in seen:
        bad("code", f"duplicate item {code!r}: also on line {seen[code]}")
    else:
        seen[code] = line
    raw_cpv = (cells.get("cpv") or "").strip()
    cpv = raw_cpv if len(raw_cpv) == 8 and raw_cpv in vocabulary else cpv_codes.normalise(raw_cpv)
    if not raw_cpv:
        bad("cpv", "missing CPV code")
    elif cpv is None or cpv not in vocabulary:
        bad("cpv", cpv_codes.problem(raw_cpv) or "wrong CPV code")
    nl = (cells.get("description_nl") or "").strip()
    fr = (cells.get("description_fr") or "").strip()
    for name, text, what in (("description_nl", nl, "Dutch description"), ("description_fr", fr, "French description")):
        if not text:
            bad(name, f"missing {what}")
        elif len(text) > MAX_TEXT:
            bad(name, f"longer than {MAX_TEXT} characters")
    unit = (cells.get("unit") or "").strip().upper()
    if not unit:
        bad("unit", "missing unit code")
    elif unit not in units.REC20:
        bad("unit", units.problem(unit) or "unknown unit code")
    elif consultancy and unit != units.MAN_DAY:
        bad("unit", f"a consultancy lot sells man-days (unit DAY), not {unit}")
    price = reference = until = None
    raw = (cells.get("price") or "").strip()
    if not raw:
        bad("price", "missing price")
    else:
        try:
            price = _price(raw, "price")
        except ValueError as exc:
            bad("price", str(exc))
    raw = (cells.get("reference_price") or "").strip()
    if raw:
        try:
            reference = _price(raw, "reference price")
        except ValueError as exc:
            bad("reference_price", str(exc))
    raw = (cells.get("valid_until") or "").strip()
    if raw:
        try:
            until = _day(raw)
            if until < valid_from:
                bad("valid_until", f"{until} is before the price list's first day {valid_from}")
        except ValueError as exc:
            bad("valid_until", str(exc))
    if len(problems) > before or price is None or cpv is None:
        return None
    return PriceListLine(line, code, cpv, nl, fr, unit, price, until, reference)


def merge(
    catalogue: Mapping[str, CatalogueItem], lines: Sequence[PriceListLine], valid_from: date, source: str
) -> tuple[CatalogueChanges, list[Problem]]:
    """What the checked ``lines`` of a price list taking effect on ``valid_from`` do to the items of
    one supplier in one lot (``catalogue``: its items still orderable, by code). A price list may
    not take effect before a price already in the history (the history stays in date order)."""
    problems = []
    latest = max((item.price_since for item in catalogue.values()), default=None)
    if latest is not None and valid_from < latest:
        problems.append(
            Problem(source, None, "valid_from", f"the catalogue has prices from {latest} on: a new list starts then")
        )
    new, changed, unchanged = [], [], 0
    for line in lines:
        item = catalogue.get(line.code)
        if item is None:
            new.append(line)
        elif (
            item.price,
            item.cpv,
            item.description_nl,
            item.description_fr,
            item.unit,
            item.valid_until,
            item.reference_price,
        ) == (
            line.price,
            line.cpv,
            line.description_nl,
            line.description_fr,
            line.unit,
            line.valid_until,
            line.reference_price,
        ):
            unchanged += 1
        else:
            changed.append(PriceChange(item, line))
    listed = {line.code for line in lines}
    withdrawn = tuple(item for code, item in sorted(catalogue.items()) if code not in listed)
    return CatalogueChanges(tuple(new), tuple(changed), unchanged, withdrawn), problems
