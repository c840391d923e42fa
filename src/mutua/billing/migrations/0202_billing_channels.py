"""billing: each member's delivery channel (Peppol, or PDF for members not yet on Peppol)

Revision ID: 0202_billing_channels
Revises: 0201_billing
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0202_billing_channels"
down_revision: str | Sequence[str] | None = "0201_billing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "billing_channels",
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_billing_channels_member_id_members")),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_billing_channels")),
    )


def downgrade() -> None:
    op.drop_table("billing_channels")
