"""portal: user accounts

Revision ID: 0301_portal
Revises: (none; base of the portal branch, after core)
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0301_portal"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("portal",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table(
        "portal_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("member", sa.String(length=10), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("oidc_subject", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_users")),
        sa.UniqueConstraint("username", name=op.f("uq_portal_users_username")),
        sa.UniqueConstraint("oidc_subject", name=op.f("uq_portal_users_oidc_subject")),
    )


def downgrade() -> None:
    op.drop_table("portal_users")
