"""Reading CSV input: every row with its line number, every bad field as a :class:`Problem`."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutua.kernel.problems import Problem, Rejected


@dataclass(frozen=True, slots=True)
class Column:
    """A column of an input file.

    Attributes:
        name: the header name.
        parse: turns the text into a value or raises ValueError with a plain message.
        required: a value must be given (otherwise an empty cell gives None).
    """

    name: str
    parse: Callable[[str], Any]
    required: bool = True


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CsvFile:
    source: str
    sha256: str
    rows: tuple[CsvRow, ...]


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise Rejected([Problem(str(path), None, None, f"cannot read: {exc.strerror or exc}")]) from exc
    except UnicodeDecodeError as exc:
        raise Rejected([Problem(str(path), None, None, "not UTF-8 text")]) from exc


def parse_csv(text: str, source: str, columns: Sequence[Column]) -> tuple[CsvFile, list[Problem]]:
    """Parse CSV text against ``columns``; the header must name every required column.

    Extra columns are refused (a typo in a header would otherwise silently drop data). Returns the
    rows that parsed and the problems, one per bad field.
    """
    problems: list[Problem] = []
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return CsvFile(source, digest, ()), [Problem(source, 1, None, f"malformed CSV: {exc}")]
    if not header:
        return CsvFile(source, digest, ()), [Problem(source, 1, None, "the file is empty: no header line")]
    header = [h.strip() for h in header]
    known = {c.name for c in columns}
    for name in header:
        if name not in known:
            problems.append(
                Problem(source, 1, name, f"unknown column (expected: {', '.join(c.name for c in columns)})")
            )
    for c in columns:
        if c.required and c.name not in header:
            problems.append(Problem(source, 1, c.name, "required column is missing from the header"))
    if len(set(header)) != len(header):
        problems.append(Problem(source, 1, None, "a column is named twice in the header"))
    if problems:
        return CsvFile(source, digest, ()), problems
    index = {name: i for i, name in enumerate(header)}
    # each column once: its position (None: not in the file), whether required, its parser (None: text)
    plan = [(c.name, index.get(c.name), c.required, None if c.parse is str else c.parse) for c in columns]
    width = len(header)
    rows: list[CsvRow] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != width:
                problems.append(Problem(source, line, None, f"{len(record)} fields where the header has {width}"))
                continue
            values: dict[str, Any] = {}
            ok = True
            for name, at, required, parse in plan:
                raw = record[at].strip() if at is not None else ""
                if raw == "":
                    if required:
                        problems.append(Problem(source, line, name, "is empty"))
                        ok = False
                    values[name] = None
                    continue
                if parse is None:
                    values[name] = raw
                    continue
                try:
                    values[name] = parse(raw)
                except (ValueError, ArithmeticError) as exc:
                    problems.append(Problem(source, line, name, plain_message(exc, raw)))
                    ok = False
            if ok:
                rows.append(CsvRow(line, values))
    except csv.Error as exc:
        problems.append(Problem(source, reader.line_num, None, f"malformed CSV: {exc}"))
    if not rows and not problems:
        problems.append(Problem(source, None, None, "the file has a header but no rows"))
    return CsvFile(source, digest, tuple(rows)), problems


def plain_message(exc: ValueError | ArithmeticError, raw: str) -> str:
    """What is wrong with the cell ``raw``, in plain words: a parser's own message, never the text of
    an arithmetic error from a library (``decimal`` gives "[<class 'decimal.InvalidOperation'>]")."""
    message = str(exc)
    if isinstance(exc, ArithmeticError) or not message or "<class" in message or "Traceback" in message:
        return f"{raw[:40]!r} is not a value this field can hold"
    return message


def read_csv(path: Path, columns: Sequence[Column]) -> tuple[CsvFile, list[Problem]]:
    return parse_csv(read_text(path), str(path), columns)
