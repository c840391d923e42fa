"""Writing CSV: every CSV Mutua writes for a person to open (statements, the FOCUS export, usage)
goes through :func:`csv_text`, which neutralises formula injection cell by cell with
:func:`safe_cell`.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula: an engagement title ``=HYPERLINK(...)`` would become a link on
the controller's screen. Following OWASP (CSV injection), such a text cell is written with a
single quote in front (``'=HYPERLINK(...)``), which spreadsheets show as text.

Numbers stay numbers: the decision is by column. A cell of a numeric column (an amount, a quantity,
a unit price: the columns a writer names in ``numeric``) that is a plain number, such as the credit
``-12.50``, is written as it is; a number given as a number (``Decimal``, ``int``) is never text.
Every other cell is text and is neutralised when it begins with one of those characters.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula (OWASP)."""

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def safe_cell(value: object, *, numeric: bool = False) -> object:
    """``value`` as a CSV cell that no spreadsheet runs as a formula.

    ``numeric``: the cell is in a numeric column, where a plain number (``-12.50``) is kept as it
    is. Numbers given as numbers are kept in any column; None is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    if numeric and _PLAIN_NUMBER.match(text):
        return text
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_text(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    numeric: Collection[str] = (),
    lineterminator: str = "\r\n",
) -> str:
    """CSV text: the header ``columns``, then ``rows`` (each in the order of ``columns``), every cell
    through :func:`safe_cell` (``numeric``: the names of the numeric columns)."""
    flags = [c in numeric for c in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(v, numeric=n) for v, n in zip(row, flags, strict=True)])
    return buffer.getvalue()
