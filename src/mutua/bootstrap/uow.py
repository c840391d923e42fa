"""The unit of work of the composition root: one transaction with every context's repository."""

from __future__ import annotations

from sqlalchemy import Connection

from mutua.access.db import SqlAccounts
from mutua.billing.db import SqlBilling
from mutua.billing.documents import Renderer
from mutua.charging.db import SqlCharging
from mutua.costing.db import SqlCosting
from mutua.platform.db import engine as db
from mutua.platform.db.audit import AuditTrail, ImportBatches
from mutua.registry.db import SqlRegistry


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
    renderer: Renderer  # billing's documents: UBL, PDF, FOCUS
    accounts: SqlAccounts

    def attach(self, connection: Connection) -> None:
        self.audit = AuditTrail(connection, self.actor)
        self.batches = ImportBatches(connection, self.audit)
        self.registry = SqlRegistry(connection, self.audit)
        self.costing = SqlCosting(connection, self.audit)
        self.charging = SqlCharging(connection, self.audit, self.registry)
        self.billing = SqlBilling(connection, self.audit, self.registry)
        self.renderer = Renderer()
        self.accounts = SqlAccounts(connection, self.audit)
