"""core: a file is imported once per target (an import batch's target: what the file went into where
one file may go to several, a price list's "<agreement>/<lot>/<supplier>"; empty for every other
kind), so the unique index is on kind, target and SHA-256. The price lists imported before get their
target back from the audit trail (each price list's import entry names its agreement/lot/supplier
and its batch), so the same file into the same lot stays a repeat after the upgrade.

Revision ID: 0003_core_import_targets
Revises: 0002_core_imports_once
Create Date: 2026-12-01
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_core_import_targets"
down_revision: str | Sequence[str] | None = "0002_core_imports_once"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILES = sa.text("sha256 <> '-'")


def _targets_from_the_audit_trail() -> dict[int, str]:
    """Each price-list batch's agreement/lot/supplier, as its import entry in the audit trail gives
    them (entity key "<agreement>/<lot>/<supplier>", detail {"batch_id": N, ...})."""
    entries = op.get_bind().execute(
        sa.text(
            "SELECT entity_key, detail FROM audit_log WHERE action = 'import' AND entity = 'price_list' "
            "AND entity_key LIKE '%/%/%' ORDER BY id"
        )
    )
    targets: dict[int, str] = {}
    for key, detail in entries:
        try:
            batch = json.loads(detail).get("batch_id")
        except (ValueError, AttributeError):
            continue
        if isinstance(batch, int) and batch > 0:
            targets[batch] = key
    return targets


def upgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.add_column(sa.Column("target", sa.String(200), server_default="", nullable=False))
    update = sa.text("UPDATE import_batches SET target = :target WHERE id = :id AND kind = 'price_list'")
    for batch_id, target in _targets_from_the_audit_trail().items():
        op.get_bind().execute(update, {"id": batch_id, "target": target[:200]})
    op.drop_index("uq_import_batches_kind_sha256", table_name="import_batches")
    op.create_index(
        "uq_import_batches_kind_target_sha256",
        "import_batches",
        ["kind", "target", "sha256"],
        unique=True,
        sqlite_where=FILES,
        postgresql_where=FILES,
    )


def downgrade() -> None:
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
            f"the same file was imported into several targets ({files}), which the previous version refuses: "
            "remove all but one of those batches and their rows, then downgrade"
        )
    op.drop_index("uq_import_batches_kind_target_sha256", table_name="import_batches")
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_column("target")
    op.create_index(
        "uq_import_batches_kind_sha256",
        "import_batches",
        ["kind", "sha256"],
        unique=True,
        sqlite_where=FILES,
        postgresql_where=FILES,
    )
