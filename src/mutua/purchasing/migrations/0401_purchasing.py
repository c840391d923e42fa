"""purchasing: framework agreements, lots, suppliers, documents, catalogues and price history,
indexations, accessions, orders (call-offs) and their events, commission statements

Revision ID: 0401_purchasing
Revises: (none; base of the purchasing branch, after the core schema)
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0401_purchasing"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("purchasing",)
depends_on: str | Sequence[str] | None = "0001_core"


def upgrade() -> None:
    op.create_table(
        "purchasing_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("title_nl", sa.String(length=300), nullable=False),
        sa.Column("title_fr", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("procedure", sa.String(length=40), nullable=False),
        sa.Column("award_date", sa.Date(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("renewals", sa.Integer(), nullable=False),
        sa.Column("renewal_months", sa.Integer(), nullable=False),
        sa.Column("renewed", sa.Integer(), nullable=False),
        sa.Column("ceiling", sa.BigInteger(), nullable=False),
        sa.Column("cpv", sa.Text(), nullable=False),
        sa.Column("clause_categories", sa.String(length=20), nullable=False),
        sa.Column("clause_regions", sa.String(length=200), nullable=False),
        sa.Column("clause_bodies", sa.Text(), nullable=False),
        sa.Column("clause_text_nl", sa.Text(), nullable=False),
        sa.Column("clause_text_fr", sa.Text(), nullable=False),
        sa.Column("commission_rate", sa.BigInteger(), nullable=False),
        sa.Column("reference_markup", sa.BigInteger(), nullable=False),
        sa.Column("index_name", sa.String(length=200), nullable=True),
        sa.Column("index_base", sa.BigInteger(), nullable=True),
        sa.Column("index_month", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_agreements")),
        sa.UniqueConstraint("reference", name=op.f("uq_purchasing_agreements_reference")),
    )
    op.create_table(
        "purchasing_sequences",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "year", name=op.f("pk_purchasing_sequences")),
    )
    op.create_table(
        "purchasing_suppliers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("enterprise_number", sa.String(length=10), nullable=True),
        sa.Column("vat_number", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("postcode", sa.String(length=20), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_suppliers")),
        sa.UniqueConstraint("code", name=op.f("uq_purchasing_suppliers_code")),
    )
    op.create_table(
        "purchasing_accessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decision_reference", sa.String(length=100), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["purchasing_agreements.id"],
            name=op.f("fk_purchasing_accessions_agreement_id_purchasing_agreements"),
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_purchasing_accessions_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_accessions")),
        sa.UniqueConstraint("agreement_id", "member_id", name=op.f("uq_purchasing_accessions_agreement_id_member_id")),
    )
    op.create_table(
        "purchasing_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["purchasing_agreements.id"],
            name=op.f("fk_purchasing_documents_agreement_id_purchasing_agreements"),
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_purchasing_documents_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_documents")),
        sa.UniqueConstraint(
            "agreement_id", "kind", "sha256", name=op.f("uq_purchasing_documents_agreement_id_kind_sha256")
        ),
    )
    op.create_table(
        "purchasing_indexations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("applies_from", sa.Date(), nullable=False),
        sa.Column("index_name", sa.String(length=200), nullable=False),
        sa.Column("from_value", sa.BigInteger(), nullable=False),
        sa.Column("to_value", sa.BigInteger(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["purchasing_agreements.id"],
            name=op.f("fk_purchasing_indexations_agreement_id_purchasing_agreements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_indexations")),
        sa.UniqueConstraint("agreement_id", "number", name=op.f("uq_purchasing_indexations_agreement_id_number")),
    )
    op.create_table(
        "purchasing_lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title_nl", sa.String(length=300), nullable=False),
        sa.Column("title_fr", sa.String(length=300), nullable=False),
        sa.Column("ceiling", sa.BigInteger(), nullable=False),
        sa.Column("cpv", sa.Text(), nullable=False),
        sa.Column("award_rule", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("commission_rate", sa.BigInteger(), nullable=True),
        sa.Column("reference_markup", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["purchasing_agreements.id"],
            name=op.f("fk_purchasing_lots_agreement_id_purchasing_agreements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_lots")),
        sa.UniqueConstraint("agreement_id", "number", name=op.f("uq_purchasing_lots_agreement_id_number")),
    )
    op.create_table(
        "purchasing_member_regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_purchasing_member_regions_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_member_regions")),
        sa.UniqueConstraint("member_id", name=op.f("uq_purchasing_member_regions_member_id")),
    )
    op.create_table(
        "purchasing_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("vat_rate", sa.BigInteger(), nullable=False),
        sa.Column("base", sa.BigInteger(), nullable=False),
        sa.Column("commission", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["purchasing_suppliers.id"],
            name=op.f("fk_purchasing_statements_supplier_id_purchasing_suppliers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_statements")),
        sa.UniqueConstraint("number", name=op.f("uq_purchasing_statements_number")),
        sa.UniqueConstraint(
            "supplier_id", "year", "quarter", name=op.f("uq_purchasing_statements_supplier_id_year_quarter")
        ),
    )
    op.create_table(
        "purchasing_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("cpv", sa.String(length=8), nullable=False),
        sa.Column("description_nl", sa.String(length=500), nullable=False),
        sa.Column("description_fr", sa.String(length=500), nullable=False),
        sa.Column("unit", sa.String(length=3), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("price_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("reference_price", sa.BigInteger(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["purchasing_lots.id"], name=op.f("fk_purchasing_items_lot_id_purchasing_lots")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["purchasing_suppliers.id"],
            name=op.f("fk_purchasing_items_supplier_id_purchasing_suppliers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_items")),
        sa.UniqueConstraint("lot_id", "supplier_id", "code", name=op.f("uq_purchasing_items_lot_id_supplier_id_code")),
    )
    op.create_table(
        "purchasing_lot_suppliers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["purchasing_lots.id"], name=op.f("fk_purchasing_lot_suppliers_lot_id_purchasing_lots")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["purchasing_suppliers.id"],
            name=op.f("fk_purchasing_lot_suppliers_supplier_id_purchasing_suppliers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_lot_suppliers")),
        sa.UniqueConstraint("lot_id", "supplier_id", name=op.f("uq_purchasing_lot_suppliers_lot_id_supplier_id")),
    )
    op.create_table(
        "purchasing_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("buyer_reference", sa.String(length=100), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("placed_on", sa.Date(), nullable=True),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.Column("invoiced_on", sa.Date(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagements.id"], name=op.f("fk_purchasing_orders_engagement_id_engagements")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["purchasing_lots.id"], name=op.f("fk_purchasing_orders_lot_id_purchasing_lots")
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_purchasing_orders_member_id_members")),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["purchasing_suppliers.id"],
            name=op.f("fk_purchasing_orders_supplier_id_purchasing_suppliers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_purchasing_orders_number")),
    )
    op.create_index(op.f("ix_purchasing_orders_lot_id"), "purchasing_orders", ["lot_id"], unique=False)
    op.create_index(op.f("ix_purchasing_orders_member_id"), "purchasing_orders", ["member_id"], unique=False)
    op.create_table(
        "purchasing_statement_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("base", sa.BigInteger(), nullable=False),
        sa.Column("rate", sa.BigInteger(), nullable=False),
        sa.Column("commission", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["purchasing_lots.id"], name=op.f("fk_purchasing_statement_lines_lot_id_purchasing_lots")
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["purchasing_statements.id"],
            name=op.f("fk_purchasing_statement_lines_statement_id_purchasing_statements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_statement_lines")),
        sa.UniqueConstraint("statement_id", "lot_id", name=op.f("uq_purchasing_statement_lines_statement_id_lot_id")),
    )
    op.create_table(
        "purchasing_order_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["purchasing_orders.id"], name=op.f("fk_purchasing_order_events_order_id_purchasing_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_order_events")),
    )
    op.create_index(op.f("ix_purchasing_order_events_order_id"), "purchasing_order_events", ["order_id"], unique=False)
    op.create_table(
        "purchasing_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("computation", sa.String(length=300), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["purchasing_items.id"], name=op.f("fk_purchasing_prices_item_id_purchasing_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_prices")),
    )
    op.create_index(op.f("ix_purchasing_prices_item_id"), "purchasing_prices", ["item_id"], unique=False)
    op.create_table(
        "purchasing_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("price_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("unit", sa.String(length=3), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("delivered", sa.BigInteger(), nullable=False),
        sa.Column("reference_price", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["purchasing_items.id"], name=op.f("fk_purchasing_order_lines_item_id_purchasing_items")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["purchasing_orders.id"], name=op.f("fk_purchasing_order_lines_order_id_purchasing_orders")
        ),
        sa.ForeignKeyConstraint(
            ["price_id"], ["purchasing_prices.id"], name=op.f("fk_purchasing_order_lines_price_id_purchasing_prices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_order_lines")),
        sa.UniqueConstraint("order_id", "line", name=op.f("uq_purchasing_order_lines_order_id_line")),
    )


def downgrade() -> None:
    op.drop_table("purchasing_order_lines")
    op.drop_table("purchasing_prices")
    op.drop_table("purchasing_order_events")
    op.drop_table("purchasing_statement_lines")
    op.drop_table("purchasing_orders")
    op.drop_table("purchasing_lot_suppliers")
    op.drop_table("purchasing_items")
    op.drop_table("purchasing_statements")
    op.drop_table("purchasing_member_regions")
    op.drop_table("purchasing_lots")
    op.drop_table("purchasing_indexations")
    op.drop_table("purchasing_documents")
    op.drop_table("purchasing_accessions")
    op.drop_table("purchasing_suppliers")
    op.drop_table("purchasing_sequences")
    op.drop_table("purchasing_agreements")
