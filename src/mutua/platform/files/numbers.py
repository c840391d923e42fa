"""Numbers as accounting packages write them: read by the file's declared convention, never guessed.

With a decimal comma the thousands separator is a point (``1.500,25`` is 1500.25, ``1.500`` is
1500); with a decimal point it is a comma (``1,500.25``). A space (or a no-break space) may group
thousands under either. A value that does not fit the convention (``1.50`` under a decimal comma:
the point must separate groups of three digits) is refused::

    >>> canonical("1.500", ",")
    '1500'
    >>> canonical("-1.234.567,8", ",")
    '-1234567.8'
    >>> canonical("1,5", ".")
    Traceback (most recent call last):
    ...
    ValueError: '1,5' is not a number written with a decimal point (',' between thousands)

A file whose convention is not declared (a ``;`` file without the model's ``ledger_format``) is read
by :func:`unambiguous`: a value is taken only when both conventions read it the same, or only one
reads it at all; ``1.500`` (1.5 or 1500) is refused as ambiguous.
"""

from __future__ import annotations

import re

_SPACES = ("\u00a0", "\u202f", " ")
_WORDS = {",": "a decimal comma ('.' between thousands)", ".": "a decimal point (',' between thousands)"}


def _digits_grouped(part: str, thousands: str) -> str | None:
    """The digits of an integer part, its groups of three checked; None when it is not one."""
    if part.isdigit():
        return part
    if not re.fullmatch(r"\d{1,3}(?:" + re.escape(thousands) + r"\d{3})+", part):
        return None
    return part.replace(thousands, "")


def _read(text: str, decimal: str) -> str | None:
    value = text.strip()
    for space in _SPACES:
        value = value.replace(space, "\u0000")  # a group separator, checked like the declared one
    sign = ""
    if value[:1] in "+-" and value[:1]:
        sign, value = ("-" if value[0] == "-" else ""), value[1:]
    thousands = "." if decimal == "," else ","
    if "\u0000" in value:
        if thousands in value:
            return None  # one kind of grouping per value
        value = value.replace("\u0000", thousands)
    if value.count(decimal) > 1:
        return None
    whole, _, fraction = value.partition(decimal)
    if decimal in value and not fraction.isdigit():
        return None
    if whole == "" and fraction:
        whole = "0"
    digits = _digits_grouped(whole, thousands)
    if digits is None:
        return None
    return sign + digits + (f".{fraction}" if fraction else "")


def canonical(text: str, decimal: str) -> str:
    """``text`` written with ``decimal`` as the decimal separator, as plain digits and a point."""
    found = _read(text, decimal)
    if found is None:
        raise ValueError(f"{text!r} is not a number written with {_WORDS[decimal]}")
    return found


def unambiguous(text: str) -> str:
    """``text`` as plain digits and a point, when both conventions read it alike or only one does;
    refused when they read it differently (``1.500``: 1.5 or 1500)."""
    readings = {r for r in (_read(text, "."), _read(text, ",")) if r is not None}
    if not readings:
        raise ValueError(f"{text!r} is not a number")
    if len({_value(r) for r in readings}) > 1:
        point, comma = _read(text, "."), _read(text, ",")
        raise ValueError(
            f"{text!r} is ambiguous: {point} with a decimal point, {comma} with a decimal comma; "
            "declare the file's convention (ledger_format.decimal in the cost model) or write it unambiguously"
        )
    return readings.pop()


def _value(canonical_text: str) -> tuple[str, str]:
    whole, _, fraction = canonical_text.partition(".")
    return whole.lstrip("-").lstrip("0") or "0", fraction.rstrip("0")
