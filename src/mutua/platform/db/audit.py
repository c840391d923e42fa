"""The two records every context writes through: the audit trail and the import batches."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.exc import IntegrityError

from mutua.kernel.problems import Conflict
from mutua.platform.db.locks import hold
from mutua.platform.db.schema import audit_log, import_batches


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo (the database stores naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _json_default(value: Any) -> str:
    return str(value)


def insert_many(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], chunk: int = 20_000) -> None:
    for i in range(0, len(rows), chunk):
        connection.execute(insert(table), list(rows[i : i + chunk]))


class AuditTrail:
    """Who did what, in the unit of work's transaction: a write and its audit entry commit together."""

    def __init__(self, connection: Connection, actor: str) -> None:
        self.c = connection
        self._actor = actor

    @property
    def actor(self) -> str:
        return self._actor

    def record(self, action: str, entity: str, key: str, **detail: Any) -> None:
        self.c.execute(
            insert(audit_log).values(
                at=utcnow(),
                actor=self._actor,
                action=action,
                entity=entity,
                entity_key=str(key)[:100],
                detail=json.dumps(detail, default=_json_default, sort_keys=True),
            )
        )

    def entries(self, limit: int = 100, before: int | None = None) -> list[dict[str, Any]]:
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if before is not None:
            query = query.where(audit_log.c.id < before)
        rows = self.c.execute(query).mappings()
        return [dict(r) for r in rows]

    def version(self) -> int:
        """The newest entry's id: the data version (every write is audited)."""
        return int(self.c.execute(select(func.max(audit_log.c.id))).scalar_one() or 0)


class ImportBatches:
    """Every imported file, by kind, target and SHA-256: a file is taken once per target (the target
    is empty but for a price list, whose one file may go to several lots and suppliers)."""

    def __init__(self, connection: Connection, audit: AuditTrail) -> None:
        self.c = connection
        self.audit = audit

    def hold(self, kind: str, target: str = "") -> None:
        hold(self.c, f"import.{kind}/{target}" if target else f"import.{kind}")

    def add(self, kind: str, source: str, sha: str, rows: int, target: str = "") -> int:
        try:
            batch_id = self.c.execute(
                insert(import_batches).values(
                    kind=kind,
                    target=target,
                    source=source[-500:],
                    sha256=sha,
                    rows=rows,
                    imported_at=utcnow(),
                    actor=self.audit.actor,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError:  # the unique (kind, target, sha256): the same file, committed by another import
            raise Conflict(f"this {kind} file was imported by another user at the same time") from None
        where = {"target": target} if target else {}
        self.audit.record("import", kind, str(batch_id), source=source, rows=rows, sha256=sha, **where)
        return int(batch_id)

    def with_sha(self, kind: str, sha: str, target: str = "") -> int | None:
        batches = import_batches.c
        row = self.c.execute(
            select(batches.id).where(batches.kind == kind, batches.target == target, batches.sha256 == sha)
        ).first()
        return None if row is None else int(row.id)
