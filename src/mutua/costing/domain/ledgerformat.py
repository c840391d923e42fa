"""How the association's accounting package writes its ledger export: the model file's optional
``ledger_format`` (see docs/ledger-formats.md). Without it, the ledger is Mutua's own CSV (UTF-8,
the columns ``entry_id, period, account, centre, amount, nd_vat, engagement, description``).

Example (a Belgian package's export: ``;`` between fields, decimal comma, Latin-1)::

    ledger_format:
      delimiter: ";"
      decimal: ","
      encoding: latin-1
      period: DD/MM/YYYY        # the period column holds the booking date; its month is the period
      columns:
        entry_id: Boekingsnummer
        period: Boekdatum
        account: Rekening
        centre: Kostenplaats
        debit: Debet
        credit: Credit
        description: Omschrijving

A value is read by the declared convention only: with ``decimal: ","`` the thousands separator is
``.`` ("1.500" is one thousand five hundred), with ``decimal: "."`` it is ``,``; a value that does
not fit it is refused with its line and field, never guessed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mutua.costing.domain.reading import Reader

# Mutua's ledger columns, as the mapping names them (``amount`` or ``debit``/``credit``).
LEDGER_FIELDS = ("entry_id", "period", "account", "centre", "amount", "debit", "credit", "nd_vat", "engagement")
LEDGER_FIELDS_ALL = (*LEDGER_FIELDS, "description")
REQUIRED_FIELDS = ("entry_id", "period", "account")


class Encoding(enum.StrEnum):
    UTF8 = "utf-8"  # a byte order mark (UTF-8 with BOM, as spreadsheets write it) is allowed
    LATIN1 = "latin-1"  # ISO 8859-1
    CP1252 = "windows-1252"  # Latin-1 with the euro sign, as Windows packages write it


class PeriodFormat(enum.StrEnum):
    ISO = "YYYY-MM"
    SLASH = "YYYY/MM"
    MONTH_YEAR = "MM/YYYY"
    DAY = "DD/MM/YYYY"  # a booking date: its month is the period
    ISO_DAY = "YYYY-MM-DD"


@dataclass(frozen=True, slots=True)
class LedgerFormat:
    """How ledger files are written.

    Attributes:
        delimiter: the field separator of a CSV file (``,`` or ``;``; ``\\t`` for tab); by default
            ``;`` with a decimal comma, else ``,``.
        decimal: the decimal separator (``,`` or ``.``); the other one separates thousands.
        encoding: the text encoding of a CSV file.
        sheet: the sheet of an XLSX file (None: the first).
        header_row: the line (row) of the header; the rows after it are the lines.
        period: how the period column is written.
        columns: Mutua's field -> the export's column header, ``(field, header)`` pairs; empty:
            the headers are Mutua's own names.
    """

    delimiter: str = ","
    decimal: str = "."
    encoding: Encoding = Encoding.UTF8
    sheet: str | None = None
    header_row: int = 1
    period: PeriodFormat = PeriodFormat.ISO
    columns: tuple[tuple[str, str], ...] = ()

    def header_of(self, field: str) -> str | None:
        """The export's header for Mutua's ``field``; without a mapping, the field's own name."""
        if not self.columns:
            return field
        return dict(self.columns).get(field)

    def field_of(self, header: str) -> str | None:
        """Mutua's field for the export's ``header`` (None: a column Mutua does not read)."""
        if not self.columns:
            return header
        for field, h in self.columns:
            if h == header:
                return field
        return None


def read_ledger_format(r: Reader, data: Any) -> LedgerFormat | None:
    """Read ``ledger_format`` (optional); every bad key is a problem with its path."""
    if data is None:
        return None
    path = "ledger_format"
    m = r.mapping(data, path)
    if m is None:
        return None
    r.unknown_keys(m, ("delimiter", "decimal", "encoding", "sheet", "header_row", "period", "columns"), path)
    decimal = r.text(m, "decimal", path, required=False) if "decimal" in m else "."
    if decimal not in (",", "."):
        r.fail(f"{path}.decimal", f"{m.get('decimal')!r} is not one of: ',', '.'")
    default = ";" if decimal == "," else ","  # a decimal comma's files separate fields with ';'
    delimiter = r.text(m, "delimiter", path, required=False) if "delimiter" in m else default
    delimiter = {"\\t": "\t", "tab": "\t"}.get(str(m.get("delimiter")), delimiter)
    if delimiter not in (",", ";", "\t"):
        r.fail(f"{path}.delimiter", f"{m.get('delimiter')!r} is not one of: ',', ';', tab")
    if delimiter == "," and decimal == ",":
        r.fail(f"{path}.decimal", "a decimal comma needs another delimiter than ',' (';' or tab)")
    encoding = r.choice(m, "encoding", path, Encoding) if "encoding" in m else Encoding.UTF8
    period = r.choice(m, "period", path, PeriodFormat) if "period" in m else PeriodFormat.ISO
    sheet = r.text(m, "sheet", path, required=False)
    header_row = 1
    if "header_row" in m:
        value = m["header_row"]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
            r.fail(f"{path}.header_row", f"must be a line number from 1 to 1000, not {value!r}")
        else:
            header_row = value
    columns = _read_columns(r, m.get("columns"), f"{path}.columns")
    if r.problems:
        return None
    return LedgerFormat(
        str(delimiter),
        str(decimal),
        encoding,
        sheet or None,
        header_row,
        period,
        columns,
    )


def _read_columns(r: Reader, data: Any, path: str) -> tuple[tuple[str, str], ...]:
    if data is None:
        return ()
    m = r.mapping(data, path)
    if m is None:
        return ()
    r.unknown_keys(m, LEDGER_FIELDS_ALL, path)
    columns: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for field in LEDGER_FIELDS_ALL:
        if field not in m:
            continue
        header = r.filled(m, field, path)
        if header is None:
            continue
        if header in seen:
            r.fail(f"{path}.{field}", f"column {header!r} is already mapped to {seen[header]}")
            continue
        seen[header] = field
        columns.append((field, header))
    mapped = {f for f, _ in columns}
    for field in REQUIRED_FIELDS:
        if field not in mapped and field not in m:
            r.fail(f"{path}.{field}", "is missing (the ledger needs it)")
    has_amount = "amount" in mapped or "amount" in m
    has_debit_credit = bool({"debit", "credit"} & (mapped | set(m)))
    if has_amount and has_debit_credit:
        r.fail(f"{path}.amount", "map either amount, or debit and credit, not both")
    elif not has_amount and not {"debit", "credit"} <= (mapped | set(m)):
        r.fail(f"{path}.amount", "is missing (map amount, or debit and credit)")
    return tuple(columns)


def ledger_format_to_data(fmt: LedgerFormat) -> dict[str, Any]:
    """The plain data of a ledger format, as :func:`read_ledger_format` reads it."""
    data: dict[str, Any] = {"delimiter": "\\t" if fmt.delimiter == "\t" else fmt.delimiter, "decimal": fmt.decimal}
    data["encoding"] = fmt.encoding.value
    if fmt.sheet:
        data["sheet"] = fmt.sheet
    if fmt.header_row != 1:
        data["header_row"] = fmt.header_row
    data["period"] = fmt.period.value
    if fmt.columns:
        data["columns"] = dict(fmt.columns)
    return data


def mapped_fields(fmt: LedgerFormat) -> Mapping[str, str]:
    """Mutua's field -> the export's header, for every field the file has."""
    if fmt.columns:
        return dict(fmt.columns)
    return {f: f for f in ("entry_id", "period", "account", "centre", "amount", "nd_vat", "engagement", "description")}
