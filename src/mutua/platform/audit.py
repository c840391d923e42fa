"""The audit trail as a use case: who did what, newest first (every write of every context is in it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.ports import Transaction


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One write.

    Attributes:
        id: its place in the trail (rising).
        at: when (UTC, naive).
        actor: who (a user name, or the CLI's actor).
        action: what was done (import, close, issue, ...).
        entity: to what kind of thing.
        key: which one.
        detail: the details, as stored (JSON text).
    """

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    key: str
    detail: str


@requires(Permission(Action.READ_AUDIT))
def audit_trail(uow: Transaction, limit: int = 100, before: int | None = None) -> list[AuditEntry]:
    """The newest ``limit`` entries of the audit trail (older than the entry ``before``, when given:
    the next page of a trail that grows while it is read)."""
    with uow:
        rows = uow.audit.entries(limit, before)
    return [
        AuditEntry(r["id"], r["at"], r["actor"], r["action"], r["entity"], r["entity_key"], r.get("detail", "{}"))
        for r in rows
    ]
