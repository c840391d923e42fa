"""The close's tables: its inputs (ledger, time sheets, usage), closed periods, runs, charges, true-up
shares and carried balances."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mutua.platform.db.schema import Base, Cents, Quantity, Rate, table


class PeriodRow(Base):
    __tablename__ = "periods"
    period_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(10))  # closed (absent means open)
    closed_at: Mapped[datetime] = mapped_column(DateTime)
    closed_by: Mapped[str] = mapped_column(String(100))
    cost_model_id: Mapped[int] = mapped_column(ForeignKey("cost_models.id"))


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


periods = table(PeriodRow)
ledger_lines = table(LedgerLineRow)
time_entries = table(TimeEntryRow)
usage = table(UsageRow)
charges = table(ChargeRow)
close_runs = table(CloseRunRow)
true_up_shares = table(TrueUpShareRow)
carry_forwards = table(CarryForwardRow)
