"""`mutua serve` and `mutua users` (on the embedded SQLite default)."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from mutua.access.service import authenticate, find_user, list_accounts
from mutua.bootstrap import cli as app
from mutua.bootstrap import migrate, unit_of_work
from mutua.kernel.access import Role, User
from mutua.platform.db.engine import make_engine
from mutua.platform.settings import sqlite_url
from portal_world import MEMBER_A, build


def test_serve_on_an_empty_database_says_how_to_build_the_demo(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "serve"])
    assert result.exit_code == 1
    assert "demo" in result.output and str(tmp_path) in result.output.replace("\n", "")


def test_users_add_creates_an_account_that_logs_in_and_the_other_users_commands_manage_it(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path))
    migrate(engine)
    build(engine, tmp_path / "input", users=False)
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path), "--actor", "lead", "users"]
    added = runner.invoke(
        app, [*base, "add", "jan", "--role", "budget_holder", "--member", MEMBER_A, "--password", "a long password"]
    )
    assert added.exit_code == 0, added.output
    user = authenticate(unit_of_work(engine), "jan", "a long password")
    assert user is not None and user.member == MEMBER_A
    refused = runner.invoke(app, [*base, "add", "eva", "--role", "budget_holder", "--password", "long enough phrase"])
    assert refused.exit_code == 2 and "member" in refused.output
    common = runner.invoke(app, [*base, "add", "eva", "--role", "auditor", "--password", "qwerty123456"])
    assert common.exit_code == 2 and "common" in common.output
    assert runner.invoke(app, [*base, "password", "jan", "--password", "another long one"]).exit_code == 0
    assert authenticate(unit_of_work(engine), "jan", "a long password") is None
    assert authenticate(unit_of_work(engine), "jan", "another long one") is not None
    assert runner.invoke(app, [*base, "role", "jan", "auditor"]).exit_code == 0
    assert find_user(unit_of_work(engine), "jan") == User("jan", Role.AUDITOR, None, "jan")
    assert runner.invoke(app, [*base, "disable", "jan"]).exit_code == 0
    assert find_user(unit_of_work(engine), "jan") is None
    assert "disabled" in runner.invoke(app, [*base, "list"]).output
    assert runner.invoke(app, [*base, "enable", "jan"]).exit_code == 0
    assert find_user(unit_of_work(engine), "jan") is not None
    assert runner.invoke(app, [*base, "logout", "jan"]).exit_code == 0
    assert "demo" not in runner.invoke(app, ["users", "--help"]).output  # demo accounts: `mutua demo` alone
    with engine.connect() as c:
        trail = [tuple(r) for r in c.execute(text("SELECT actor, action FROM audit_log WHERE entity = 'user'"))]
    assert [a for _, a in trail] == ["add", "set_password", "change_role", "disable", "enable", "logout"]
    assert {actor for actor, _ in trail} == {"lead"}


def test_serve_creates_no_account_says_how_to_make_the_first_admin_and_hides_the_server_banner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    engine = make_engine(sqlite_url(tmp_path))
    migrate(engine)
    build(engine, tmp_path / "input", users=False)
    started: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda web, **options: started.append((web, options)))
    monkeypatch.delenv("MUTUA_SECURE", raising=False)
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "serve", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "users add NAME --role admin" in result.output.replace("\n", "")
    assert list_accounts(unit_of_work(engine)) == []  # no demo account, no published password
    [(web, options)] = started
    assert options["server_header"] is False and options["proxy_headers"] is False
    local = TestClient(web).get("/login")
    assert "secure" not in local.headers["set-cookie"].lower() and "strict-transport-security" not in local.headers
    CliRunner().invoke(app, ["--data-dir", str(tmp_path), "serve", "--host", "0.0.0.0", "--workers", "1"])
    public = TestClient(started[-1][0], base_url="https://mutua.example").get("/login")
    assert "secure" in public.headers["set-cookie"].lower()
    assert public.headers["strict-transport-security"].startswith("max-age=")


def test_the_data_dir_is_private_to_its_owner(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    assert CliRunner().invoke(app, ["--data-dir", str(folder), "users", "list"]).exit_code == 0
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "mutua.sqlite").stat().st_mode) == 0o600
