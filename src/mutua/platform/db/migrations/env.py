"""Alembic environment: runs on the connection handed over by :func:`mutua.platform.db.engine.migrate`."""

from alembic import context

from mutua.platform.db.schema import metadata

# Every context's tables join this metadata when their db module is imported (autogenerate
# needs them all: run it through `mutua.bootstrap`, which imports every context).


target_metadata = metadata
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
