"""TRANSITIONAL: the former all-context ``Store``, now a facade over the contexts' repositories.

Deleted once every service takes the composed unit of work (see bootstrap). Do not use in new code.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from mutua.charging.db import SqlCharging
from mutua.costing.db import SqlCosting
from mutua.platform.db.audit import AuditTrail, ImportBatches, insert_many
from mutua.registry.db import SqlRegistry


class Store:
    def __init__(self, connection: Connection, actor: str = "system") -> None:
        self.c = connection
        self.actor = actor
        self.trail = AuditTrail(connection, actor)
        self.batches = ImportBatches(connection, self.trail)
        self.registry = SqlRegistry(connection, self.trail)
        self.costing = SqlCosting(connection, self.trail)
        self.charging = SqlCharging(connection, self.trail, self.registry)

    def audit(self, action: str, entity: str, key: str, **detail: Any) -> None:
        self.trail.record(action, entity, key, **detail)

    def audit_entries(self, limit: int = 100) -> list[dict[str, Any]]:
        return self.trail.entries(limit)

    def add_batch(self, kind: str, source: str, sha: str, rows: int) -> int:
        return self.batches.add(kind, source, sha, rows)

    def batch_with_sha(self, kind: str, sha: str) -> int | None:
        return self.batches.with_sha(kind, sha)

    def insert_many(self, table: Any, rows: Any, chunk: int = 20_000) -> None:
        insert_many(self.c, table, rows, chunk)

    def __getattr__(self, name: str) -> Any:
        for repo in (self.__dict__["registry"], self.__dict__["costing"], self.__dict__["charging"]):
            if hasattr(repo, name):
                return getattr(repo, name)
        raise AttributeError(name)
