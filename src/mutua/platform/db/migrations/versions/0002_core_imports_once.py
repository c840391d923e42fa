"""core: a file is imported once (a unique index on the import batches' kind and SHA-256; metering's
materialised months, which are no file and carry the SHA-256 "-", may repeat)

Revision ID: 0002_core_imports_once
Revises: 0001_core
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_core_imports_once"
down_revision: str | Sequence[str] | None = "0001_core"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILES = sa.text("sha256 <> '-'")


def upgrade() -> None:
    twice = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT kind, sha256 FROM import_batches WHERE sha256 <> '-' GROUP BY kind, sha256 HAVING COUNT(*) > 1"
            )
        )
        .all()
    )
    if twice:
        files = ", ".join(f"{kind} {sha[:12]}" for kind, sha in twice)
        raise RuntimeError(
            f"the same file was imported twice ({files}): remove the repeated batch and its rows, then upgrade"
        )
    op.create_index(
        "uq_import_batches_kind_sha256",
        "import_batches",
        ["kind", "sha256"],
        unique=True,
        sqlite_where=FILES,
        postgresql_where=FILES,
    )


def downgrade() -> None:
    op.drop_index("uq_import_batches_kind_sha256", table_name="import_batches")
