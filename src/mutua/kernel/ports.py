"""What every context's use cases may ask of a unit of work, as Protocols (no framework).

A context's ``ports.py`` declares its own unit of work as a Protocol naming the repositories it
needs, built from these. The composition root's unit of work satisfies all of them over one
database transaction; the unit tests' fakes satisfy them in memory.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Protocol, Self


class AuditLog(Protocol):
    """The audit trail: every write of a use case is recorded, in its transaction."""

    @property
    def actor(self) -> str: ...

    def record(self, action: str, entity: str, key: str, **detail: Any) -> None: ...

    def entries(self, limit: int = 100, before: int | None = None) -> list[dict[str, Any]]:
        """The newest ``limit`` entries (those with an id below ``before``, when given), newest first."""
        ...

    def version(self) -> int: ...


class ImportLog(Protocol):
    """Imported files by kind, target and SHA-256: a file is taken once per target (a unique key on
    kind, target and SHA-256, and :meth:`hold` before the check: a concurrent import of the same kind
    into the same target waits, then finds it). The target is what the file is imported into where
    one file may go to several (a price list: ``"<agreement>/<lot>/<supplier>"``); empty for every
    other kind."""

    def hold(self, kind: str, target: str = "") -> None:
        """Wait until no other transaction imports ``kind`` into ``target``; held until this
        transaction ends."""
        ...

    def add(self, kind: str, source: str, sha: str, rows: int, target: str = "") -> int: ...

    def with_sha(self, kind: str, sha: str, target: str = "") -> int | None: ...


class Transaction(Protocol):
    """A unit of work: ``with uow:`` opens a transaction, rolled back unless :meth:`commit`."""

    @property
    def audit(self) -> AuditLog: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None: ...
