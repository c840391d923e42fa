"""`mutua serve` and `mutua users` (on the embedded SQLite default)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mutua.access.service import DEMO_PASSWORD, authenticate, find_user
from mutua.bootstrap import cli as app
from mutua.bootstrap import migrate, unit_of_work
from mutua.platform.db.engine import make_engine
from mutua.platform.settings import sqlite_url
from portal_world import MEMBER_A, build


def test_serve_on_an_empty_database_says_how_to_build_the_demo(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "serve"])
    assert result.exit_code == 1
    assert "demo" in result.output and str(tmp_path) in result.output.replace("\n", "")


def test_users_add_creates_an_account_that_logs_in_and_users_demo_one_per_role(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path))
    migrate(engine)
    build(engine, tmp_path / "input", users=False)
    runner = CliRunner()
    added = runner.invoke(
        app,
        [
            "--data-dir",
            str(tmp_path),
            "--actor",
            "lead",
            "users",
            "add",
            "jan",
            "--role",
            "budget_holder",
            "--member",
            MEMBER_A,
            "--password",
            "a long password",
        ],
    )
    assert added.exit_code == 0, added.output
    user = authenticate(unit_of_work(engine), "jan", "a long password")
    assert user is not None and user.member == MEMBER_A
    refused = runner.invoke(
        app,
        ["--data-dir", str(tmp_path), "users", "add", "eva", "--role", "budget_holder", "--password", "long enough"],
    )
    assert refused.exit_code == 2 and "member" in refused.output
    demo = runner.invoke(app, ["--data-dir", str(tmp_path), "users", "demo"])
    assert demo.exit_code == 0, demo.output
    assert {"admin", "controller", "auditor", "owner", "member"} <= set(demo.output.split())
    holder = find_user(unit_of_work(engine), "member")
    assert holder is not None and holder.member == MEMBER_A  # the member with the most engagements
    assert authenticate(unit_of_work(engine), "controller", DEMO_PASSWORD) is not None
