"""Tables from files as accounting packages export them: CSV in a declared encoding and delimiter,
or a sheet of an XLSX workbook (openpyxl, read only). Each gives its rows with their line (row)
number, as text: an XLSX number cell as its exact decimal text, a date cell as ``YYYY-MM-DD``.

:func:`table_text` writes such rows back as Mutua's canonical CSV (``,``, UTF-8), keeping every
line on its line number (blank lines fill the gaps), so that :func:`~mutua.platform.files.imports.run_import`
reports every problem at the line of the original file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from mutua.kernel.problems import Problem, Rejected

XLSX_MAGIC = b"PK\x03\x04"


def is_xlsx(path: Path, data: bytes) -> bool:
    """An XLSX workbook (a zip) by its name or its first bytes."""
    return path.suffix.lower() in (".xlsx", ".xlsm") or data[:4] == XLSX_MAGIC


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV file whose format is not declared, as
    :func:`~mutua.platform.files.csv_files.parse_csv` finds it."""
    sample = text[:4096]
    return ";" if sample.count(";") > sample.count(",") else ","


def decode(data: bytes, encoding: str, source: str) -> str:
    """The text of a file in ``encoding`` (UTF-8 with or without a byte order mark; Latin-1; Windows-1252)."""
    codec = {"utf-8": "utf-8-sig", "latin-1": "latin-1", "windows-1252": "cp1252"}.get(encoding, encoding)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise Rejected(
            [Problem(source, line, None, f"not {encoding} text (byte {data[exc.start]:#04x}); declare the encoding")]
        ) from exc


def csv_rows(text: str, delimiter: str, source: str) -> Iterator[tuple[int, list[str]]]:
    """Every record of CSV ``text`` with the line it ends on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for record in reader:
            yield reader.line_num, record
    except csv.Error as exc:
        raise Rejected([Problem(source, reader.line_num, None, f"malformed CSV: {exc}")]) from exc


class NumberCell(str):
    """The text of a cell that holds a number (not text): its exact decimal digits and a point,
    whatever the file's convention for numbers written as text."""

    __slots__ = ()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return NumberCell(Decimal(repr(value)))  # the shortest text that is this float: what the sheet shows
    if isinstance(value, (int, Decimal)):
        return NumberCell(value)
    return str(value)


def xlsx_rows(data: bytes, sheet: str | None, source: str) -> Iterator[tuple[int, list[str]]]:
    """Every row of a sheet (the first, or ``sheet``) with its row number, cells as text."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise Rejected([Problem(source, None, None, f"not a readable XLSX workbook: {type(exc).__name__}")]) from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise Rejected(
                [Problem(source, None, "sheet", f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")]
            )
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in row]
    finally:
        book.close()


def table_text(rows: Sequence[tuple[int, Sequence[str]]]) -> str:
    """Rows (line, cells) as canonical CSV, each on its own line number (gaps left blank)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    line = 0
    for number, cells in rows:
        while line < number - 1:
            out.write("\n")
            line += 1
        writer.writerow([c.replace("\r\n", " ").replace("\n", " ").replace("\r", " ") for c in cells])
        line += 1
    return out.getvalue()
