"""The composition root: the one module that names every context and wires them together.

Settings come from flags and ``MUTUA_*`` variables; the engine they name is migrated with every
context's branch; a unit of work carries every context's repository over one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import Connection, Engine

from mutua.billing.db import SqlBilling
from mutua.charging.db import SqlCharging
from mutua.costing.db import SqlCosting
from mutua.platform.db import engine as db
from mutua.platform.db.audit import AuditTrail, ImportBatches
from mutua.platform.db.engine import make_engine
from mutua.platform.settings import Settings
from mutua.registry.db import SqlRegistry

SRC = Path(__file__).parent
# Each context's own branch of migrations (the platform's versions hold the core branch).
MIGRATIONS = (SRC / "billing" / "migrations", SRC / "access" / "migrations")


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


def routers() -> list[APIRouter]:
    """Every context's API routes and pages, in the order they are matched."""
    from mutua.access import api as access_api
    from mutua.access import portal as access_portal
    from mutua.billing import api as billing_api
    from mutua.billing import portal as billing_portal
    from mutua.charging import api as charging_api
    from mutua.charging import portal as charging_portal
    from mutua.costing import api as costing_api
    from mutua.costing import portal as costing_portal
    from mutua.platform.web import api as platform_api
    from mutua.platform.web import pages as platform_pages
    from mutua.registry import api as registry_api
    from mutua.registry import portal as registry_portal

    return [
        platform_api.router,
        access_api.router,
        registry_api.router,
        charging_api.router,
        billing_api.router,
        costing_api.router,
        platform_pages.router,
        access_portal.router,
        charging_portal.router,
        billing_portal.router,
        registry_portal.router,
        costing_portal.router,
    ]


def create_app(*, engine: Engine, settings: Settings, invoices: Any = None, **options: Any) -> FastAPI:
    """The portal and API with every context's routes (see :func:`mutua.platform.web.app.create_app`
    for ``options``); ``invoices`` replaces the billing context's documents (tests)."""
    from mutua.billing.ports import billing_documents
    from mutua.platform.web.app import create_app as platform_app

    extensions = {"invoices": invoices if invoices is not None else billing_documents(engine)}
    return platform_app(engine=engine, settings=settings, routers=routers(), extensions=extensions, **options)
