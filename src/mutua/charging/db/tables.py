"""The close's tables: its inputs (ledger, time sheets, usage), closed periods, runs, charges, true-up
shares and carried balances."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    text,
)

from mutua.platform.db.schema import Cents, Quantity, Rate, metadata

periods = Table(
    "periods",
    metadata,
    Column("period_key", Integer, primary_key=True),
    Column("status", String(10), nullable=False),  # closed (absent means open)
    Column("closed_at", DateTime, nullable=False),
    Column("closed_by", String(100), nullable=False),
    Column("cost_model_id", ForeignKey("cost_models.id"), nullable=False),
)


ledger_lines = Table(
    "ledger_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", ForeignKey("import_batches.id"), nullable=False),
    Column("entry_id", String(60), unique=True, nullable=False),
    Column("period_key", Integer, index=True, nullable=False),
    Column("account", String(10), nullable=False),
    Column("centre", String(40), nullable=False),
    Column("amount", Cents(), nullable=False),
    Column("nd_vat", Cents(), nullable=False),
    Column("engagement_id", ForeignKey("engagements.id"), nullable=True),
    Column("description", String(300), default="", nullable=False),
)


time_entries = Table(
    "time_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", ForeignKey("import_batches.id"), nullable=False),
    Column("person", String(60), nullable=False),
    Column("grade", String(40), nullable=False),
    Column("engagement_id", ForeignKey("engagements.id"), nullable=False),
    Column("worked_on", Date, nullable=False),
    Column("period_key", Integer, index=True, nullable=False),
    Column("hours", Quantity(), nullable=False),
    UniqueConstraint("person", "engagement_id", "worked_on"),
)


# Usage already summed per engagement, service and period (imported, or from metering).

# ``origin_period_key`` is the period the usage happened in; it differs from ``period_key``
# for late usage charged as an adjustment in the next open period.
usage = Table(
    "usage",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", ForeignKey("import_batches.id"), nullable=False),
    Column("engagement_id", ForeignKey("engagements.id"), nullable=False),
    Column("service", String(40), nullable=False),
    Column("period_key", Integer, index=True, nullable=False),
    Column("origin_period_key", Integer, nullable=False),
    Column("quantity", Quantity(), nullable=False),
    Column("source", String(20), nullable=False),
    UniqueConstraint("engagement_id", "service", "period_key", "source", "origin_period_key"),
)


charges = Table(
    "charges",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("close_runs.id"), index=True, nullable=False),
    Column("kind", String(20), nullable=False),  # provisional | true_up
    Column("period_key", Integer, index=True, nullable=False),
    Column("engagement_id", ForeignKey("engagements.id"), index=True, nullable=False),
    Column("member_id", ForeignKey("members.id"), nullable=False),
    Column("service", String(40), nullable=False),
    Column("detail", String(60), default="", nullable=False),
    Column("quantity", Quantity(), nullable=False),
    Column("unit", String(40), nullable=False),
    Column("unit_price", Rate(), nullable=False),
    Column("amount", Cents(), nullable=False),
    Index("ix_charges_member_period", "member_id", "period_key"),
)


close_runs = Table(
    "close_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),  # close | true_up
    Column("period_key", Integer, nullable=False),  # the month closed, or YYYY12 for a true-up
    Column("year", Integer, nullable=False),
    Column("mode", String(20), default="", nullable=False),
    Column("at", DateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("cost_model_id", ForeignKey("cost_models.id"), nullable=False),
    Column("total_cost", Cents(), nullable=False),
    Column("total_charged", Cents(), nullable=False),
    # a year is trued up once: the database refuses a second true-up run of the same year
    Index(
        "uq_close_runs_true_up_year",
        "year",
        unique=True,
        sqlite_where=text("kind = 'true_up'"),
        postgresql_where=text("kind = 'true_up'"),
    ),
)


true_up_shares = Table(
    "true_up_shares",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("close_runs.id"), index=True, nullable=False),
    Column("year", Integer, index=True, nullable=False),
    Column("engagement_id", ForeignKey("engagements.id"), nullable=False),
    Column("member_id", ForeignKey("members.id"), nullable=False),
    Column("service", String(40), nullable=False),
    Column("charged", Cents(), nullable=False),
    Column("actual", Cents(), nullable=False),
)


# An over- (positive) or under-recovery (negative) carried into next year's tariffs.
carry_forwards = Table(
    "carry_forwards",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("close_runs.id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("service", String(40), nullable=False),
    Column("amount", Cents(), nullable=False),
    UniqueConstraint("year", "service"),
)
