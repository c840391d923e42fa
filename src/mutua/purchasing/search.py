"""Full-text search of the catalogues with facets, in the database (``uow.catalogue_search``, the
adapter of :class:`mutua.purchasing.ports.CatalogueSearch`).

The words are matched in the items' code and their Dutch and French descriptions, each word as a
word or the start of one, all words required:

- **SQLite** (the embedded default): the FTS5 table ``purchasing_items_fts`` (migration
  ``0450_purchasing_search``), queried with ``"word"*`` prefix terms; accents are folded by its
  tokenizer, so ``ecran`` finds ``écran``.
- **PostgreSQL**: the Dutch and French vectors of the items' words (``words_nl``: the Dutch
  description and the code, ``words_fr``: the French description, split into letters and digits
  as FTS5 splits them) ``@@ to_tsquery('dutch', 'word:*') || to_tsquery('french', 'word:*')``, on
  one GIN index of that expression (migration ``0453_purchasing_search_words``); the words are
  stemmed in each language (``laptops`` finds ``laptop``).

A search gives the page of items and the *cube* (matching items counted by agreement, lot,
supplier, CPV division and price bucket), from which the total and every facet are summed
(:func:`mutua.purchasing.domain.search.facets`). The words reach either engine as one bound
parameter built from letters and digits only (:func:`~mutua.purchasing.domain.search.terms`).

Kept fast (``bench/bench_purchasing.py``: 100,000 items):

- Browsing (no words, no price range) reads the cube from ``purchasing_item_cells`` (the items
  counted by lot, supplier, CPV division, price bucket and validity: a few hundred rows), and the
  page in the order of an index (description per language, or price).
- With words (or a price range) the matching items are read once, into a materialised CTE, and
  one statement gives both the cube and the page's ids (sorted from the matches: a brand's items
  sit together in the alphabet, so reading the catalogue in the description's order until the page
  is full can pass most of it first). PostgreSQL is told to use the GIN indexes (``enable_seqscan``
  off for the search's statements, and no JIT): it cannot estimate how many items a prefix matches
  and would otherwise read every row's vectors.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR
from typing import Any

from sqlalchemy import Connection, Integer, column, func, literal, null, or_, select, text, union_all
from sqlalchemy.sql.elements import ColumnElement

from mutua.kernel.money import CENT
from mutua.purchasing.db.cells import bucket_index
from mutua.purchasing.db.tables import ITEM_RECORD, agreements, item_cells, items, lots, suppliers
from mutua.purchasing.domain import CatalogueItem
from mutua.purchasing.domain.search import (
    PRICE_BUCKETS,
    CatalogueQuery,
    CatalogueResult,
    Cell,
    bucket_key,
    facets,
)

_SQLITE_MATCH = "SELECT rowid AS id FROM purchasing_items_fts WHERE purchasing_items_fts MATCH :fts"
_POSTGRES_MATCH = text(
    "(to_tsvector('dutch'::regconfig, purchasing_items.words_nl) "
    "|| to_tsvector('french'::regconfig, purchasing_items.words_fr)) "
    "@@ (to_tsquery('dutch', :fts) || to_tsquery('french', :fts))"
)
"""The match on the expression of the GIN index (migration 0453_purchasing_search_words): the
same expression, or PostgreSQL would not use it. Every word is matched in either language's
vector: as stemmed in Dutch, or all as stemmed in French."""
_BUCKET_KEYS = tuple(bucket_key(low, high) for low, high in PRICE_BUCKETS)


def fts5_query(words: tuple[str, ...]) -> str:
    """``"laptop"* AND "14"*``: every word as a prefix (the words are letters and digits only)."""
    return " AND ".join(f'"{w}"*' for w in words)


def tsquery(words: tuple[str, ...]) -> str:
    """``laptop:* & 14:*`` for to_tsquery."""
    return " & ".join(f"{w}:*" for w in words)


class SqlCatalogueSearch:
    """The catalogues' search over the unit of work's connection."""

    def __init__(self, connection: Connection) -> None:
        self.c = connection
        self.postgres = connection.dialect.name == "postgresql"

    def _conditions(self, query: CatalogueQuery) -> list[ColumnElement[bool]]:
        """The text, the day and the price range (what the cube counts under)."""
        where: list[ColumnElement[bool]] = [items.c.withdrawn_on.is_(None)]
        words = query.terms
        if words and self.postgres:
            where.append(_POSTGRES_MATCH.bindparams(fts=tsquery(words)))  # type: ignore[arg-type]
        elif words:
            match = text(_SQLITE_MATCH).bindparams(fts=fts5_query(words)).columns(column("id", Integer))
            where.append(items.c.id.in_(select(match.subquery().c.id)))
        if query.on is not None:
            where += [
                items.c.valid_from <= query.on,
                or_(items.c.valid_until.is_(None), items.c.valid_until >= query.on),
            ]
        if query.price_min is not None:
            where.append(items.c.price >= query.price_min.quantize(CENT, ROUND_CEILING))
        if query.price_max is not None:
            where.append(items.c.price <= query.price_max.quantize(CENT, ROUND_FLOOR))
        return where

    @staticmethod
    def _facet_conditions(query: CatalogueQuery, source: Any) -> list[ColumnElement[bool]]:
        """The facet filters (what the page shows under, besides :meth:`_conditions`)."""
        where: list[ColumnElement[bool]] = []
        if query.agreement is not None:
            where.append(agreements.c.reference == query.agreement)
        if query.lot is not None:
            where.append(lots.c.number == query.lot)
        if query.cpv_division is not None:
            where.append(source.c.cpv.like(f"{query.cpv_division}%"))
        if query.supplier is not None:
            where.append(suppliers.c.code == query.supplier)
        return where

    @staticmethod
    def _order(query: CatalogueQuery, source: Any) -> list[Any]:
        description = source.c.description_fr if query.language == "fr" else source.c.description_nl
        return [source.c.price, description, source.c.id] if query.sort == "price" else [description, source.c.id]

    @staticmethod
    def _joined(source: Any, *columns: Any, only_for: CatalogueQuery | None = None) -> Any:
        """``columns`` of ``source`` joined to its lot, agreement and supplier; ``only_for``: only
        to those the query's facet filters name (a page of matches ranked without filters joins none)."""
        statement = select(*columns).select_from(source)
        if only_for is None or only_for.agreement is not None or only_for.lot is not None:
            statement = statement.join(lots, lots.c.id == source.c.lot_id).join(
                agreements, agreements.c.id == lots.c.agreement_id
            )
        if only_for is None or only_for.supplier is not None:
            statement = statement.join(suppliers, suppliers.c.id == source.c.supplier_id)
        return statement

    def _browsed(self, query: CatalogueQuery) -> tuple[list[tuple[int, int, str, str, int]], list[CatalogueItem]]:
        """Without words nor a price range: the cube summed from the catalogue's cells, the page read
        in the order of an index (description per language, or price)."""
        where: list[ColumnElement[bool]] = []
        if query.on is not None:
            where += [
                item_cells.c.valid_from <= query.on,
                or_(item_cells.c.valid_until.is_(None), item_cells.c.valid_until >= query.on),
            ]
        rows = self.c.execute(
            select(
                item_cells.c.lot_id,
                item_cells.c.supplier_id,
                item_cells.c.cpv_division,
                item_cells.c.bucket,
                func.sum(item_cells.c.item_count),
            )
            .where(*where)
            .group_by(item_cells.c.lot_id, item_cells.c.supplier_id, item_cells.c.cpv_division, item_cells.c.bucket)
        )
        cells = [(int(r[0]), int(r[1]), str(r[2]), _BUCKET_KEYS[int(r[3])], int(r[4])) for r in rows if r[4]]
        if not cells:
            return cells, []
        page = self.c.execute(
            self._joined(items, *_ITEM_COLUMNS)
            .where(*self._conditions(query), *self._facet_conditions(query, items))
            .order_by(*self._order(query, items))
            .limit(query.limit)
            .offset(query.offset)
        )
        return cells, [_item(r) for r in page]

    def _matched(self, query: CatalogueQuery) -> tuple[list[tuple[int, int, str, str, int]], list[CatalogueItem]]:
        """With words or a price range: the matching items read once (a materialised CTE), the cube
        and the page's ids from them in one statement, then the page's items by id."""
        matches = (
            select(
                items.c.id,
                items.c.lot_id,
                items.c.supplier_id,
                items.c.cpv,
                items.c.price,
                (items.c.description_fr if query.language == "fr" else items.c.description_nl).label(
                    "description_" + ("fr" if query.language == "fr" else "nl")
                ),
            )
            .where(*self._conditions(query))
            .cte("matches")
            .prefix_with("MATERIALIZED")
        )
        division = func.substr(matches.c.cpv, 1, 2)
        bucket = bucket_index(matches.c.price)
        order = self._order(query, matches)
        cube = select(
            literal(0).label("part"),
            matches.c.lot_id,
            matches.c.supplier_id,
            division.label("division"),
            bucket.label("bucket"),
            func.count().label("n"),
        ).group_by(matches.c.lot_id, matches.c.supplier_id, division, bucket)
        # the page: sorted and cut in a subquery (a top-N sort), then numbered over its own rows
        # (a window over every match would sort them all)
        keys = [key.label(f"k{n}") for n, key in enumerate(order)]
        ranked = (
            self._joined(matches, *keys, only_for=query)
            .where(*self._facet_conditions(query, matches))
            .order_by(*order)
            .limit(query.limit)
            .offset(query.offset)
            .subquery("page")
        )
        position = func.row_number().over(order_by=[ranked.c[k.name] for k in keys])
        page = select(literal(1), ranked.c[keys[-1].name], null(), null(), null(), position)
        cells: list[tuple[int, int, str, str, int]] = []
        ids: dict[int, int] = {}
        for r in self.c.execute(union_all(cube, page)):
            if int(r[0]) == 0:
                cells.append((int(r[1]), int(r[2]), str(r[3]), _BUCKET_KEYS[int(r[4])], int(r[5])))
            else:
                ids[int(r[1])] = int(r[5])
        if not ids:
            return cells, []
        rows = self.c.execute(self._joined(items, *_ITEM_COLUMNS).where(items.c.id.in_(sorted(ids))))
        return cells, sorted((_item(r) for r in rows), key=lambda i: ids[i.id or 0])

    def search(self, query: CatalogueQuery) -> CatalogueResult:
        if not (self.postgres and query.terms):
            return self._search(query)
        # PostgreSQL cannot estimate how many items a prefix matches and would read every row's
        # vectors: the GIN indexes are to be used; and no JIT (compiling costs more than the search).
        # For the transaction, until the search ends (a failed search's end with its rollback).
        self.c.exec_driver_sql("SET LOCAL enable_seqscan = off")
        self.c.exec_driver_sql("SET LOCAL jit = off")
        result = self._search(query)
        self.c.exec_driver_sql("SET LOCAL enable_seqscan TO DEFAULT")
        self.c.exec_driver_sql("SET LOCAL jit TO DEFAULT")
        return result

    def _search(self, query: CatalogueQuery) -> CatalogueResult:
        lot_rows = list(
            self.c.execute(
                select(
                    lots.c.id,
                    lots.c.number,
                    lots.c.title_nl,
                    lots.c.title_fr,
                    agreements.c.reference,
                    agreements.c.title_nl.label("a_nl"),
                    agreements.c.title_fr.label("a_fr"),
                ).join(agreements, agreements.c.id == lots.c.agreement_id)
            )
        )
        fr = query.language == "fr"
        lot_of = {int(r.id): (r.reference, int(r.number)) for r in lot_rows}
        lot_titles = {(r.reference, int(r.number)): (r.title_fr if fr and r.title_fr else r.title_nl) for r in lot_rows}
        agreement_titles = {r.reference: (r.a_fr if fr and r.a_fr else r.a_nl) for r in lot_rows}
        supplier_rows = list(self.c.execute(select(suppliers.c.id, suppliers.c.code, suppliers.c.name)))
        supplier_of = {int(r.id): r.code for r in supplier_rows}
        names = {r.code: r.name for r in supplier_rows}
        browsing = not query.terms and query.price_min is None and query.price_max is None
        found_cells, page = self._browsed(query) if browsing else self._matched(query)
        cells = [
            Cell(lot_of[lot][0], lot_of[lot][1], supplier_of[supplier], division, bucket, count)
            for lot, supplier, division, bucket, count in found_cells
        ]
        total, found = facets(query, cells, agreement_titles, lot_titles, names)
        return CatalogueResult(query, total, tuple(page) if total else (), found, names, lot_titles)


_ITEM_COLUMNS = (
    *ITEM_RECORD,
    agreements.c.reference,
    lots.c.number.label("lot_number"),
    suppliers.c.code.label("supplier_code"),
)


def _item(r: Any) -> CatalogueItem:
    return CatalogueItem(
        r.reference,
        int(r.lot_number),
        r.supplier_code,
        r.code,
        r.cpv,
        r.description_nl,
        r.description_fr,
        r.unit,
        r.price,
        r.valid_from,
        r.valid_until,
        r.reference_price,
        int(r.id),
    )
