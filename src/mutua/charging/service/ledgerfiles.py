"""The ledger as accounting packages export it, turned into Mutua's ledger CSV before the import.

The cost model's ``ledger_format`` (:mod:`mutua.costing.domain.ledgerformat`, docs/ledger-formats.md)
says how the files are written: CSV (delimiter, decimal separator, encoding) or an XLSX sheet, the
line of the header, how the period is written, and which of the export's columns holds each of
Mutua's fields (an amount, or debit and credit). Without it the file is Mutua's own CSV; a ``;``
file without a declared convention is read by :func:`~mutua.platform.files.numbers.unambiguous`
(``1.500`` is refused, never read as 1.5).

Every line keeps its number and every problem names the export's own column, so that the controller
finds it in the file as exported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from mutua.costing.domain.ledgerformat import LedgerFormat, PeriodFormat, mapped_fields
from mutua.kernel.periods import Period
from mutua.kernel.problems import Problem, Rejected
from mutua.platform.files import fields as f
from mutua.platform.files.csv_files import Column
from mutua.platform.files.numbers import canonical, unambiguous
from mutua.platform.files.sheets import NumberCell, csv_rows, decode, is_xlsx, sniff_delimiter, table_text, xlsx_rows

# Mutua's ledger fields in the order of its CSV (``debit`` and ``credit`` instead of ``amount``
# when the export has them).
ORDER = ("entry_id", "period", "account", "centre", "amount", "debit", "credit", "nd_vat", "engagement", "description")


@dataclass(frozen=True, slots=True)
class LedgerFile:
    """A ledger file as Mutua's CSV.

    Attributes:
        text: the canonical CSV (header: Mutua's fields), every line on its original line number.
        columns: how to read its fields (numbers by the file's convention).
        headers: Mutua's field -> the export's column header (to name it in problems).
    """

    text: str
    columns: tuple[Column, ...]
    headers: dict[str, str]

    def rename(self, problems: tuple[Problem, ...]) -> list[Problem]:
        """``problems`` naming the export's columns instead of Mutua's fields."""
        return [
            Problem(p.source, p.line, self.headers.get(p.field, p.field) if p.field else p.field, p.message)
            for p in problems
        ]


# Marks a sheet's number cell in the canonical CSV: its digits are read as they are, not by the
# convention for numbers written as text (an invisible separator: never in an amount typed by hand).
NUMBER_CELL = "\u2063"


def _numbers(fmt: LedgerFormat | None, delimiter: str) -> Callable[[str], str] | None:
    """How a number cell is turned into plain digits and a point (None: Mutua's own format)."""
    if fmt is not None:
        decimal = fmt.decimal

        def declared(text: str) -> str:
            return text[1:] if text.startswith(NUMBER_CELL) else canonical(text, decimal)

        return declared
    if delimiter != ",":
        return lambda text: text[1:] if text.startswith(NUMBER_CELL) else unambiguous(text)
    return None


_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: 00:00:00)?$")


def _period_parser(form: PeriodFormat) -> Callable[[str], Period]:
    def parse(text: str) -> Period:
        value = text.strip()
        try:
            if form is PeriodFormat.ISO:
                return Period.parse(value)
            if form is PeriodFormat.SLASH and re.fullmatch(r"\d{4}/\d{1,2}", value):
                year, month = value.split("/")
                return Period(int(year), int(month))
            if form is PeriodFormat.MONTH_YEAR and re.fullmatch(r"\d{1,2}/\d{4}", value):
                month, year = value.split("/")
                return Period(int(year), int(month))
            if form in (PeriodFormat.DAY, PeriodFormat.ISO_DAY):
                m = _ISO_DAY.match(value)  # a date cell of a sheet, or an ISO date
                if m:
                    return Period.of(date(int(m[1]), int(m[2]), int(m[3])))
                m = _DAY.match(value) if form is PeriodFormat.DAY else None
                if m:
                    return Period.of(date(int(m[3]), int(m[2]), int(m[1])))
        except ValueError:
            pass
        raise ValueError(f"{text!r} is not a period written as {form.value}")

    return parse


def _amount(read: Callable[[str], str] | None, parse: Callable[[str], Decimal]) -> Callable[[str], Decimal]:
    if read is None:
        return parse
    return lambda text: parse(read(text))


def ledger_columns(fmt: LedgerFormat | None, delimiter: str, present: set[str]) -> tuple[Column, ...]:
    """The ledger's columns, each number read by the file's convention."""
    read = _numbers(fmt, delimiter)
    debit_credit = "amount" not in present and bool({"debit", "credit"} & present)
    period = _period_parser(fmt.period) if fmt is not None else f.period
    return (
        Column("entry_id", f.text(60)),
        Column("period", period),
        Column("account", f.account),
        Column("centre", f.text(40), required=False),
        Column("amount", _amount(read, f.amount), required=not debit_credit),
        Column("debit", _amount(read, f.amount), required=False),
        Column("credit", _amount(read, f.amount), required=False),
        Column("nd_vat", _amount(read, f.non_negative_amount), required=False),
        Column("engagement", f.text(40), required=False),
        Column("description", f.text(300), required=False),
    )


def ledger_file(path: Path, data: bytes, fmt: LedgerFormat | None) -> LedgerFile:
    """The ledger file at ``path`` (its bytes ``data``) as Mutua's CSV; refused (its header, its
    encoding, its sheet) with the problems."""
    source = str(path)
    if is_xlsx(path, data):
        rows = list(xlsx_rows(data, fmt.sheet if fmt else None, source))
        delimiter = ";" if fmt is None else fmt.delimiter  # a sheet without a declared convention: unambiguous only
    else:
        text = decode(data, fmt.encoding.value if fmt else "utf-8", source)
        delimiter = fmt.delimiter if fmt is not None else sniff_delimiter(text)
        rows = list(csv_rows(text, delimiter, source))
    return ledger_rows(rows, fmt, delimiter, source)


def ledger_rows(rows: list[tuple[int, list[str]]], fmt: LedgerFormat | None, delimiter: str, source: str) -> LedgerFile:
    """Rows (line, cells) of an export as Mutua's ledger CSV."""
    header_line = fmt.header_row if fmt is not None else 1
    found = [(n, cells) for n, cells in rows if n >= header_line]
    if not found or found[0][0] != header_line or not any(c.strip() for c in found[0][1]):
        raise Rejected([Problem(source, header_line, None, "the file is empty: no header line")])
    header = [c.strip() for c in found[0][1]]
    problems: list[Problem] = []
    if fmt is not None and fmt.columns:
        wanted = mapped_fields(fmt)
        index: dict[str, int] = {}
        for field, name in wanted.items():
            if name not in header:
                problems.append(Problem(source, header_line, name, f"column is missing from the header ({field})"))
            elif header.count(name) > 1:
                problems.append(Problem(source, header_line, name, "a column is named twice in the header"))
            else:
                index[field] = header.index(name)
        headers = dict(wanted)
    else:
        index = {name: i for i, name in enumerate(header)}
        headers = {}
        if len(index) != len(header):
            problems.append(Problem(source, header_line, None, "a column is named twice in the header"))
    if problems:
        raise Rejected(problems, f"ledger import of {source}")
    names = sorted(index, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))
    out: list[tuple[int, list[str]]] = [(1, names)]  # the lines after it keep their numbers
    for n, cells in found[1:]:
        if not any(c.strip() for c in cells):
            continue
        if fmt is None and len(cells) != len(header):
            out.append((n, cells))  # Mutua's own file: the import names the count
            continue
        out.append((n, [_cell(cells, index[name], name) for name in names]))
    present = set(names)
    return LedgerFile(table_text(out), ledger_columns(fmt, delimiter, present), headers)


def _cell(cells: list[str], i: int, name: str) -> str:
    if i >= len(cells):
        return ""
    if isinstance(cells[i], NumberCell) and name in ("amount", "debit", "credit", "nd_vat"):
        return NUMBER_CELL + cells[i]
    return cells[i]


def amount_of(values: dict[str, Any]) -> Decimal | None:
    """A line's amount: its ``amount``, or its debit less its credit (None when none is given)."""
    if values.get("amount") is not None:
        return Decimal(values["amount"])
    debit, credit = values.get("debit"), values.get("credit")
    if debit is None and credit is None:
        return None
    return Decimal(debit or 0) - Decimal(credit or 0)
