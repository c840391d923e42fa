"""One way to import a CSV file, for every context: parse it, collect every problem (file, line,
field), refuse the whole file if there is any, else write it in one transaction.

A context gives the columns, a ``validate`` that turns the parsed rows into its domain records
(checking them against its repositories and adding problems), and a ``write`` that hands the
records to its repository. A file already imported (same kind, target and SHA-256) is refused with
one problem, "already imported (batch N)", before its rows are checked: every import (the
registry's members, engagements and commitments as well as the close's ledger, time sheets and
usage) is a batch, logged by SHA-256. The target is empty but where one file may legitimately go to
several places (a price list for two lots or suppliers: ``"<agreement>/<lot>/<supplier>"``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from mutua.kernel.ports import ImportLog, Transaction
from mutua.kernel.problems import Problem, Rejected
from mutua.platform.files.csv_files import Column, CsvFile, parse_csv


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import wrote.

    Attributes:
        kind: what was imported.
        source: the file.
        rows: the number of rows written.
        batch_id: the batch they belong to (None for imports that are not batches: the registry's).
    """

    kind: str
    source: str
    rows: int
    batch_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "source": self.source, "rows": self.rows, "batch_id": self.batch_id}


class ImportingUnitOfWork(Transaction, Protocol):
    batches: ImportLog


U = TypeVar("U", bound=ImportingUnitOfWork)
R = TypeVar("R")


def run_import(
    uow: U,
    kind: str,
    text: str,
    source: str,
    columns: Sequence[Column],
    validate: Callable[[U, CsvFile, list[Problem]], Sequence[R]],
    write: Callable[[U, Sequence[R], int | None], None],
    *,
    batch: bool = True,
    target: str = "",
) -> ImportResult:
    """Import ``text`` (the content of ``source``) whole or not at all (into ``target``, where a
    file may go to several: the same file into another target is no repeat)."""
    parsed, problems = parse_csv(text, source, columns)
    with uow:
        if batch:
            uow.batches.hold(kind, target)  # a concurrent import into the same target waits, then finds it
            earlier = uow.batches.with_sha(kind, parsed.sha256, target)
            if earlier is not None:  # one problem, not one per row that is already there
                raise Rejected(
                    [Problem(source, None, None, f"already imported (batch {earlier})")], f"{kind} import of {source}"
                )
        records = validate(uow, parsed, problems)  # rows that parsed are checked too: all problems at once
        if problems:
            raise Rejected(problems, f"{kind} import of {source}")
        batch_id = uow.batches.add(kind, source, parsed.sha256, len(records), target) if batch else None
        write(uow, records, batch_id)
        if not batch:
            uow.audit.record("import", kind, source, rows=len(records), sha256=parsed.sha256)
        uow.commit()
    return ImportResult(kind, source, len(records), batch_id)


def duplicates(
    parsed: CsvFile, key: Callable[[dict[str, Any]], Any], what: str, problems: list[Problem], field: str
) -> None:
    """A problem for every row whose ``key`` repeats an earlier row's."""
    seen: dict[Any, int] = {}
    for row in parsed.rows:
        k = key(row.values)
        if k in seen:
            problems.append(Problem(parsed.source, row.line, field, f"duplicate {what}: also on line {seen[k]}"))
        else:
            seen[k] = row.line
