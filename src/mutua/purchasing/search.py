"""Full-text search of the catalogues with facets, in the database (``uow.catalogue_search``, the
adapter of :class:`mutua.purchasing.ports.CatalogueSearch`).

The words are matched in the items' code and their Dutch and French descriptions, each word as a
word or the start of one, all words required:

- **SQLite** (the embedded default): the FTS5 table ``purchasing_items_fts`` (migration
  ``0450_purchasing_search``), queried with ``"word"*`` prefix terms; accents are folded by its
  tokenizer, so ``ecran`` finds ``écran``.
- **PostgreSQL**: ``search_nl @@ to_tsquery('dutch', 'word:*')`` or the same in French, on the
  stored ``tsvector`` columns and GIN indexes of that migration; the words are stemmed in each
  language (``laptops`` finds ``laptop``).

One query gives the page of items, one the *cube* (matching items counted by agreement, lot,
supplier, CPV division and price bucket), from which the total and every facet are summed
(:func:`mutua.purchasing.domain.search.facets`). The words reach either engine as one bound
parameter built from letters and digits only (:func:`~mutua.purchasing.domain.search.terms`).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR
from typing import Any

from sqlalchemy import Connection, Integer, and_, case, column, func, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from mutua.kernel.money import CENT
from mutua.purchasing.db.tables import agreements, items, lots, suppliers
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
    "(purchasing_items.search_nl @@ to_tsquery('dutch', :fts)"
    " OR purchasing_items.search_fr @@ to_tsquery('french', :fts))"
)


# the price buckets as conditional counts; ``price < high`` binds ``high`` through the column's type
# (cents), like the filters
_BUCKET_KEYS = tuple(bucket_key(low, high) for low, high in PRICE_BUCKETS)
_BUCKET_COUNTS = tuple(
    func.sum(case((and_(items.c.price >= low, items.c.price < high), 1), else_=0))
    if high is not None
    else func.sum(case((items.c.price >= low, 1), else_=0))
    for low, high in PRICE_BUCKETS
)


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

    def _conditions(self, query: CatalogueQuery, *, facets_too: bool) -> list[ColumnElement[bool]]:
        """The text, the day and the price range; with ``facets_too`` the facet filters as well."""
        where: list[ColumnElement[bool]] = [items.c.withdrawn_on.is_(None)]
        words = query.terms
        if words and self.postgres:
            where.append(_POSTGRES_MATCH.bindparams(fts=tsquery(words)))  # type: ignore[arg-type]
        elif words:
            match = text(_SQLITE_MATCH).bindparams(fts=fts5_query(words)).columns(column("id", Integer))
            matched = select(match.subquery().c.id)
            where.append(items.c.id.in_(matched))
        if query.on is not None:
            where += [
                items.c.valid_from <= query.on,
                or_(items.c.valid_until.is_(None), items.c.valid_until >= query.on),
            ]
        if query.price_min is not None:
            where.append(items.c.price >= query.price_min.quantize(CENT, ROUND_CEILING))
        if query.price_max is not None:
            where.append(items.c.price <= query.price_max.quantize(CENT, ROUND_FLOOR))
        if facets_too:
            if query.agreement is not None:
                where.append(agreements.c.reference == query.agreement)
            if query.lot is not None:
                where.append(lots.c.number == query.lot)
            if query.cpv_division is not None:
                where.append(items.c.cpv.like(f"{query.cpv_division}%"))
            if query.supplier is not None:
                where.append(suppliers.c.code == query.supplier)
        return where

    @staticmethod
    def _joined(*columns: Any) -> Any:
        return (
            select(*columns)
            .select_from(items)
            .join(lots, lots.c.id == items.c.lot_id)
            .join(agreements, agreements.c.id == lots.c.agreement_id)
            .join(suppliers, suppliers.c.id == items.c.supplier_id)
        )

    def _page(self, query: CatalogueQuery) -> list[CatalogueItem]:
        description = items.c.description_fr if query.language == "fr" else items.c.description_nl
        order = [items.c.price, description, items.c.id] if query.sort == "price" else [description, items.c.id]
        rows = self.c.execute(
            self._joined(
                items,
                agreements.c.reference,
                lots.c.number.label("lot_number"),
                suppliers.c.code.label("supplier_code"),
            )
            .where(*self._conditions(query, facets_too=True))
            .order_by(*order)
            .limit(query.limit)
            .offset(query.offset)
        )
        return [
            CatalogueItem(
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
            for r in rows
        ]

    def _cells(self, query: CatalogueQuery) -> list[tuple[int, int, str, str, int]]:
        """(lot id, supplier id, CPV division, price bucket, count): grouped in the order of the
        facets' index (lot, supplier, CPV code), the price buckets summed as columns."""
        rows = self.c.execute(
            select(items.c.lot_id, items.c.supplier_id, items.c.cpv, *_BUCKET_COUNTS)
            .where(*self._conditions(query, facets_too=False))
            .group_by(items.c.lot_id, items.c.supplier_id, items.c.cpv)
        )
        cells: dict[tuple[int, int, str, str], int] = {}
        for r in rows:
            for key, count in zip(_BUCKET_KEYS, r[3:], strict=True):
                if count:
                    cell = (int(r[0]), int(r[1]), str(r[2])[:2], key)
                    cells[cell] = cells.get(cell, 0) + int(count)
        return [(*cell, count) for cell, count in cells.items()]

    def search(self, query: CatalogueQuery) -> CatalogueResult:
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
        cells = [
            Cell(lot_of[lot][0], lot_of[lot][1], supplier_of[supplier], division, bucket, count)
            for lot, supplier, division, bucket, count in self._cells(query)
        ]
        total, found = facets(query, cells, agreement_titles, lot_titles, names)
        page = self._page(query) if total else []
        return CatalogueResult(query, total, tuple(page), found, names, lot_titles)
