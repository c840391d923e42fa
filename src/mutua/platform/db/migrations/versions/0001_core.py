"""core schema: registry, ledger, time, usage, close

Revision ID: 0001_core
Revises: (none; base of the core branch)
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_core"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("core",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("entity_key", sa.String(length=100), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "cost_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_models")),
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=1), nullable=False),
        sa.Column("client_group", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("vote_weight", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("enterprise_number", name=op.f("uq_members_enterprise_number")),
    )
    op.create_table(
        "close_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("period_key", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("cost_model_id", sa.Integer(), nullable=False),
        sa.Column("total_cost", sa.BigInteger(), nullable=False),
        sa.Column("total_charged", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cost_model_id"], ["cost_models.id"], name=op.f("fk_close_runs_cost_model_id_cost_models")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_close_runs")),
    )
    op.create_table(
        "engagements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=True),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("buyer_reference", sa.String(length=100), nullable=False),
        sa.Column("weight", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_engagements_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagements")),
        sa.UniqueConstraint("code", name=op.f("uq_engagements_code")),
    )
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagements_member_id"), ["member_id"], unique=False)

    op.create_table(
        "periods",
        sa.Column("period_key", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("closed_by", sa.String(length=100), nullable=False),
        sa.Column("cost_model_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cost_model_id"], ["cost_models.id"], name=op.f("fk_periods_cost_model_id_cost_models")
        ),
        sa.PrimaryKeyConstraint("period_key", name=op.f("pk_periods")),
    )
    op.create_table(
        "carry_forwards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["close_runs.id"], name=op.f("fk_carry_forwards_run_id_close_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carry_forwards")),
        sa.UniqueConstraint("year", "service", name=op.f("uq_carry_forwards_year_service")),
    )
    op.create_table(
        "charges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("period_key", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=60), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_charges_engagement_id_engagements")
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_charges_member_id_members")),
        sa.ForeignKeyConstraint(["run_id"], ["close_runs.id"], name=op.f("fk_charges_run_id_close_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
    )
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_charges_engagement_id"), ["engagement_id"], unique=False)
        batch_op.create_index("ix_charges_member_period", ["member_id", "period_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_charges_period_key"), ["period_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_charges_run_id"), ["run_id"], unique=False)

    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_commitments_engagement_id_engagements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitments_engagement_id"), ["engagement_id"], unique=False)

    op.create_table(
        "ledger_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=60), nullable=False),
        sa.Column("period_key", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=10), nullable=False),
        sa.Column("centre", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("nd_vat", sa.BigInteger(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batches.id"], name=op.f("fk_ledger_lines_batch_id_import_batches")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_ledger_lines_engagement_id_engagements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_lines")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_ledger_lines_entry_id")),
    )
    with op.batch_alter_table("ledger_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_lines_period_key"), ["period_key"], unique=False)

    op.create_table(
        "time_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=60), nullable=False),
        sa.Column("grade", sa.String(length=40), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("worked_on", sa.Date(), nullable=False),
        sa.Column("period_key", sa.Integer(), nullable=False),
        sa.Column("hours", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batches.id"], name=op.f("fk_time_entries_batch_id_import_batches")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_time_entries_engagement_id_engagements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entries")),
        sa.UniqueConstraint(
            "person", "engagement_id", "worked_on", name=op.f("uq_time_entries_person_engagement_id_worked_on")
        ),
    )
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_entries_period_key"), ["period_key"], unique=False)

    op.create_table(
        "true_up_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("charged", sa.BigInteger(), nullable=False),
        sa.Column("actual", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_true_up_shares_engagement_id_engagements")
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_true_up_shares_member_id_members")),
        sa.ForeignKeyConstraint(["run_id"], ["close_runs.id"], name=op.f("fk_true_up_shares_run_id_close_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_true_up_shares")),
    )
    with op.batch_alter_table("true_up_shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_true_up_shares_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_true_up_shares_year"), ["year"], unique=False)

    op.create_table(
        "usage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("period_key", sa.Integer(), nullable=False),
        sa.Column("origin_period_key", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batches.id"], name=op.f("fk_usage_batch_id_import_batches")),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], name=op.f("fk_usage_engagement_id_engagements")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage")),
        sa.UniqueConstraint(
            "engagement_id",
            "service",
            "period_key",
            "source",
            "origin_period_key",
            name=op.f("uq_usage_engagement_id_service_period_key_source_origin_period_key"),
        ),
    )
    with op.batch_alter_table("usage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_usage_period_key"), ["period_key"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("usage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_usage_period_key"))

    op.drop_table("usage")
    with op.batch_alter_table("true_up_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_true_up_shares_year"))
        batch_op.drop_index(batch_op.f("ix_true_up_shares_run_id"))

    op.drop_table("true_up_shares")
    with op.batch_alter_table("time_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_entries_period_key"))

    op.drop_table("time_entries")
    with op.batch_alter_table("ledger_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_lines_period_key"))

    op.drop_table("ledger_lines")
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitments_engagement_id"))

    op.drop_table("commitments")
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charges_run_id"))
        batch_op.drop_index(batch_op.f("ix_charges_period_key"))
        batch_op.drop_index("ix_charges_member_period")
        batch_op.drop_index(batch_op.f("ix_charges_engagement_id"))

    op.drop_table("charges")
    op.drop_table("carry_forwards")
    op.drop_table("periods")
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagements_member_id"))

    op.drop_table("engagements")
    op.drop_table("close_runs")
    op.drop_table("members")
    op.drop_table("import_batches")
    op.drop_table("cost_models")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
