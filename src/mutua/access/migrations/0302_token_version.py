"""portal: a token version per account (logout, password or role change and disabling end every
session and token of the account)

Revision ID: 0302_token_version
Revises: 0301_portal
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0302_token_version"
down_revision: str | Sequence[str] | None = "0301_portal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("portal_users") as batch:
        batch.add_column(sa.Column("token_version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("portal_users") as batch:
        batch.drop_column("token_version")
