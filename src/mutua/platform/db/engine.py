"""Engines and the unit of work.

The embedded default is a SQLite file in the data directory; PostgreSQL is the production store.
Migrations are Alembic's, applied with :func:`migrate` (every bounded context may keep its own
branch of revisions; ``heads`` applies them all).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, *, schema: str | None = None) -> Engine:
    """An engine for ``url``; on PostgreSQL, ``schema`` (if given) is put first on the search path."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, poolclass=NullPool)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            # 64 MiB of page cache (the default 2 MiB thrashes when a large import fills indexes of
            # long texts: a 100,000-line price list writes in half the time); taken only as used
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.close()

        return engine
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def alembic_config(locations: Sequence[Path], connection: Connection | None = None) -> Config:
    """Alembic's configuration: the platform's environment and the version folders of every context
    (each context keeps its own branch in ``<context>/migrations``)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(str(p) for p in [MIGRATIONS / "versions", *locations]))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


_REVISION = re.compile(r"^revision(?:: str)? = ['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^(?:down_revision|depends_on)(?:: [^=]+)? = (.+)$", re.M)


def heads(locations: Sequence[Path]) -> set[str]:
    """The revisions Alembic keeps in ``alembic_version`` when every branch is up to date, read from
    the revision files without Alembic: those no other revision comes after or depends on."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for folder in [MIGRATIONS / "versions", *locations]:
        for path in folder.glob("*.py"):
            source = path.read_text(encoding="utf-8")
            found = _REVISION.search(source)
            if found is None:
                continue
            revisions.add(found.group(1))
            for down in _DOWN.finditer(source):
                parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return revisions - parents


def _current(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return set()
        return {str(r[0]) for r in connection.execute(text("SELECT version_num FROM alembic_version"))}


def migrate(engine: Engine, locations: Sequence[Path]) -> None:
    """Bring the schema up to date (all branches). A schema already at every head is left alone
    without loading Alembic (a command's start-up stays quick)."""
    if _current(engine) == heads(locations):
        return
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(locations, connection), "heads")


class SqlUnitOfWork:
    """One database transaction: rolled back unless :meth:`commit` is called.

    A unit of work can be entered again after it ends: each ``with`` is a new transaction. The
    composition root subclasses it to attach every context's repository in :meth:`attach`::

        with unit_of_work as uow:
            uow.registry.members()
            uow.commit()
    """

    def __init__(self, engine: Engine, actor: str = "system") -> None:
        self.engine = engine
        self.actor = actor
        self._committed = False

    def attach(self, connection: Connection) -> None:
        """Build the repositories over ``connection`` (the composition root overrides this)."""

    def __enter__(self) -> Self:
        self.connection = self.engine.connect()
        self._transaction = self.connection.begin()
        self._committed = False
        self.attach(self.connection)
        return self

    def commit(self) -> None:
        self._transaction.commit()
        self._committed = True

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self._committed and self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self.connection.close()


@contextmanager
def read_only(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        yield connection


UnitOfWork = SqlUnitOfWork  # transitional name, for code not yet given the composed unit of work
