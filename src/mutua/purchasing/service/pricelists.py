"""Reading a supplier's price list file, CSV or XLSX, into Mutua's canonical CSV text with every
line kept on its line number, so that the import names each problem at the line of the original
file. What cannot be read as text is named line by line too: a CSV line that is not UTF-8 (bad
encoding), merged cells of an XLSX sheet.
"""

from __future__ import annotations

import csv
import importlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from mutua.kernel.problems import Problem, Rejected

XLSX_MAGIC = b"PK\x03\x04"
_MERGED = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


@dataclass(frozen=True, slots=True)
class PriceListText:
    """A price list as canonical CSV text.

    Attributes:
        text: the CSV (``,`` or ``;``, UTF-8), each record on its original line.
        problems: what could not be read (encoding, merged cells), by line.
    """

    text: str
    problems: tuple[Problem, ...]


def is_xlsx(name: str, data: bytes) -> bool:
    return name.lower().endswith((".xlsx", ".xlsm")) or data[:4] == XLSX_MAGIC


def read_price_list(data: bytes, source: str, sheet: str | None = None) -> PriceListText:
    """The price list in ``data`` (CSV in UTF-8, or an XLSX workbook's first sheet or ``sheet``)."""
    if is_xlsx(source, data):
        return _xlsx(data, source, sheet)
    return _csv(data, source)


def _csv(data: bytes, source: str) -> PriceListText:
    """Decode UTF-8 (a byte order mark allowed); each line that is not UTF-8 is a problem, and is
    read with its bad bytes replaced so that the other lines are still checked."""
    try:
        return PriceListText(data.decode("utf-8-sig"), ())
    except UnicodeDecodeError:
        pass
    problems = []
    lines = data.split(b"\n")
    for number, raw in enumerate(lines, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(
                Problem(
                    source,
                    number,
                    None,
                    f"bad encoding: not UTF-8 text (byte {raw[exc.start]:#04x} at position {exc.start + 1}); "
                    "save the price list as UTF-8",
                )
            )
    text = data.decode("utf-8-sig", errors="replace")
    return PriceListText(text, tuple(problems))


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
        return str(Decimal(repr(value)))  # the shortest text that is this float: what the sheet shows
    return str(value).strip()


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _xlsx(data: bytes, source: str, sheet: str | None) -> PriceListText:
    openpyxl = importlib.import_module("openpyxl")  # untyped: read through Any

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise Rejected([Problem(source, None, None, f"not a readable XLSX workbook ({type(exc).__name__})")]) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise Rejected(
                [Problem(source, None, "sheet", f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")]
            )
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = [(n, [_cell_text(v) for v in row]) for n, row in enumerate(ws.iter_rows(values_only=True), start=1)]
        path = getattr(ws, "_worksheet_path", None)
    finally:
        book.close()
    header = next((cells for _, cells in rows if any(cells)), [])
    problems = []
    if path:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read(path.lstrip("/"))
        for found in _MERGED.finditer(xml):
            first_col, first_row = found.group(1), int(found.group(2))
            last = f":{found.group(3).decode()}{int(found.group(4))}" if found.group(3) else ""
            column = _column_index(first_col) - 1
            name = header[column] if column < len(header) and header[column] else first_col.decode()
            problems.append(
                Problem(
                    source,
                    first_row,
                    name,
                    f"merged cells {first_col.decode()}{first_row}{last}: unmerge them, one value per cell",
                )
            )
    return PriceListText(_as_csv(rows), tuple(sorted(problems, key=lambda p: p.line or 0)))


def _as_csv(rows: list[tuple[int, list[str]]]) -> str:
    """Rows as CSV, each on its own line number (gaps left blank); ``;`` when the text holds more
    semicolons than commas (the import reads the delimiter the way it is written)."""
    header = next((cells for _, cells in rows if any(cells)), [])
    width = max((i + 1 for i, c in enumerate(header) if c), default=0)
    rows = [(n, cells[:width] if not any(cells[width:]) else cells) for n, cells in rows]
    text = ""
    for delimiter in (",", ";"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        line = 0
        for number, cells in rows:
            while line < number - 1:
                out.write("\n")
                line += 1
            writer.writerow([c.replace("\r\n", " ").replace("\n", " ").replace("\r", " ") for c in cells])
            line += 1
        text = out.getvalue()
        sample = text[:4096]
        if (sample.count(";") > sample.count(",")) == (delimiter == ";"):
            return text
    return text
