"""costing: a cost model version in force from a date, with the decision that adopted it

Revision ID: 0051_costing
Revises: (none; base of the costing branch, after the core schema)
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0051_costing"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("costing",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    with op.batch_alter_table("cost_models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_force_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("decision", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cost_models", schema=None) as batch_op:
        batch_op.drop_column("decision")
        batch_op.drop_column("in_force_from")
