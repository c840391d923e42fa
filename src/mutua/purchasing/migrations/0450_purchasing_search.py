"""purchasing: full-text search of the catalogues (Dutch and French descriptions, item codes)

SQLite: an FTS5 index over ``purchasing_items`` (external content, kept in step by triggers; the
unicode61 tokenizer with diacritics removed; ``detail=none`` and ``columnsize=0``: the search asks
which items hold every word, never where, so the index keeps no positions nor sizes: less to write
for every imported line). PostgreSQL: two stored generated ``tsvector`` columns,
``search_nl = to_tsvector('dutch', description_nl || ' ' || code)`` and ``search_fr`` (the same in
French), each with a GIN index (stored, so that the index's recheck of a prefix query reads the
vector instead of parsing every candidate's text again). The table's SQLAlchemy definition does
not name them: the database fills them.
Both: partial indexes over the items not withdrawn: one covering what the facets count (lot,
supplier, CPV code, price, validity: the cube is read from the index alone), and one per language's
description (a page of items browsed in alphabetical order is read in index order and stops at
the page's end).

Revision ID: 0450_purchasing_search
Revises: 0401_purchasing
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0450_purchasing_search"
down_revision: str | Sequence[str] | None = "0401_purchasing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = (
    "CREATE VIRTUAL TABLE purchasing_items_fts USING fts5("
    "code, description_nl, description_fr, content='purchasing_items', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', detail=none, columnsize=0)",
    "CREATE TRIGGER purchasing_items_fts_ai AFTER INSERT ON purchasing_items BEGIN "
    "INSERT INTO purchasing_items_fts(rowid, code, description_nl, description_fr) "
    "VALUES (new.id, new.code, new.description_nl, new.description_fr); END",
    "CREATE TRIGGER purchasing_items_fts_ad AFTER DELETE ON purchasing_items BEGIN "
    "INSERT INTO purchasing_items_fts(purchasing_items_fts, rowid, code, description_nl, description_fr) "
    "VALUES ('delete', old.id, old.code, old.description_nl, old.description_fr); END",
    "CREATE TRIGGER purchasing_items_fts_au AFTER UPDATE OF code, description_nl, description_fr "
    "ON purchasing_items BEGIN "
    "INSERT INTO purchasing_items_fts(purchasing_items_fts, rowid, code, description_nl, description_fr) "
    "VALUES ('delete', old.id, old.code, old.description_nl, old.description_fr); "
    "INSERT INTO purchasing_items_fts(rowid, code, description_nl, description_fr) "
    "VALUES (new.id, new.code, new.description_nl, new.description_fr); END",
    "INSERT INTO purchasing_items_fts(purchasing_items_fts) VALUES ('rebuild')",
)
SQLITE_DOWN = (
    "DROP TRIGGER purchasing_items_fts_au",
    "DROP TRIGGER purchasing_items_fts_ad",
    "DROP TRIGGER purchasing_items_fts_ai",
    "DROP TABLE purchasing_items_fts",
)
POSTGRES_UP = (
    "ALTER TABLE purchasing_items ADD COLUMN search_nl tsvector "
    "GENERATED ALWAYS AS (to_tsvector('dutch', description_nl || ' ' || code)) STORED",
    "ALTER TABLE purchasing_items ADD COLUMN search_fr tsvector "
    "GENERATED ALWAYS AS (to_tsvector('french', description_fr || ' ' || code)) STORED",
    "CREATE INDEX purchasing_items_fts_nl ON purchasing_items USING gin (search_nl)",
    "CREATE INDEX purchasing_items_fts_fr ON purchasing_items USING gin (search_fr)",
)
INDEXES = (
    "CREATE INDEX ix_purchasing_items_facets ON purchasing_items "
    "(lot_id, supplier_id, cpv, price, valid_from, valid_until) WHERE withdrawn_on IS NULL",
    "CREATE INDEX ix_purchasing_items_description_nl ON purchasing_items (description_nl, id) "
    "WHERE withdrawn_on IS NULL",
    "CREATE INDEX ix_purchasing_items_description_fr ON purchasing_items (description_fr, id) "
    "WHERE withdrawn_on IS NULL",
)
POSTGRES_DOWN = (
    "DROP INDEX purchasing_items_fts_fr",
    "DROP INDEX purchasing_items_fts_nl",
    "ALTER TABLE purchasing_items DROP COLUMN search_fr",
    "ALTER TABLE purchasing_items DROP COLUMN search_nl",
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_UP if postgres else SQLITE_UP:
        op.execute(statement)
    for statement in INDEXES:
        op.execute(statement)


def downgrade() -> None:
    for name in (
        "ix_purchasing_items_facets",
        "ix_purchasing_items_description_nl",
        "ix_purchasing_items_description_fr",
    ):
        op.execute(f"DROP INDEX {name}")
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_DOWN if postgres else SQLITE_DOWN:
        op.execute(statement)
