"""The relational schema (SQLAlchemy 2). The same schema runs on SQLite and PostgreSQL.

Amounts are stored as scaled integers (cents, micro-units) so that SQL sums are exact on both
engines; :class:`Scaled` turns them back into ``Decimal``. Timestamps are UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
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


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class MemberRow(Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_number: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(1))
    client_group: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(2))
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    vote_weight: Mapped[Decimal] = mapped_column(Quantity())


class EngagementRow(Base):
    __tablename__ = "engagements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    service: Mapped[str | None] = mapped_column(String(40), nullable=True)
    budget: Mapped[Decimal] = mapped_column(Cents())
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    buyer_reference: Mapped[str] = mapped_column(String(100), default="")
    weight: Mapped[Decimal] = mapped_column(Quantity())


class CommitmentRow(Base):
    """An expected charge not in the run rate (a planned purchase, a milestone)."""

    __tablename__ = "commitments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"), index=True)
    period_key: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Cents())
    description: Mapped[str] = mapped_column(String(300))


class CostModelRow(Base):
    """Every version of the cost model ever imported; the newest is in force."""

    __tablename__ = "cost_models"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    imported_by: Mapped[str] = mapped_column(String(100))


class PeriodRow(Base):
    __tablename__ = "periods"
    period_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(10))  # closed (absent means open)
    closed_at: Mapped[datetime] = mapped_column(DateTime)
    closed_by: Mapped[str] = mapped_column(String(100))
    cost_model_id: Mapped[int] = mapped_column(ForeignKey("cost_models.id"))


class ImportBatchRow(Base):
    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))


class LedgerLineRow(Base):
    __tablename__ = "ledger_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    entry_id: Mapped[str] = mapped_column(String(60), unique=True)
    period_key: Mapped[int] = mapped_column(Integer, index=True)
    account: Mapped[str] = mapped_column(String(10))
    centre: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal] = mapped_column(Cents())
    nd_vat: Mapped[Decimal] = mapped_column(Cents())
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id"), nullable=True)
    description: Mapped[str] = mapped_column(String(300), default="")


class TimeEntryRow(Base):
    __tablename__ = "time_entries"
    __table_args__ = (UniqueConstraint("person", "engagement_id", "worked_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    person: Mapped[str] = mapped_column(String(60))
    grade: Mapped[str] = mapped_column(String(40))
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"))
    worked_on: Mapped[date] = mapped_column(Date)
    period_key: Mapped[int] = mapped_column(Integer, index=True)
    hours: Mapped[Decimal] = mapped_column(Quantity())


class UsageRow(Base):
    """Usage already summed per engagement, service and period (imported, or from metering).

    ``origin_period_key`` is the period the usage happened in; it differs from ``period_key``
    for late usage charged as an adjustment in the next open period.
    """

    __tablename__ = "usage"
    __table_args__ = (UniqueConstraint("engagement_id", "service", "period_key", "source", "origin_period_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"))
    service: Mapped[str] = mapped_column(String(40))
    period_key: Mapped[int] = mapped_column(Integer, index=True)
    origin_period_key: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    source: Mapped[str] = mapped_column(String(20))


class ChargeRow(Base):
    __tablename__ = "charges"
    __table_args__ = (Index("ix_charges_member_period", "member_id", "period_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("close_runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # provisional | true_up
    period_key: Mapped[int] = mapped_column(Integer, index=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    service: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(60), default="")
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit: Mapped[str] = mapped_column(String(40))
    unit_price: Mapped[Decimal] = mapped_column(Rate())
    amount: Mapped[Decimal] = mapped_column(Cents())


class CloseRunRow(Base):
    __tablename__ = "close_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # close | true_up
    period_key: Mapped[int] = mapped_column(Integer)  # the month closed, or YYYY12 for a true-up
    year: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(20), default="")
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))
    cost_model_id: Mapped[int] = mapped_column(ForeignKey("cost_models.id"))
    total_cost: Mapped[Decimal] = mapped_column(Cents())
    total_charged: Mapped[Decimal] = mapped_column(Cents())


class TrueUpShareRow(Base):
    __tablename__ = "true_up_shares"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("close_runs.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    service: Mapped[str] = mapped_column(String(40))
    charged: Mapped[Decimal] = mapped_column(Cents())
    actual: Mapped[Decimal] = mapped_column(Cents())


class CarryForwardRow(Base):
    """An over- (positive) or under-recovery (negative) carried into next year's tariffs."""

    __tablename__ = "carry_forwards"
    __table_args__ = (UniqueConstraint("year", "service"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("close_runs.id"))
    year: Mapped[int] = mapped_column(Integer)
    service: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal] = mapped_column(Cents())


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(60))
    entity_key: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text, default="{}")


# Core tables, for the query code.
members: Table = cast(Table, MemberRow.__table__)
engagements: Table = cast(Table, EngagementRow.__table__)
commitments: Table = cast(Table, CommitmentRow.__table__)
cost_models: Table = cast(Table, CostModelRow.__table__)
periods: Table = cast(Table, PeriodRow.__table__)
import_batches: Table = cast(Table, ImportBatchRow.__table__)
ledger_lines: Table = cast(Table, LedgerLineRow.__table__)
time_entries: Table = cast(Table, TimeEntryRow.__table__)
usage: Table = cast(Table, UsageRow.__table__)
charges: Table = cast(Table, ChargeRow.__table__)
close_runs: Table = cast(Table, CloseRunRow.__table__)
true_up_shares: Table = cast(Table, TrueUpShareRow.__table__)
carry_forwards: Table = cast(Table, CarryForwardRow.__table__)
audit_log: Table = cast(Table, AuditRow.__table__)
