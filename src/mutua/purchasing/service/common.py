"""What the purchasing use cases share: the day they act on, refusals as problems, files read whole."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from mutua.kernel.problems import Problem, Rejected


def today(on: date | None) -> date:
    """The day a use case acts on: the one given (the demo, the tests, a backdated record), else today."""
    return on if on is not None else datetime.now(UTC).date()


def refuse(reasons: Iterable[str], what: str, source: str = "purchasing", field: str | None = None) -> None:
    """Refuse with every reason as a problem (422), when there is any."""
    found = [Problem(source, None, field, reason) for reason in reasons]
    if found:
        raise Rejected(found, what)


@dataclass(frozen=True, slots=True)
class FileContent:
    """A file read whole.

    Attributes:
        name: its file name.
        data: its bytes.
        sha256: their hex SHA-256.
    """

    name: str
    data: bytes
    sha256: str

    @classmethod
    def of(cls, name: str, data: bytes) -> FileContent:
        return cls(name, data, hashlib.sha256(data).hexdigest())


def read_file(path: Path, source: str | None = None, field: str | None = None) -> FileContent:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Rejected(
            [Problem(source or str(path), None, field, f"cannot read {path}: {exc.strerror or exc}")]
        ) from exc
    return FileContent.of(path.name, data)
