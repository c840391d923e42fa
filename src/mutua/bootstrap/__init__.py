"""The composition root: the one place that names every context and wires them together.

``CONTEXTS`` lists them, each with its place in the layers and the commands it adds (their help is
here so that ``mutua --help`` imports no context). From that one table come:

- ``COMMANDS``: every ``mutua`` command and the context modules defining it (imported when it runs);
- ``MIGRATIONS``: each context's own branch of Alembic revisions (``<context>/migrations``);
- ``TEMPLATES``: each context's page templates (``<context>/templates/<context>/``);
- :func:`routers`: each context's API routes (``api.py``) and pages (``portal.py``);
- the import-linter contracts (``scripts/importlinter_contracts.py`` reads the table).

:func:`unit_of_work` is a transaction with every context's repository (``bootstrap/uow.py``: one
line per context that has tables). Importing this module is cheap (no database or web library).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Context:
    """A context of Mutua: a folder ``src/mutua/<name>/`` in the shape of docs/architecture.md.

    Attributes:
        name: its folder and package name.
        layer: its place in the layers, 1 the lowest; a context imports only those below it.
        commands: the top-level ``mutua`` commands its ``cli.py`` adds, with their one-line help.
    """

    name: str
    layer: int
    commands: dict[str, str] = field(default_factory=dict)

    def has(self, part: str) -> bool:
        return (SRC / self.name / part).exists()


IMPORT_HELP = "CSV imports; each file loads whole or not at all."
TARIFFS_HELP = "Tariffs in force, and next year's proposed from this year's actuals."
CONTEXTS = (
    Context("registry", 1, {"import": IMPORT_HELP}),
    Context("costing", 2, {"model": "The cost model file: validate, import, export.", "tariffs": TARIFFS_HELP}),
    Context(
        "charging",
        3,
        {
            "import": IMPORT_HELP,
            "close": "Charge a month provisionally at the year's tariffs, then lock it.",
            "true-up": "Re-allocate the year's actual cost; settle or carry forward.",
            "status": "Which months of a year are closed, and the true-up.",
            "statement": "A member's statement: charges, budget and projection.",
            "report": "The association's report of a year and the zero-result check.",
            "tariffs": TARIFFS_HELP,
        },
    ),
    Context(
        "billing",
        4,
        {
            "invoices": "Invoices and credit notes: issue, list, show, export (UBL, PDF).",
            "export": "Cost exports for the members' tools (FOCUS).",
        },
    ),
    Context("metering", 4, {"metering": "Usage events in (files, HTTP), exactly once; monthly totals out."}),
    Context(
        "access",
        4,
        {"serve": "Start the portal and the REST API.", "users": "User accounts of the portal and the API."},
    ),
    Context("purchasing", 4, {"purchasing": "Framework agreements: catalogues, accessions, orders, commissions."}),
    Context("scenarios", 4, {"scenario": "A year under another model, method or tariffs, against the adopted one."}),
)


def _commands() -> tuple[CommandSpec, ...]:
    by_name: dict[str, tuple[str, list[str]]] = {}
    for c in CONTEXTS:
        for name, help_ in c.commands.items():
            by_name.setdefault(name, (help_, []))[1].append(f"mutua.{c.name}.cli")
    demo = CommandSpec(
        "demo", "Build a believable association, its closes, true-up and documents.", ("mutua.demo.cli",)
    )
    return (*(CommandSpec(n, h, tuple(m)) for n, (h, m) in by_name.items()), demo)


COMMANDS = _commands()
MIGRATIONS = tuple(SRC / c.name / "migrations" for c in CONTEXTS if c.has("migrations"))
TEMPLATES = tuple(SRC / c.name / "templates" for c in CONTEXTS if c.has("templates"))


def migrate(engine: Engine) -> None:
    """Bring the schema up to date: the core branch and every context's."""
    from mutua.platform.db import engine as db

    db.migrate(engine, MIGRATIONS)


