"""The composition root: the one module that names every context and wires them together.

Settings come from flags and ``MUTUA_*`` variables; the engine they name is migrated with every
context's branch; a unit of work carries every context's repository over one transaction.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from mutua.billing.db import SqlBilling
from mutua.charging.db import SqlCharging
from mutua.costing.db import SqlCosting
from mutua.platform.db import engine as db
from mutua.platform.db.audit import AuditTrail, ImportBatches
from mutua.platform.db.engine import make_engine, sqlite_url
from mutua.registry.db import SqlRegistry

SRC = Path(__file__).parent
# Each context's own branch of migrations (the platform's versions hold the core branch).
MIGRATIONS = (SRC / "billing" / "migrations", SRC / "access" / "migrations")


@dataclass(frozen=True)
class Settings:
    """Where Mutua keeps its data and who is acting.

    Attributes:
        data_dir: the folder of the embedded files (SQLite database, Parquet events, documents).
        database_url: a PostgreSQL (or other) URL; when None the SQLite file in data_dir is used.
        actor: the name written in the audit trail.
    """

    data_dir: Path
    database_url: str | None = None
    actor: str = "system"

    @classmethod
    def from_env(
        cls, data_dir: Path | None = None, database_url: str | None = None, actor: str | None = None
    ) -> Settings:
        env = os.environ
        return cls(
            data_dir=Path(data_dir or env.get("MUTUA_DATA_DIR") or "var").resolve(),
            database_url=database_url or env.get("MUTUA_DATABASE_URL") or None,
            actor=actor or env.get("MUTUA_ACTOR") or _user(),
        )

    @property
    def url(self) -> str:
        return self.database_url or sqlite_url(self.data_dir)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user database in some containers
        return "system"


def migrate(engine: Engine) -> None:
    """Bring the schema up to date: the core branch and every context's."""
    db.migrate(engine, MIGRATIONS)


class UnitOfWork(db.SqlUnitOfWork):
    """One transaction with every context's repository; rolled back unless committed.

    Each context's service asks for the repositories it needs through a Protocol in its
    ``ports.py``; this class satisfies all of them, and the tests' fakes satisfy them in memory.
    """

    audit: AuditTrail
    batches: ImportBatches
    registry: SqlRegistry
    costing: SqlCosting
    charging: SqlCharging
    billing: SqlBilling

    def attach(self, connection: Connection) -> None:
        self.audit = AuditTrail(connection, self.actor)
        self.batches = ImportBatches(connection, self.audit)
        self.registry = SqlRegistry(connection, self.audit)
        self.costing = SqlCosting(connection, self.audit)
        self.charging = SqlCharging(connection, self.audit, self.registry)
        self.billing = SqlBilling(connection, self.audit, self.registry)


def unit_of_work(engine: Engine, actor: str = "system") -> UnitOfWork:
    return UnitOfWork(engine, actor)


def open_engine(settings: Settings, *, migrate_schema: bool = True) -> Engine:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.url)
    if migrate_schema:
        migrate(engine)
    return engine
