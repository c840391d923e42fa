"""purchasing: a commission statement keeps the VAT it was issued with

The cost model's optional ``commissions`` rule (:mod:`mutua.costing.domain.vat`) sets the VAT
category, rate and exemption reason of the commission statements; each statement keeps them:
``vat_category`` (``S`` for the statements issued before: category S at their ``vat_rate``),
``exemption_reason_code`` (VATEX), ``exemption_reason`` (the text the UBL carries) and
``exemption_reasons`` (JSON: the reason in the languages a supplier reads), empty for S.

Revision ID: 0452_purchasing_commission_vat
Revises: 0451_purchasing_search_cells
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0452_purchasing_commission_vat"
down_revision: str | Sequence[str] | None = "0451_purchasing_search_cells"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("vat_category", sa.String(2), "S"),
    ("exemption_reason_code", sa.String(30), ""),
    ("exemption_reason", sa.String(300), ""),
    ("exemption_reasons", sa.Text(), ""),
)


def upgrade() -> None:
    with op.batch_alter_table("purchasing_statements") as batch:
        for name, kind, default in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=False, server_default=default))


def downgrade() -> None:
    with op.batch_alter_table("purchasing_statements") as batch:
        for name, _, _ in reversed(COLUMNS):
            batch.drop_column(name)