def private_data_dir(settings: Settings) -> None:
    """The data directory readable by its owner only (0700) and, for the embedded database, the
    SQLite file too (0600; SQLite gives its journal files the same mode)."""
    folder = settings.data_dir
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        folder.chmod(0o700)
    if settings.database_url is None:
        database = folder / "mutua.sqlite"
        database.touch(mode=0o600, exist_ok=True)
        database.chmod(0o600)


def open_engine(settings: Settings, *, migrate_schema: bool = True) -> Engine:
    from mutua.platform.db.engine import make_engine

    private_data_dir(settings)
    engine = make_engine(settings.url)
    if migrate_schema:
        migrate(engine)
    return engine


def unit_of_work(engine: Engine, actor: str = "system") -> UnitOfWork:
    """A unit of work (re-enterable: each ``with`` is one transaction) acting as ``actor``."""
    from mutua.bootstrap.uow import UnitOfWork

    return UnitOfWork(engine, actor)


def routers() -> list[APIRouter]:
    """Every context's API routes, then the pages, in the order they are matched."""
    from mutua.platform.web import api as platform_api
    from mutua.platform.web import pages as platform_pages

    api = [importlib.import_module(f"mutua.{c.name}.api").router for c in CONTEXTS if c.has("api.py")]
    pages = [importlib.import_module(f"mutua.{c.name}.portal").router for c in CONTEXTS if c.has("portal.py")]
    return [platform_api.router, *api, platform_pages.router, *pages]


def create_app(*, engine: Engine, settings: Settings, invoices: Any = None, **options: Any) -> FastAPI:
    """The portal and API with every context's routes (see :func:`mutua.platform.web.app.create_app`
    for ``options``); ``invoices`` replaces the billing context's documents (tests)."""
    from mutua.access.db import SqlLoginThrottle
    from mutua.access.service import AccountDirectory
    from mutua.billing.portal_port import BillingDocuments
    from mutua.charging.service.reporting import member_statement
    from mutua.kernel.throttle import ThrottlePolicy
    from mutua.platform.web.app import create_app as platform_app

    if invoices is None:
        invoices = BillingDocuments(
            lambda: unit_of_work(engine, "portal"),
            lambda member, period: member_statement(unit_of_work(engine, "portal"), member, period),
        )

    def glossary(language: str) -> dict[str, str]:
        from mutua.costing.service import glossary as model_glossary

        return model_glossary(unit_of_work(engine, "portal"), language)

    extensions = {"invoices": invoices, "glossary": glossary}
    limit = options.pop("login_limit", 5)
    throttle = options.pop("throttle", None)
    if throttle is None:  # (not `or`: an empty throttle has no length, and is falsy)
        throttle = SqlLoginThrottle(engine, ThrottlePolicy(limit=limit))
    return platform_app(
        engine=engine,
        settings=settings,
        routers=routers(),
        extensions=extensions,
        unit_of_work=unit_of_work,
        accounts=AccountDirectory(lambda actor: unit_of_work(engine, actor)),
        throttle=throttle,
        template_folders=TEMPLATES,
        **options,
    )


def create_app_from_env() -> FastAPI:
    """A server worker's app (uvicorn ``factory``): the settings come from ``MUTUA_*`` variables,
    set by ``mutua serve --workers`` (which migrates the schema and makes the session secret once,
    before any worker starts); ``MUTUA_SECURE`` turns on Secure cookies and HSTS."""
    import os

    from mutua.platform.settings import Settings

    settings = Settings.from_env()
    secure = os.environ.get("MUTUA_SECURE", "").strip().lower() in ("1", "true", "yes", "on")
    return create_app(engine=open_engine(settings, migrate_schema=False), settings=settings, secure_cookies=secure)


def model_glossary(uow: Any, language: str) -> dict[str, str]:
    """The cost model's names in ``language`` (the commands' reports name services and centres so)."""
    from mutua.costing.service import glossary

    return glossary(uow, language)


RUNTIME = Runtime(
    open_engine=open_engine,
    unit_of_work=unit_of_work,
    create_app=create_app,
    app_from_env=f"{__name__}:create_app_from_env",
    glossary=model_glossary,
)
cli = build(COMMANDS, RUNTIME)


def main() -> None:
    cli()
