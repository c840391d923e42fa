"""Joint purchasing's tables (all named ``purchasing_*``), SQLAlchemy Core on the shared metadata.

=============================  ===============================================================
table                          one row per
=============================  ===============================================================
purchasing_suppliers           supplier (``code`` unique)
purchasing_agreements          framework agreement (``reference`` unique); CPV codes and the
                               clause's lists as space-separated text
purchasing_lots                lot (``agreement_id, number`` unique)
purchasing_lot_suppliers       supplier awarded a lot, with its cascade ``rank``
purchasing_documents           document of an agreement or an accession, its bytes and SHA-256
                               (``agreement_id, kind, sha256`` unique)
purchasing_member_regions      member's region (for clauses open to a region's public bodies)
purchasing_items               catalogue item (``lot_id, supplier_id, code`` unique) with its price
                               in force; ``withdrawn_on`` set when a later price list drops it
purchasing_item_cells          items counted by lot, supplier, CPV division, price bucket and
                               validity (the facets of a search without words)
purchasing_prices              price history: every price an item had, from which day, and why
purchasing_indexations         indexation applied to an agreement (``agreement_id, number`` unique)
purchasing_accessions          member's accession (``agreement_id, member_id`` unique)
purchasing_orders              order (call-off) (``number`` unique), its status and dates
purchasing_order_lines         order line: item, quantity, unit price, amount, delivered quantity
purchasing_order_events        step of an order's life
purchasing_sequences           last number of a series (``kind, year``): orders, statements
purchasing_statements          supplier's commission statement (``supplier_id, year, quarter``
                               unique; ``number`` unique)
purchasing_statement_lines     statement line per agreement and lot
=============================  ===============================================================

Amounts are cents (``Cents``), quantities and index values 10^-6 (``Quantity``), rates 10^-9
(``Rate``). A member is ``members.id``, an engagement ``engagements.id`` (the registry's tables).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from mutua.platform.db.schema import Cents, Quantity, Rate, metadata

suppliers = Table(
    "purchasing_suppliers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), unique=True, nullable=False),
    Column("name", String(300), nullable=False),
    Column("enterprise_number", String(10), nullable=True),
    Column("vat_number", String(20), default="", nullable=False),
    Column("country", String(2), default="BE", nullable=False),
    Column("street", String(200), default="", nullable=False),
    Column("postcode", String(20), default="", nullable=False),
    Column("city", String(100), default="", nullable=False),
    Column("email", String(200), default="", nullable=False),
    Column("language", String(2), default="nl", nullable=False),
)


agreements = Table(
    "purchasing_agreements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(60), unique=True, nullable=False),
    Column("title_nl", String(300), nullable=False),
    Column("title_fr", String(300), nullable=False),
    Column("description", Text, default="", nullable=False),
    Column("procedure", String(40), nullable=False),
    Column("award_date", Date, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("renewals", Integer, nullable=False),
    Column("renewal_months", Integer, nullable=False),
    Column("renewed", Integer, nullable=False),
    Column("ceiling", Cents(), nullable=False),
    Column("cpv", Text, nullable=False),  # space-separated 8-digit codes, the main one first
    Column("clause_categories", String(20), default="", nullable=False),
    Column("clause_regions", String(200), default="", nullable=False),
    Column("clause_bodies", Text, default="", nullable=False),
    Column("clause_text_nl", Text, default="", nullable=False),
    Column("clause_text_fr", Text, default="", nullable=False),
    Column("commission_rate", Rate(), nullable=False),
    Column("reference_markup", Rate(), nullable=False),
    Column("index_name", String(200), nullable=True),
    Column("index_base", Quantity(), nullable=True),
    Column("index_month", Integer, nullable=True),
    Column("created_at", DateTime, nullable=False),
)


lots = Table(
    "purchasing_lots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agreement_id", ForeignKey("purchasing_agreements.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("title_nl", String(300), nullable=False),
    Column("title_fr", String(300), nullable=False),
    Column("ceiling", Cents(), nullable=False),
    Column("cpv", Text, default="", nullable=False),
    Column("award_rule", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("commission_rate", Rate(), nullable=True),
    Column("reference_markup", Rate(), nullable=True),
    UniqueConstraint("agreement_id", "number"),
)


lot_suppliers = Table(
    "purchasing_lot_suppliers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("lot_id", ForeignKey("purchasing_lots.id"), nullable=False),
    Column("supplier_id", ForeignKey("purchasing_suppliers.id"), nullable=False),
    Column("rank", Integer, nullable=True),
    UniqueConstraint("lot_id", "supplier_id"),
)


documents = Table(
    "purchasing_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agreement_id", ForeignKey("purchasing_agreements.id"), nullable=False),
    Column("member_id", ForeignKey("members.id"), nullable=True),
    Column("kind", String(30), nullable=False),
    Column("title", String(300), default="", nullable=False),
    Column("filename", String(300), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("added_at", DateTime, nullable=False),
    Column("added_by", String(100), nullable=False),
    UniqueConstraint("agreement_id", "kind", "sha256"),
)


member_regions = Table(
    "purchasing_member_regions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("member_id", ForeignKey("members.id"), unique=True, nullable=False),
    Column("region", String(20), nullable=False),
)


items = Table(
    "purchasing_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("lot_id", ForeignKey("purchasing_lots.id"), nullable=False),
    Column("supplier_id", ForeignKey("purchasing_suppliers.id"), nullable=False),
    Column("code", String(60), nullable=False),
    Column("cpv", String(8), nullable=False),
    Column("description_nl", String(500), nullable=False),
    Column("description_fr", String(500), nullable=False),
    Column("unit", String(3), nullable=False),
    Column("price", Cents(), nullable=False),
    Column("valid_from", Date, nullable=False),  # the first day it may be ordered
    Column("price_from", Date, nullable=False),  # the first day of ``price`` (the latest price)
    Column("valid_until", Date, nullable=True),
    Column("reference_price", Cents(), nullable=True),
    Column("withdrawn_on", Date, nullable=True),
    # the words PostgreSQL's full-text index reads (domain.search.indexed_words): the Dutch
    # description and the code, the French description (empty on SQLite: FTS5 reads the columns)
    Column("words_nl", Text, nullable=False, server_default=""),
    Column("words_fr", Text, nullable=False, server_default=""),
    UniqueConstraint("lot_id", "supplier_id", "code"),
)

ITEM_RECORD = tuple(c for c in items.c if c.name not in ("words_nl", "words_fr"))
"""The columns of an item as the domain reads it (the search's words are the index's, not a field)."""


item_cells = Table(
    "purchasing_item_cells",
    metadata,
    Column("lot_id", ForeignKey("purchasing_lots.id"), nullable=False),
    Column("supplier_id", ForeignKey("purchasing_suppliers.id"), nullable=False),
    Column("cpv_division", String(2), nullable=False),
    Column("bucket", Integer, nullable=False),  # the index of its price bucket (domain.search.PRICE_BUCKETS)
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=True),
    Column("item_count", Integer, nullable=False),
    Index("ix_purchasing_item_cells_lot_supplier", "lot_id", "supplier_id"),
)
"""The catalogue's items not withdrawn counted by lot, supplier, CPV division, price bucket and
validity: what the search's facets count when no words are typed (100,000 items are a few hundred
cells). Kept by the repository in the transaction that writes the items (:mod:`.cells`)."""


prices = Table(
    "purchasing_prices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", ForeignKey("purchasing_items.id"), index=True, nullable=False),
    Column("price", Cents(), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("source", String(20), nullable=False),
    Column("reference", String(100), default="", nullable=False),
    Column("computation", String(300), default="", nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)


indexations = Table(
    "purchasing_indexations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agreement_id", ForeignKey("purchasing_agreements.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("applies_from", Date, nullable=False),
    Column("index_name", String(200), nullable=False),
    Column("from_value", Quantity(), nullable=False),
    Column("to_value", Quantity(), nullable=False),
    Column("items", Integer, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    UniqueConstraint("agreement_id", "number"),
)


accessions = Table(
    "purchasing_accessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agreement_id", ForeignKey("purchasing_agreements.id"), nullable=False),
    Column("member_id", ForeignKey("members.id"), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("decision_reference", String(100), nullable=False),
    Column("document_sha256", String(64), default="", nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    UniqueConstraint("agreement_id", "member_id"),
)


orders = Table(
    "purchasing_orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(20), unique=True, nullable=False),
    Column("member_id", ForeignKey("members.id"), index=True, nullable=False),
    Column("lot_id", ForeignKey("purchasing_lots.id"), index=True, nullable=False),
    Column("supplier_id", ForeignKey("purchasing_suppliers.id"), nullable=False),
    Column("engagement_id", ForeignKey("engagements.id"), nullable=True),
    Column("status", String(20), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("buyer_reference", String(100), default="", nullable=False),
    Column("created_on", Date, nullable=False),
    Column("approved_on", Date, nullable=True),
    Column("placed_on", Date, nullable=True),
    Column("delivered_on", Date, nullable=True),
    Column("invoiced_on", Date, nullable=True),
    Column("cancelled_on", Date, nullable=True),
    Column("value", Cents(), nullable=False),  # the sum of its lines, written with them
)


order_lines = Table(
    "purchasing_order_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", ForeignKey("purchasing_orders.id"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("item_id", ForeignKey("purchasing_items.id"), nullable=False),
    Column("price_id", ForeignKey("purchasing_prices.id"), nullable=True),
    Column("code", String(60), nullable=False),
    Column("description", String(500), nullable=False),
    Column("unit", String(3), nullable=False),
    Column("quantity", Quantity(), nullable=False),
    Column("unit_price", Cents(), nullable=False),
    Column("amount", Cents(), nullable=False),
    Column("delivered", Quantity(), nullable=False),
    Column("reference_price", Cents(), nullable=False),
    UniqueConstraint("order_id", "line"),
)


order_events = Table(
    "purchasing_order_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", ForeignKey("purchasing_orders.id"), index=True, nullable=False),
    Column("status", String(20), nullable=False),
    Column("on_day", Date, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("note", String(500), default="", nullable=False),
)


sequences = Table(
    "purchasing_sequences",
    metadata,
    Column("kind", String(10), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last_number", Integer, nullable=False),
)


statements = Table(
    "purchasing_statements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(20), unique=True, nullable=False),
    Column("supplier_id", ForeignKey("purchasing_suppliers.id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("quarter", Integer, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("vat_rate", Rate(), nullable=False),
    Column("base", Cents(), nullable=False),
    Column("commission", Cents(), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    # the VAT it was issued with (the cost model's ``commissions`` rule; migration 0452)
    Column("vat_category", String(2), nullable=False, server_default="S"),
    Column("exemption_reason_code", String(30), nullable=False, server_default=""),
    Column("exemption_reason", String(300), nullable=False, server_default=""),
    Column("exemption_reasons", Text, nullable=False, server_default=""),  # JSON: {"nl": ..., "fr": ...}
    UniqueConstraint("supplier_id", "year", "quarter"),
)


statement_lines = Table(
    "purchasing_statement_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("statement_id", ForeignKey("purchasing_statements.id"), nullable=False),
    Column("lot_id", ForeignKey("purchasing_lots.id"), nullable=False),
    Column("orders", Integer, nullable=False),
    Column("base", Cents(), nullable=False),
    Column("rate", Rate(), nullable=False),
    Column("commission", Cents(), nullable=False),
    UniqueConstraint("statement_id", "lot_id"),
)
