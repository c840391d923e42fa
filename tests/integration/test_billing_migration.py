"""The billing schema is an Alembic branch of its own, on top of the core schema."""

from sqlalchemy import Engine, inspect

from mutua.bootstrap import MIGRATIONS
from mutua.platform.db.engine import alembic_config

BILLING_TABLES = {"billing_sequences", "billing_documents", "billing_lines", "billing_references", "billing_channels"}


def test_the_billing_branch_goes_down_and_up_again_without_touching_the_core(engine: Engine) -> None:
    from alembic import command

    assert set(inspect(engine).get_table_names()) >= BILLING_TABLES
    with engine.begin() as connection:
        command.downgrade(alembic_config(MIGRATIONS, connection), "billing@base")
    tables = set(inspect(engine).get_table_names())
    assert not (BILLING_TABLES & tables) and {"members", "charges"} <= tables
    with engine.begin() as connection:
        command.upgrade(alembic_config(MIGRATIONS, connection), "heads")
    assert set(inspect(engine).get_table_names()) >= BILLING_TABLES
