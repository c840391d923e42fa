"""The catalogue's cells (``purchasing_item_cells``): the items not withdrawn counted by lot,
supplier, CPV division, price bucket and validity.

A search without words (browsing an agreement, a CPV division, everything) counts its facets from
these few hundred rows instead of every item. The repository refreshes a (lot, supplier)'s cells in
the transaction that adds, reprices or withdraws its items; every such writer holds the agreement's
catalogue lock (``catalogue.<reference>``), so two refreshes of one lot never interleave.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, case, delete, func, literal, select, tuple_
from sqlalchemy.sql.elements import ColumnElement

from mutua.purchasing.db.tables import item_cells, items
from mutua.purchasing.domain.search import PRICE_BUCKETS


def bucket_index(price: ColumnElement[object]) -> ColumnElement[int]:
    """The index in :data:`PRICE_BUCKETS` of the bucket ``price`` (a cents column) falls in."""
    whens = [(price < high, literal(i)) for i, (_, high) in enumerate(PRICE_BUCKETS) if high is not None]
    return case(*whens, else_=literal(len(PRICE_BUCKETS) - 1))


def refresh(connection: Connection, pairs: Iterable[tuple[int, int]]) -> None:
    """Count again the cells of each (lot id, supplier id) in ``pairs`` from its items."""
    wanted = sorted(set(pairs))
    for i in range(0, len(wanted), 500):
        part = wanted[i : i + 500]
        connection.execute(delete(item_cells).where(tuple_(item_cells.c.lot_id, item_cells.c.supplier_id).in_(part)))
        division = func.substr(items.c.cpv, 1, 2)
        bucket = bucket_index(items.c.price)
        counted = (
            select(
                items.c.lot_id,
                items.c.supplier_id,
                division,
                bucket,
                items.c.valid_from,
                items.c.valid_until,
                func.count(),
            )
            .where(
                items.c.withdrawn_on.is_(None),
                tuple_(items.c.lot_id, items.c.supplier_id).in_(part),
            )
            .group_by(items.c.lot_id, items.c.supplier_id, division, bucket, items.c.valid_from, items.c.valid_until)
        )
        connection.execute(
            item_cells.insert().from_select(
                ["lot_id", "supplier_id", "cpv_division", "bucket", "valid_from", "valid_until", "item_count"], counted
            )
        )


def pairs_of(connection: Connection, item_ids: Iterable[int]) -> set[tuple[int, int]]:
    """The (lot id, supplier id) of the items ``item_ids``."""
    ids = sorted(set(item_ids))
    found: set[tuple[int, int]] = set()
    for i in range(0, len(ids), 5000):
        rows = connection.execute(
            select(items.c.lot_id, items.c.supplier_id).distinct().where(items.c.id.in_(ids[i : i + 5000]))
        )
        found.update((int(r[0]), int(r[1])) for r in rows)
    return found
