"""charging: a year's true-up runs once (a unique index on the true-up runs of close_runs)

Revision ID: 0101_charging
Revises: (none; base of the charging branch, after the core schema)
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0101_charging"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("charging",)
depends_on: str | Sequence[str] | None = "0001_core"

TRUE_UP = sa.text("kind = 'true_up'")


def upgrade() -> None:
    twice = (
        op.get_bind()
        .execute(sa.text("SELECT year FROM close_runs WHERE kind = 'true_up' GROUP BY year HAVING COUNT(*) > 1"))
        .scalars()
        .all()
    )
    if twice:
        years = ", ".join(str(y) for y in sorted(twice))
        raise RuntimeError(
            f"the true-up of {years} ran more than once (a double run before this version): keep one run "
            "per year, with its charges and shares, before upgrading"
        )
    with op.batch_alter_table("close_runs", schema=None) as batch_op:
        batch_op.create_index(
            "uq_close_runs_true_up_year", ["year"], unique=True, sqlite_where=TRUE_UP, postgresql_where=TRUE_UP
        )


def downgrade() -> None:
    with op.batch_alter_table("close_runs", schema=None) as batch_op:
        batch_op.drop_index("uq_close_runs_true_up_year")
