"""Alembic environment: runs on the connection handed over by :func:`mutua.platform.db.engine.migrate`."""

from alembic import context

from mutua.billing import tables as tables_billing  # noqa: F401 - their tables join Base.metadata
from mutua.platform.db.tables import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - used only by `alembic revision --autogenerate`
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///var/alembic.sqlite"
    with create_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
