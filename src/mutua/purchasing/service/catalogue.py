"""Catalogues: suppliers' price lists imported per lot (CSV or XLSX; every bad line named, nothing
written), price changes kept as history, indexation by the agreement's index with the computation
shown; the catalogue and an item's price history as read models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.problems import Conflict, NotFound, Problem
from mutua.platform.files.csv_files import Column, CsvFile
from mutua.platform.files.imports import run_import
from mutua.purchasing.domain import CatalogueItem, Indexation, PricePoint, PriceSource
from mutua.purchasing.domain.pricelist import COLUMNS, CatalogueChanges, PriceListLine, check_lines, merge
from mutua.purchasing.domain.prices import indexation_problems, indexed, previous_value
from mutua.purchasing.ports import PurchasingImports, PurchasingUnitOfWork
from mutua.purchasing.service.common import read_file, refuse, today
from mutua.purchasing.service.pricelists import read_price_list

MANAGE = Permission(Action.MANAGE_PURCHASING)
PRICE_LIST_COLUMNS = tuple(Column(name, str, required=False) for name in COLUMNS)


@dataclass(frozen=True, slots=True)
class PriceListResult:
    """What a price list did to a lot's catalogue.

    Attributes:
        agreement: the agreement's reference.
        lot: the lot's number.
        supplier: the supplier's code.
        source: the file.
        batch_id: the import batch.
        valid_from: the first day of its prices.
        new: items added.
        repriced: items whose price changed (a new point in their history).
        changed: items whose description, unit or validity changed at the same price.
        unchanged: items listed again as they were.
        withdrawn: items no longer listed (no longer orderable from ``valid_from``).
    """

    agreement: str
    lot: int
    supplier: str
    source: str
    batch_id: int
    valid_from: date
    new: int
    repriced: int
    changed: int
    unchanged: int
    withdrawn: int

    def as_json(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement,
            "lot": self.lot,
            "supplier": self.supplier,
            "source": self.source,
            "batch_id": self.batch_id,
            "valid_from": self.valid_from.isoformat(),
            "new": self.new,
            "repriced": self.repriced,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "withdrawn": self.withdrawn,
        }


_PART = 10_000
"""The lines of a price list checked before the new items among them are written."""


def _new_item(reference: str, lot: int, supplier: str, line: PriceListLine, valid_from: date) -> CatalogueItem:
    return CatalogueItem(
        reference,
        lot,
        supplier,
        line.code,
        line.cpv,
        line.description_nl,
        line.description_fr,
        line.unit,
        line.price,
        valid_from,
        line.valid_until,
        line.reference_price,
    )


@requires(MANAGE)
def import_price_list(
    uow: PurchasingImports,
    reference: str,
    lot: int,
    supplier: str,
    path: Path,
    valid_from: date,
    sheet: str | None = None,
) -> PriceListResult:
    """Import a supplier's price list (CSV or XLSX) into a lot's catalogue from ``valid_from``."""
    content = read_file(path)
    return import_price_list_bytes(uow, reference, lot, supplier, content.data, str(path), valid_from, sheet)


@requires(MANAGE)
def import_price_list_bytes(
    uow: PurchasingImports,
    reference: str,
    lot: int,
    supplier: str,
    data: bytes,
    source: str,
    valid_from: date,
    sheet: str | None = None,
) -> PriceListResult:
    """The price list ``source`` with content ``data``: refused whole with every bad line named
    (line, column, why), else written in one transaction (a batch, logged by SHA-256).

    The new items are written while the lines are checked, part by part, as long as no problem is
    found: the database indexes one part while the next is checked (a 100,000-line list on
    PostgreSQL, ``bench/bench_purchasing.py``). A problem stops the writing and refuses the file;
    the transaction is rolled back and nothing is kept (``run_import``)."""
    read = read_price_list(data, source, sheet)
    found: dict[str, Any] = {}

    def validate(u: PurchasingImports, parsed: CsvFile, problems: list[Problem]) -> list[CatalogueChanges]:
        problems[:0] = list(read.problems)
        u.purchasing.lock(f"catalogue.{reference}")  # one writer of an agreement's catalogue at a time
        agreement = u.purchasing.agreement(reference)
        lots = {x.number: x for x in u.purchasing.lots(reference)}
        if agreement is None or lot not in lots:
            raise NotFound(
                f"no agreement {reference}" if agreement is None else f"agreement {reference} has no lot {lot}"
            )
        if not any(w.lot == lot and w.supplier == supplier for w in u.purchasing.lot_suppliers(reference)):
            problems.append(
                Problem(source, None, None, f"supplier {supplier} was not awarded lot {lot} of {reference}")
            )
            return []
        if valid_from > agreement.last_possible_end:
            problems.append(Problem(source, None, "valid_from", f"{valid_from} is after the term of {reference}"))
        kind = lots[lot].kind
        current = {i.code: i for i in u.purchasing.items(reference, lot, supplier)}
        rows = [(row.line, row.values) for row in parsed.rows]
        lines: list[PriceListLine] = []
        seen: dict[str, int] = {}
        # the new items are written part by part while the next part is checked (PostgreSQL reads
        # them meanwhile); a problem stops the writing, and the transaction is rolled back
        with u.purchasing.adding_items(reference, lot, supplier) as added:
            for start in range(0, max(len(rows), 1), _PART):
                part, part_problems = check_lines(rows[start : start + _PART], source, kind, valid_from, seen)
                problems.extend(part_problems)
                lines.extend(part)
                if not problems:
                    added.add(
                        [_new_item(reference, lot, supplier, x, valid_from) for x in part if x.code not in current]
                    )
        found["added"] = added
        changes, merge_problems = merge(current, lines, valid_from, source)
        problems.extend(merge_problems)
        problems.sort(key=lambda p: p.line or 0)
        return [changes]

    def write(u: PurchasingImports, records: Sequence[CatalogueChanges], batch_id: int | None) -> None:
        (changes,) = records
        batch = f"batch {batch_id}"
        added = found.pop("added")
        if added.count != len(changes.new):  # every new line was written while it was checked
            raise RuntimeError(f"{added.count} items written for {len(changes.new)} new lines")
        u.purchasing.record_added(added, PriceSource.PRICE_LIST.value, batch)
        repriced = []
        for change in changes.changed:
            line = change.line
            item = replace(
                change.item,
                cpv=line.cpv,
                description_nl=line.description_nl,
                description_fr=line.description_fr,
                unit=line.unit,
                price=line.price,
                price_from=valid_from if change.price_changed else change.item.price_from,
                valid_until=line.valid_until,
                reference_price=line.reference_price,
            )
            point = (
                PricePoint(item.id, line.price, valid_from, PriceSource.PRICE_LIST, batch)
                if change.price_changed
                else None
            )
            repriced.append((item, point))
        u.purchasing.reprice(repriced)
        u.purchasing.withdraw([i.id for i in changes.withdrawn], valid_from)
        found.update(
            batch_id=batch_id or 0,
            new=len(changes.new),
            repriced=sum(1 for c in changes.changed if c.price_changed),
            changed=sum(1 for c in changes.changed if not c.price_changed),
            unchanged=changes.unchanged,
            withdrawn=len(changes.withdrawn),
        )
        u.audit.record(
            "import", "price_list", f"{reference}/{lot}/{supplier}", source=source, valid_from=valid_from, **found
        )

    target = f"{reference}/{lot}/{supplier}"  # the same file may go to another lot or supplier, once to each
    run_import(uow, "price_list", read.text, source, PRICE_LIST_COLUMNS, validate, write, target=target)
    return PriceListResult(reference, lot, supplier, source, valid_from=valid_from, **found)


@requires(Permission())
def catalogue(
    uow: PurchasingUnitOfWork,
    reference: str | None = None,
    lot: int | None = None,
    supplier: str | None = None,
    on: date | None = None,
) -> list[CatalogueItem]:
    """The items that may be ordered on ``on`` (today), of an agreement, lot, supplier."""
    day = today(on)
    with uow:
        return [i for i in uow.purchasing.items(reference, lot, supplier, withdrawn=True) if i.orderable_on(day)]


@dataclass(frozen=True, slots=True)
class PriceHistory:
    """An item with every price it had.

    Attributes:
        item: the item (as it is now).
        points: its prices, oldest first, each with where it came from and its computation.
    """

    item: CatalogueItem
    points: tuple[PricePoint, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "agreement": self.item.agreement,
            "lot": self.item.lot,
            "supplier": self.item.supplier,
            "code": self.item.code,
            "prices": [
                {
                    "price": str(p.price),
                    "valid_from": p.valid_from.isoformat(),
                    "source": p.source.value,
                    "reference": p.reference,
                    "computation": p.computation,
                }
                for p in self.points
            ],
        }


@requires(Permission())
def price_history(uow: PurchasingUnitOfWork, item_id: int) -> PriceHistory:
    """Every price an item had: what a member paid is always explainable."""
    with uow:
        item = uow.purchasing.items_by_id([item_id]).get(item_id)
        if item is None:
            raise NotFound(f"no catalogue item {item_id}")
        return PriceHistory(item, tuple(uow.purchasing.price_history(item_id)))


@dataclass(frozen=True, slots=True)
class IndexationResult:
    """An indexation applied, with each item's computation.

    Attributes:
        indexation: the revision.
        lines: (item code, supplier, old price, new price, computation) per item revised.
    """

    indexation: Indexation
    lines: tuple[tuple[str, str, Decimal, Decimal, str], ...]

    def as_json(self) -> dict[str, Any]:
        ix = self.indexation
        return {
            "agreement": ix.agreement,
            "number": ix.number,
            "applies_from": ix.applies_from.isoformat(),
            "index": ix.index,
            "from_value": str(ix.from_value),
            "to_value": str(ix.to_value),
            "factor": f"{ix.to_value} / {ix.from_value}",
            "computation": ix.computation,
            "items": ix.items,
            "lines": [
                {"code": c, "supplier": s, "old": str(o), "new": str(n), "computation": how}
                for c, s, o, n, how in self.lines
            ],
        }


@requires(MANAGE)
def index_prices(uow: PurchasingUnitOfWork, reference: str, to_value: Decimal, applies_from: date) -> IndexationResult:
    """Revise every orderable price of an agreement by its index (``to_value`` published for the
    revision of ``applies_from``): new price = price x to_value / previous value, to the cent."""
    with uow:
        uow.purchasing.lock(f"catalogue.{reference}")  # one writer of an agreement's catalogue at a time
        agreement = uow.purchasing.agreement(reference)
        if agreement is None:
            raise NotFound(f"no agreement {reference}")
        earlier = uow.purchasing.indexations(reference)
        refuse(indexation_problems(agreement, earlier, applies_from, to_value), f"indexation of {reference}")
        from_value = previous_value(agreement, earlier)
        items = [i for i in uow.purchasing.items(reference) if i.valid_until is None or i.valid_until >= applies_from]
        if any(i.price_since > applies_from for i in items):
            raise Conflict(f"{reference} has prices from after {applies_from}: an indexation cannot precede them")
        number = len(earlier) + 1
        changes = []
        lines = []
        for item in items:
            new, how = indexed(item.price, from_value, to_value)
            point = PricePoint(item.id, new, applies_from, PriceSource.INDEXATION, f"indexation {number}", how)
            changes.append((replace(item, price=new, price_from=applies_from), point))
            lines.append((item.code, item.supplier, item.price, new, how))
        assert agreement.indexation is not None
        indexation = Indexation(
            reference, number, applies_from, agreement.indexation.index, from_value, to_value, len(changes)
        )
        uow.purchasing.add_indexation(indexation)
        uow.purchasing.reprice(changes)
        uow.audit.record(
            "index",
            "agreement",
            reference,
            number=number,
            applies_from=applies_from,
            from_value=str(from_value),
            to_value=str(to_value),
            items=len(changes),
        )
        uow.commit()
    return IndexationResult(indexation, tuple(lines))
