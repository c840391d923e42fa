"""Named locks held until the end of the transaction.

A write that must happen once (a month's close, a year's true-up, a user) is guarded twice: a
unique constraint refuses the second row, and a lock taken *before* checking whether the write
happened already makes a concurrent transaction wait, then find it done and answer a conflict::

    with unit_of_work as uow:
        hold(uow.connection, "charging.close")    # waits for another close to end
        ...                                       # check, then write
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, text


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (PostgreSQL's advisory locks take a bigint)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def hold(connection: Connection, name: str) -> None:
    """Take the lock ``name`` for the rest of ``connection``'s transaction, waiting for it if another
    transaction holds it.

    PostgreSQL: a transaction-level advisory lock (released at commit or rollback). SQLite has one
    writer at a time: a write statement that changes nothing takes the database's write lock now
    (waiting up to the busy timeout), so every later read of the transaction sees the latest data.
    Take it first in the transaction, before the reads it guards."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})
    else:
        connection.execute(text("UPDATE alembic_version SET version_num = version_num WHERE 1 = 0"))
