"""purchasing: the search's cells, words split alike on both engines, the full-text index filled in bulk

1. ``purchasing_item_cells``: the items not withdrawn counted by lot, supplier, CPV division, price
   bucket and validity (the facets of a search without words read a few hundred rows, not every
   item); filled here from the items, then kept by the repository.
2. PostgreSQL: the text is indexed with every punctuation mark read as a space, as SQLite's
   tokenizer and the search's own words do (``ITEM-0012345`` is the words ``item`` and
   ``0012345``; PostgreSQL's parser read ``-0012345`` as a signed number, so a code was not found),
   and by GIN indexes on the ``to_tsvector`` expressions instead of stored ``tsvector`` columns:
   rows half as wide, so a search's matches are read from fewer pages (a prefix query needs no
   recheck of the text, so nothing is parsed again at search time).
3. SQLite: the FTS5 index is no longer written row by row by an insert trigger (6 of 8 seconds of a
   100,000-line price list): the repository adds a price list's new items to it in one statement.
   The update trigger fires only when the code or a description really changes (a new price does
   not rewrite the index).
4. Both: an index on the price of the items not withdrawn (browsing cheapest first reads in order);
   the facets' covering index of 0450 is dropped (the cells count what it covered; a lot's items
   are found by the unique index on lot, supplier and code).

Revision ID: 0451_purchasing_search_cells
Revises: 0450_purchasing_search
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0451_purchasing_search_cells"
down_revision: str | Sequence[str] | None = "0450_purchasing_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the cells as they are from the items; the bucket of a price in cents by the bounds of
# domain.search.PRICE_BUCKETS (100, 500, 1000, 5000 EUR)
FILL = (
    "INSERT INTO purchasing_item_cells "
    "(lot_id, supplier_id, cpv_division, bucket, valid_from, valid_until, item_count) "
    "SELECT lot_id, supplier_id, cpv_division, bucket, valid_from, valid_until, count(*) FROM ("
    "SELECT lot_id, supplier_id, substr(cpv, 1, 2) AS cpv_division, "
    "CASE WHEN price < 10000 THEN 0 WHEN price < 50000 THEN 1 WHEN price < 100000 THEN 2 "
    "WHEN price < 500000 THEN 3 ELSE 4 END AS bucket, valid_from, valid_until "
    "FROM purchasing_items WHERE withdrawn_on IS NULL) AS c "
    "GROUP BY lot_id, supplier_id, cpv_division, bucket, valid_from, valid_until"
)
WORDS = "regexp_replace({text}, '[[:punct:][:space:]]+', ' ', 'g')"
WORDS_NL = WORDS.format(text="description_nl || ' ' || code")
WORDS_FR = WORDS.format(text="description_fr || ' ' || code")
TSVECTOR_NL = f"to_tsvector('dutch'::regconfig, {WORDS_NL})"
TSVECTOR_FR = f"to_tsvector('french'::regconfig, {WORDS_FR})"
"""The indexed texts as the search's WHERE clause writes them (mutua.purchasing.search): the
planner uses an expression index only for the same expression."""
POSTGRES_UP = (
    "DROP INDEX purchasing_items_fts_nl",
    "DROP INDEX purchasing_items_fts_fr",
    "ALTER TABLE purchasing_items DROP COLUMN search_nl",
    "ALTER TABLE purchasing_items DROP COLUMN search_fr",
    f"CREATE INDEX purchasing_items_fts_nl ON purchasing_items USING gin (({TSVECTOR_NL}))",
    f"CREATE INDEX purchasing_items_fts_fr ON purchasing_items USING gin (({TSVECTOR_FR}))",
)
POSTGRES_DOWN = (
    "DROP INDEX purchasing_items_fts_nl",
    "DROP INDEX purchasing_items_fts_fr",
    "ALTER TABLE purchasing_items ADD COLUMN search_nl tsvector "
    "GENERATED ALWAYS AS (to_tsvector('dutch', description_nl || ' ' || code)) STORED",
    "ALTER TABLE purchasing_items ADD COLUMN search_fr tsvector "
    "GENERATED ALWAYS AS (to_tsvector('french', description_fr || ' ' || code)) STORED",
    "CREATE INDEX purchasing_items_fts_nl ON purchasing_items USING gin (search_nl)",
    "CREATE INDEX purchasing_items_fts_fr ON purchasing_items USING gin (search_fr)",
)
_INSERT_TRIGGER = (
    "CREATE TRIGGER purchasing_items_fts_ai AFTER INSERT ON purchasing_items BEGIN "
    "INSERT INTO purchasing_items_fts(rowid, code, description_nl, description_fr) "
    "VALUES (new.id, new.code, new.description_nl, new.description_fr); END"
)
_UPDATE_BODY = (
    "ON purchasing_items {when}BEGIN "
    "INSERT INTO purchasing_items_fts(purchasing_items_fts, rowid, code, description_nl, description_fr) "
    "VALUES ('delete', old.id, old.code, old.description_nl, old.description_fr); "
    "INSERT INTO purchasing_items_fts(rowid, code, description_nl, description_fr) "
    "VALUES (new.id, new.code, new.description_nl, new.description_fr); END"
)
_CHANGED = (
    "WHEN old.code IS NOT new.code OR old.description_nl IS NOT new.description_nl "
    "OR old.description_fr IS NOT new.description_fr "
)
SQLITE_UP = (
    "DROP TRIGGER purchasing_items_fts_ai",
    "DROP TRIGGER purchasing_items_fts_au",
    "CREATE TRIGGER purchasing_items_fts_au AFTER UPDATE OF code, description_nl, description_fr "
    + _UPDATE_BODY.format(when=_CHANGED),
)
SQLITE_DOWN = (
    "DROP TRIGGER purchasing_items_fts_au",
    "CREATE TRIGGER purchasing_items_fts_au AFTER UPDATE OF code, description_nl, description_fr "
    + _UPDATE_BODY.format(when=""),
    _INSERT_TRIGGER,
)


def upgrade() -> None:
    op.create_table(
        "purchasing_item_cells",
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("cpv_division", sa.String(length=2), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["purchasing_lots.id"], name=op.f("fk_purchasing_item_cells_lot_id_purchasing_lots")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["purchasing_suppliers.id"],
            name=op.f("fk_purchasing_item_cells_supplier_id_purchasing_suppliers"),
        ),
    )
    op.create_index(
        "ix_purchasing_item_cells_lot_supplier", "purchasing_item_cells", ["lot_id", "supplier_id"], unique=False
    )
    op.execute(FILL)
    op.execute("CREATE INDEX ix_purchasing_items_price ON purchasing_items (price, id) WHERE withdrawn_on IS NULL")
    op.execute("DROP INDEX ix_purchasing_items_facets")
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_UP if postgres else SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_DOWN if postgres else SQLITE_DOWN:
        op.execute(statement)
    op.execute("DROP INDEX ix_purchasing_items_price")
    op.execute(
        "CREATE INDEX ix_purchasing_items_facets ON purchasing_items "
        "(lot_id, supplier_id, cpv, price, valid_from, valid_until) WHERE withdrawn_on IS NULL"
    )
    op.drop_index("ix_purchasing_item_cells_lot_supplier", table_name="purchasing_item_cells")
    op.drop_table("purchasing_item_cells")
