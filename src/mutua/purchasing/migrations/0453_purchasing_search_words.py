"""purchasing: PostgreSQL's full-text index on the words the application splits, in one index

``purchasing_items`` gains ``words_nl`` (the Dutch description and the code) and ``words_fr`` (the
French description): their runs of letters and digits, one space between
(:func:`mutua.purchasing.domain.search.indexed_words`, as SQLite's FTS5 tokenizer splits), written
with every row on PostgreSQL (on SQLite they stay empty: its FTS5 index reads the descriptions and
the code themselves). On PostgreSQL the two GIN indexes on ``to_tsvector`` of a
``regexp_replace`` of each description are replaced by one GIN index on the two vectors together:
the text is split once, in Python, not by a regular expression in the server for every row written,
and the words the two languages share (brands, numbers, the code) are indexed once. A 100,000-line
price list's COPY spends 4.1 s in the full-text index instead of 6.4 s (bench/bench_purchasing.py).

A row written by hand (not through the repository) gets its words from a trigger on PostgreSQL,
split the same way in the server; SQLite's FTS5 reads the descriptions and the code themselves.

A search matches the Dutch query or the French one against both vectors
(:mod:`mutua.purchasing.search`), as FTS5 matches every word in any column.

Revision ID: 0453_purchasing_search_words
Revises: 0452_purchasing_commission_vat
Create Date: 2026-11-30
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0453_purchasing_search_words"
down_revision: str | Sequence[str] | None = "0452_purchasing_commission_vat"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TSVECTOR = "(to_tsvector('dutch'::regconfig, words_nl) || to_tsvector('french'::regconfig, words_fr))"
"""The indexed expression, as the search's WHERE clause writes it (mutua.purchasing.search): the
planner uses an expression index only for the same expression."""
_SEPARATORS = re.compile(r"[\W_]+")
"""How the rows present at this revision are split: as ``domain.search.indexed_words`` split in
2026-11 (written here, not imported: a migration does not change when the code does)."""


def indexed_words(*texts: str) -> str:
    return _SEPARATORS.sub(" ", " ".join(texts)).strip()


_OLD_WORDS = "regexp_replace(description_{lang} || ' ' || code, '[[:punct:][:space:]]+', ' ', 'g')"
_OLD = tuple(
    f"CREATE INDEX purchasing_items_fts_{lang} ON purchasing_items USING gin "
    f"((to_tsvector('{config}'::regconfig, {_OLD_WORDS.format(lang=lang)})))"
    for lang, config in (("nl", "dutch"), ("fr", "french"))
)
"""The indexes of 0451_purchasing_search_cells, for the downgrade."""
_NL = "NEW.description_nl || ' ' || NEW.code"
_FR = "NEW.description_fr"
_SPLIT = "btrim(regexp_replace({text}, '[^[:alnum:]]+', ' ', 'g'))"
POSTGRES_UP = (
    "DROP INDEX purchasing_items_fts_nl",
    "DROP INDEX purchasing_items_fts_fr",
    f"CREATE INDEX purchasing_items_words ON purchasing_items USING gin (({TSVECTOR}))",
    "CREATE FUNCTION purchasing_items_words() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"NEW.words_nl := {_SPLIT.format(text=_NL)}; NEW.words_fr := {_SPLIT.format(text=_FR)}; "
    "RETURN NEW; END $$",
    "CREATE TRIGGER purchasing_items_words_inserted BEFORE INSERT ON purchasing_items FOR EACH ROW "
    "WHEN (NEW.words_nl = '' AND NEW.words_fr = '') EXECUTE FUNCTION purchasing_items_words()",
    "CREATE TRIGGER purchasing_items_words_updated BEFORE UPDATE OF code, description_nl, description_fr "
    "ON purchasing_items FOR EACH ROW WHEN (NEW.words_nl = OLD.words_nl AND NEW.words_fr = OLD.words_fr "
    "AND (NEW.code, NEW.description_nl, NEW.description_fr) IS DISTINCT FROM "
    "(OLD.code, OLD.description_nl, OLD.description_fr)) EXECUTE FUNCTION purchasing_items_words()",
)
"""PostgreSQL: the one index; the words of a row written without them (an INSERT or UPDATE by hand,
not through the repository, which writes them itself: the trigger's WHEN skips its rows) split
in the server the same way (``[^[:alnum:]]``: what is not a letter or a digit)."""
POSTGRES_DOWN = (
    "DROP TRIGGER purchasing_items_words_updated ON purchasing_items",
    "DROP TRIGGER purchasing_items_words_inserted ON purchasing_items",
    "DROP FUNCTION purchasing_items_words()",
    "DROP INDEX purchasing_items_words",
    *_OLD,
)


def upgrade() -> None:
    # ALTER TABLE on both engines (SQLite 3.35+ adds and drops a column in place: a copy of the
    # table could not be dropped under the price history's foreign keys)
    op.add_column("purchasing_items", sa.Column("words_nl", sa.Text(), nullable=False, server_default=""))
    op.add_column("purchasing_items", sa.Column("words_fr", sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":  # SQLite's FTS5 reads the descriptions and the code
        return
    rows = bind.execute(sa.text("SELECT id, code, description_nl, description_fr FROM purchasing_items")).all()
    update = sa.text("UPDATE purchasing_items SET words_nl = :nl, words_fr = :fr WHERE id = :id")
    for i in range(0, len(rows), 10_000):
        bind.execute(
            update,
            [
                {"id": r.id, "nl": indexed_words(r.description_nl, r.code), "fr": indexed_words(r.description_fr)}
                for r in rows[i : i + 10_000]
            ],
        )
    for statement in POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_DOWN:
            op.execute(statement)
    op.drop_column("purchasing_items", "words_fr")
    op.drop_column("purchasing_items", "words_nl")
