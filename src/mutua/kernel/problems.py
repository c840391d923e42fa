"""Problems in the user's data are values, collected and reported together.

Exceptions are for programmer mistakes; a bad line in a CSV file or a bad field in the cost model
is a :class:`Problem` naming the file, the line and the field. A batch with any problem is
refused whole (:class:`Rejected`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the user's input.

    Attributes:
        source: the file (or API call, or form) the problem is in.
        line: the 1-based line in that file (the header is line 1), or None.
        field: the column or field path, or None.
        message: what is wrong, in plain words.
    """

    source: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"source": self.source, "line": self.line, "field": self.field, "message": self.message}


class MutuaError(Exception):
    """An operation refused for a reason the user must see. Carries an HTTP status."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Rejected(MutuaError):
    """A batch refused whole because of problems in the input; nothing was written."""

    status = 422

    def __init__(self, problems: Iterable[Problem], what: str = "input") -> None:
        self.problems = tuple(problems)
        n = len(self.problems)
        super().__init__(f"{what} rejected: {n} problem{'s' if n != 1 else ''}, nothing written")

    def __str__(self) -> str:
        lines = [self.message, *(f"  {p}" for p in self.problems[:50])]
        if len(self.problems) > 50:
            lines.append(f"  ... and {len(self.problems) - 50} more")
        return "\n".join(lines)


class NotFound(MutuaError):
    status = 404


class Conflict(MutuaError):
    """The operation clashes with the state: a locked period, a close not yet run, ..."""

    status = 409
