"""billing: issued documents, lines, references, yearly number sequences

Revision ID: 0201_billing
Revises: (none; base of the billing branch, after the core schema)
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0201_billing"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("billing",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table(
        "billing_sequences",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_billing_sequences")),
    )
    op.create_table(
        "billing_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("issue_key", sa.String(length=120), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("payment_reference", sa.String(length=30), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("ubl", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_billing_documents_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_documents")),
        sa.UniqueConstraint("number", name=op.f("uq_billing_documents_number")),
        sa.UniqueConstraint("issue_key", name=op.f("uq_billing_documents_issue_key")),
        sa.UniqueConstraint("year", "sequence", name=op.f("uq_billing_documents_year_sequence")),
    )
    with op.batch_alter_table("billing_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_billing_documents_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_billing_documents_period_key"), ["period_key"], unique=False)

    op.create_table(
        "billing_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("engagement", sa.String(length=40), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.String(length=400), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("unit_code", sa.String(length=10), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("buyer_reference", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["billing_documents.id"], name=op.f("fk_billing_lines_document_id_billing_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_lines")),
        sa.UniqueConstraint("document_id", "line_no", name=op.f("uq_billing_lines_document_id_line_no")),
    )
    with op.batch_alter_table("billing_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_billing_lines_document_id"), ["document_id"], unique=False)

    op.create_table(
        "billing_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("refers_to_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["billing_documents.id"], name=op.f("fk_billing_references_document_id_billing_documents")
        ),
        sa.ForeignKeyConstraint(
            ["refers_to_id"],
            ["billing_documents.id"],
            name=op.f("fk_billing_references_refers_to_id_billing_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_references")),
        sa.UniqueConstraint("document_id", "refers_to_id", name=op.f("uq_billing_references_document_id_refers_to_id")),
    )
    with op.batch_alter_table("billing_references", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_billing_references_document_id"), ["document_id"], unique=False)

    _immutable(("billing_documents", "billing_lines", "billing_references"))


IMMUTABLE_MESSAGE = "issued billing documents are immutable: correct them with a new document"


def _immutable(tables: tuple[str, ...]) -> None:
    """Issued documents, their lines and references refuse UPDATE and DELETE in the database itself."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION billing_immutable() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{IMMUTABLE_MESSAGE}'; END $$"
        )
        for table in tables:
            op.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION billing_immutable()"
            )
        return
    for table in tables:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE}'); END"
            )


def downgrade() -> None:
    tables = ("billing_documents", "billing_lines", "billing_references")
    if op.get_bind().dialect.name == "postgresql":
        for table in tables:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
        op.execute("DROP FUNCTION IF EXISTS billing_immutable()")
    else:
        for table in tables:
            for event in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")
    op.drop_table("billing_references")
    op.drop_table("billing_lines")
    op.drop_table("billing_documents")
    op.drop_table("billing_sequences")
