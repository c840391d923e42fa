"""scenarios: saved scenarios (a cost model to compare with the adopted one) and their adoption

Revision ID: 0451_scenarios
Revises: (none; base of the scenarios branch, after the core schema)
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0451_scenarios"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("scenarios",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("tariff_year", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("cost_model_id", sa.Integer(), nullable=True),
        sa.Column("in_force_from", sa.Date(), nullable=True),
        sa.Column("decision", sa.String(length=200), nullable=True),
        sa.Column("adopted_at", sa.DateTime(), nullable=True),
        sa.Column("adopted_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["cost_model_id"], ["cost_models.id"], name=op.f("fk_scenarios_cost_model_id_cost_models")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenarios")),
        sa.UniqueConstraint("name", name=op.f("uq_scenarios_name")),
        sa.UniqueConstraint("cost_model_id", name=op.f("uq_scenarios_cost_model_id")),
    )


def downgrade() -> None:
    op.drop_table("scenarios")
