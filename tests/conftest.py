"""Fixtures: every test that takes ``engine`` runs on SQLite and on PostgreSQL (a real server).

PostgreSQL is at ``MUTUA_TEST_POSTGRES_URL`` (default: the local server, database ``test``). Each
test gets a schema of its own, dropped afterwards. Outside CI a missing server skips those tests
with a message; in CI (``CI=true``) it fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from mutua.bootstrap import migrate
from mutua.platform.db.engine import make_engine, normalise_url

POSTGRES_URL = os.environ.get("MUTUA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
# The commands speak the system's language (LANG) unless told: the tests read English, whatever
# the machine's locale; tests of the other languages say so (``--lang``, ``MUTUA_LANG``).
os.environ["MUTUA_LANG"] = "en"


def _postgres_available() -> str | None:
    try:
        probe = create_engine(normalise_url(POSTGRES_URL))
        with probe.connect() as c:
            c.execute(text("select 1"))
        probe.dispose()
        return None
    except Exception as exc:  # any failure means "not reachable"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


_PG_PROBLEM = _postgres_available()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and _PG_PROBLEM is not None:
        message = f"PostgreSQL at {POSTGRES_URL} not reachable: {_PG_PROBLEM}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return str(request.param)


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database on the backend."""
    if backend == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'mutua.sqlite'}")
        migrate(eng)
        yield eng
        eng.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = make_engine(POSTGRES_URL, schema=schema)
    try:
        migrate(eng)
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the repository: skipped with a message where absent, required in CI."""
    if not SHARED.is_dir():
        message = f"{SHARED} is absent (it is beside the repository in CI, not on a user's clone)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return SHARED


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """End-to-end tests, Spark and the browser are `slow` (the quick lanes deselect them)."""
    for item in items:
        path = str(item.path)
        if "/tests/e2e/" in path or "spark" in path or "schemathesis" in path:
            item.add_marker(pytest.mark.slow)
