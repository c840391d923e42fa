"""The composition root: the one place that names every context and wires them together.

- ``COMMANDS``: every ``mutua`` command, its help and the context modules that define it (imported
  only when the command runs, so ``mutua --help`` starts fast);
- ``MIGRATIONS``: each context's own branch of Alembic revisions;
- :func:`routers`: every context's API routes and pages;
- :func:`unit_of_work`: a transaction with every context's repository (``bootstrap/uow.py``).

A new context is a folder in the shape of the others, registered here: one line per command group,
one per router, one per migration branch, one repository in ``uow.py``.

Importing this module is cheap (no database or web library): the heavy wiring happens inside the
functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mutua.platform.cli.app import build
from mutua.platform.cli.lazy import CommandSpec
from mutua.platform.cli.runtime import Runtime

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI
    from sqlalchemy import Engine

    from mutua.bootstrap.uow import UnitOfWork
    from mutua.platform.settings import Settings

SRC = Path(__file__).resolve().parents[1]

# Each context's page templates (``<context>/templates/<context>/``).
TEMPLATES = tuple(SRC / c / "templates" for c in ("access", "registry", "costing", "charging", "billing"))
# Each context's own branch of migrations (the platform's versions hold the core branch).
MIGRATIONS = (SRC / "billing" / "migrations", SRC / "access" / "migrations")

COMMANDS = (
    CommandSpec("model", "The cost model file: validate, import, export.", ("mutua.costing.cli",)),
    CommandSpec(
        "import", "CSV imports; each file loads whole or not at all.", ("mutua.registry.cli", "mutua.charging.cli")
    ),
    CommandSpec("close", "Charge a month provisionally at the year's tariffs, then lock it.", ("mutua.charging.cli",)),
    CommandSpec("true-up", "Re-allocate the year's actual cost; settle or carry forward.", ("mutua.charging.cli",)),
    CommandSpec("status", "Which months of a year are closed, and the true-up.", ("mutua.charging.cli",)),
    CommandSpec("statement", "A member's statement: charges, budget and projection.", ("mutua.charging.cli",)),
    CommandSpec("report", "The association's report of a year and the zero-result check.", ("mutua.charging.cli",)),
    CommandSpec(
        "tariffs",
        "Tariffs in force, and next year's proposed from this year's actuals.",
        ("mutua.costing.cli", "mutua.charging.cli"),
    ),
    CommandSpec("invoices", "Invoices and credit notes: issue, list, show, export (UBL, PDF).", ("mutua.billing.cli",)),
    CommandSpec("export", "Cost exports for the members' tools (FOCUS).", ("mutua.billing.cli",)),
    CommandSpec(
        "metering", "Usage events in (files, HTTP), exactly once; monthly totals out.", ("mutua.metering.cli",)
    ),
    CommandSpec("serve", "Start the portal and the REST API.", ("mutua.access.cli",)),
    CommandSpec("users", "User accounts of the portal and the API.", ("mutua.access.cli",)),
    CommandSpec("demo", "Build a believable association, its closes, true-up and documents.", ("mutua.demo.cli",)),
)


def migrate(engine: Engine) -> None:
    """Bring the schema up to date: the core branch and every context's."""
    from mutua.platform.db import engine as db

    db.migrate(engine, MIGRATIONS)


def open_engine(settings: Settings, *, migrate_schema: bool = True) -> Engine:
    from mutua.platform.db.engine import make_engine

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.url)
    if migrate_schema:
        migrate(engine)
    return engine


def unit_of_work(engine: Engine, actor: str = "system") -> UnitOfWork:
    """A unit of work (re-enterable: each ``with`` is one transaction) acting as ``actor``."""
    from mutua.bootstrap.uow import UnitOfWork

    return UnitOfWork(engine, actor)


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
    from mutua.access.service import AccountDirectory
    from mutua.billing.portal_port import BillingDocuments
    from mutua.charging.service.reporting import member_statement
    from mutua.platform.web.app import create_app as platform_app

    if invoices is None:
        invoices = BillingDocuments(
            lambda: unit_of_work(engine, "portal"),
            lambda member, period: member_statement(unit_of_work(engine, "portal"), member, period),
        )
    extensions = {"invoices": invoices}
    return platform_app(
        engine=engine,
        settings=settings,
        routers=routers(),
        extensions=extensions,
        unit_of_work=unit_of_work,
        accounts=AccountDirectory(lambda actor: unit_of_work(engine, actor)),
        template_folders=TEMPLATES,
        **options,
    )


RUNTIME = Runtime(open_engine=open_engine, unit_of_work=unit_of_work, create_app=create_app)
cli = build(COMMANDS, RUNTIME)


def main() -> None:
    cli()
