"""What every context's tables share (SQLAlchemy 2): one metadata, exact scaled-integer money
columns; and the two platform tables, the audit trail and the import batches.

The same schema runs on SQLite and PostgreSQL.

Amounts are stored as scaled integers (cents, micro-units) so that SQL sums are exact on both
engines; :class:`Scaled` turns them back into ``Decimal``. Timestamps are UTC.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class PrecisionError(ValueError):
    """A value with more decimals than its column keeps."""


class Scaled(TypeDecorator[Decimal]):
    """A ``Decimal`` stored as an integer number of 10^-scale units: exact on every engine."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self._factor = Decimal(10) ** scale
        self._quantum = Decimal(1).scaleb(-scale)

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value) * self._factor
        if scaled != scaled.to_integral_value():
            raise PrecisionError(f"{value} has more than {self.scale} decimals")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / self._factor).quantize(self._quantum)


def Cents() -> Scaled:
    return Scaled(2)


def Quantity() -> Scaled:
    return Scaled(6)


def Rate() -> Scaled:
    return Scaled(9)


# One metadata for every context's tables (SQLAlchemy Core: the queries need no ORM).
metadata = MetaData(naming_convention=NAMING)


import_batches = Table(
    "import_batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    # What the file went into, where one file may go to several (a price list: agreement/lot/supplier).
    Column("target", String(200), nullable=False, server_default=""),
    Column("source", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("imported_at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    # A file is imported once into a target; batches that are no file (metering's materialised
    # months: "-") repeat.
    Index(
        "uq_import_batches_kind_target_sha256",
        "kind",
        "target",
        "sha256",
        unique=True,
        sqlite_where=text("sha256 <> '-'"),
        postgresql_where=text("sha256 <> '-'"),
    ),
)


audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, index=True, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(60), nullable=False),
    Column("entity", String(60), nullable=False),
    Column("entity_key", String(100), nullable=False),
    Column("detail", Text, default="{}", nullable=False),
)
