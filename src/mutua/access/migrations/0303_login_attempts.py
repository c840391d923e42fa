"""portal: failed logins per (username, address) kept in the database, so every worker process of
``mutua serve --workers`` throttles the same guesses

Revision ID: 0303_login_attempts
Revises: 0302_token_version
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0303_login_attempts"
down_revision: str | Sequence[str] | None = "0302_token_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_login_attempts",
        sa.Column("pair", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.Float(), nullable=False),
        sa.Column("last_seen", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("pair", name=op.f("pk_portal_login_attempts")),
    )
    op.create_index("ix_portal_login_attempts_last_seen", "portal_login_attempts", ["last_seen"])


def downgrade() -> None:
    op.drop_index("ix_portal_login_attempts_last_seen", table_name="portal_login_attempts")
    op.drop_table("portal_login_attempts")
