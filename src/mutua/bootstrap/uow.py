"""The unit of work of the composition root: one transaction with every context's repository.

A repository is built (and its module imported) when a use case first asks for it in a
transaction, so a command that reads one context loads only that context's tables: ``mutua
status`` never imports billing's or access's. Each context's repository is one property here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection

from mutua.platform.db import engine as db
from mutua.platform.db.audit import AuditTrail, ImportBatches

if TYPE_CHECKING:
    from mutua.access.db import SqlAccounts
    from mutua.billing.db import SqlBilling
    from mutua.billing.documents import Renderer
    from mutua.charging.db import SqlCharging
    from mutua.costing.db import SqlCosting
    from mutua.purchasing.db import SqlPurchasing
    from mutua.purchasing.documents import Renderer as PurchasingRenderer
    from mutua.purchasing.search import SqlCatalogueSearch
    from mutua.registry.db import SqlRegistry
    from mutua.scenarios.db import SqlScenarios

R = TypeVar("R")


class UnitOfWork(db.SqlUnitOfWork):
    """One transaction with every context's repository; rolled back unless committed.

    Each context's service asks for the repositories it needs through a Protocol in its
    ``ports.py``; this class satisfies all of them, and the tests' fakes satisfy them in memory.
    """

    audit: AuditTrail
    batches: ImportBatches

    def attach(self, connection: Connection) -> None:
        self._connection = connection
        self._repositories: dict[str, Any] = {}
        self.audit = AuditTrail(connection, self.actor)
        self.batches = ImportBatches(connection, self.audit)

    def _once(self, name: str, build: Callable[[], R]) -> R:
        found: R | None = self._repositories.get(name)
        if found is None:
            found = self._repositories[name] = build()
        return found

    @property
    def registry(self) -> SqlRegistry:
        from mutua.registry.db import SqlRegistry

        return self._once("registry", lambda: SqlRegistry(self._connection, self.audit))

    @property
    def costing(self) -> SqlCosting:
        from mutua.costing.db import SqlCosting

        return self._once("costing", lambda: SqlCosting(self._connection, self.audit))

    @property
    def charging(self) -> SqlCharging:
        from mutua.charging.db import SqlCharging

        return self._once("charging", lambda: SqlCharging(self._connection, self.audit, self.registry))

    @property
    def billing(self) -> SqlBilling:
        from mutua.billing.db import SqlBilling

        return self._once("billing", lambda: SqlBilling(self._connection, self.audit, self.registry))

    @property
    def renderer(self) -> Renderer:
        """Billing's documents: UBL, PDF, FOCUS."""
        from mutua.billing.documents import Renderer

        return self._once("renderer", Renderer)

    @property
    def accounts(self) -> SqlAccounts:
        from mutua.access.db import SqlAccounts

        return self._once("accounts", lambda: SqlAccounts(self._connection, self.audit))

    @property
    def purchasing(self) -> SqlPurchasing:
        from mutua.purchasing.db import SqlPurchasing

        return self._once("purchasing", lambda: SqlPurchasing(self._connection, self.audit))

    @property
    def catalogue_search(self) -> SqlCatalogueSearch:
        """Purchasing's full-text search of the catalogues."""
        from mutua.purchasing.search import SqlCatalogueSearch

        return self._once("catalogue_search", lambda: SqlCatalogueSearch(self._connection))

    @property
    def purchasing_documents(self) -> PurchasingRenderer:
        """Purchasing's documents: commission statements as UBL and PDF."""
        from mutua.purchasing.documents import Renderer as PurchasingRenderer

        return self._once("purchasing_documents", PurchasingRenderer)

    @property
    def scenarios(self) -> SqlScenarios:
        from mutua.scenarios.db import SqlScenarios

        return self._once("scenarios", lambda: SqlScenarios(self._connection, self.audit))
