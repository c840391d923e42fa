"""The access branch's token version upgrades a database whose accounts were made before it."""

from sqlalchemy import Engine, inspect, text

from mutua.access.service import authenticate, hash_password, token_version
from mutua.bootstrap import MIGRATIONS, unit_of_work
from mutua.platform.db.engine import alembic_config


def test_existing_accounts_get_token_version_zero_and_still_log_in(engine: Engine) -> None:
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(alembic_config(MIGRATIONS, connection), "0301_portal")
    assert "token_version" not in {c["name"] for c in inspect(engine).get_columns("portal_users")}
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO portal_users (username, display_name, role, language, password_hash, active,"
                " created_at, created_by) VALUES ('old', 'Old', 'auditor', '', :h, :t, '2025-01-01', 'test')"
            ),
            {"h": hash_password("an old long phrase"), "t": True},
        )
    with engine.begin() as connection:
        command.upgrade(alembic_config(MIGRATIONS, connection), "heads")
    assert token_version(unit_of_work(engine), "old") == 0
    assert authenticate(unit_of_work(engine), "old", "an old long phrase") is not None
