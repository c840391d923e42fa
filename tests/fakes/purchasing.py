"""In-memory fake of joint purchasing's repository (``mutua.purchasing.ports.Purchasing``): the
records in lists and dicts, sums computed in Python (the SQL repository sums in the database; the
property tests compare both with the sum of the orders)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from mutua.kernel.money import ZERO
from mutua.kernel.problems import Conflict
from mutua.purchasing.domain import (
    Accession,
    Agreement,
    AgreementDocument,
    CatalogueItem,
    CommissionStatement,
    Indexation,
    Lot,
    LotSupplier,
    Order,
    OrderEvent,
    OrderStatus,
    PricePoint,
    PriceSource,
    Quarter,
    Region,
    Supplier,
)
from mutua.purchasing.domain.commissions import PlacedValue, placed_values
from mutua.purchasing.domain.orders import consumption


class _Added:
    def __init__(self) -> None:
        self.items: list[CatalogueItem] = []
        self.count = 0

    def add(self, items: Sequence[CatalogueItem]) -> None:
        self.items.extend(items)
        self.count += len(items)


class FakePurchasing:
    """``mutua.purchasing.ports.Purchasing`` in memory."""

    def __init__(self) -> None:
        self.supplier_list: dict[str, Supplier] = {}
        self.agreement_list: dict[str, Agreement] = {}
        self.lot_list: list[Lot] = []
        self.awarded: list[LotSupplier] = []
        self.document_list: list[tuple[AgreementDocument, bytes]] = []
        self.regions: dict[str, Region] = {}
        self.item_list: dict[int, CatalogueItem] = {}
        self.withdrawn: dict[int, date] = {}
        self.points: list[PricePoint] = []
        self.indexation_list: list[Indexation] = []
        self.accession_list: list[Accession] = []
        self.numbers: dict[tuple[str, int], int] = {}
        self.order_list: dict[str, Order] = {}
        self.event_list: list[OrderEvent] = []
        self.statement_list: dict[str, CommissionStatement] = {}
        self.locks: list[str] = []

    def lock(self, name: str) -> None:
        self.locks.append(name)

    def suppliers(self) -> list[Supplier]:
        return [self.supplier_list[c] for c in sorted(self.supplier_list)]

    def add_suppliers(self, suppliers: Sequence[Supplier]) -> None:
        assert not {s.code for s in suppliers} & set(self.supplier_list), "the service checks first"
        self.supplier_list.update((s.code, s) for s in suppliers)

    def agreements(self) -> list[Agreement]:
        return [self.agreement_list[r] for r in sorted(self.agreement_list)]

    def agreement(self, reference: str) -> Agreement | None:
        return self.agreement_list.get(reference)

    def add_agreement(self, agreement: Agreement, lots: Sequence[Lot], awarded: Sequence[LotSupplier]) -> None:
        if agreement.reference in self.agreement_list:
            raise Conflict(f"agreement {agreement.reference} exists already")
        self.agreement_list[agreement.reference] = agreement
        self.lot_list.extend(lots)
        self.awarded.extend(awarded)

    def set_renewed(self, reference: str, renewed: int) -> None:
        self.agreement_list[reference] = replace(self.agreement_list[reference], renewed=renewed)

    def lots(self, agreement: str | None = None) -> list[Lot]:
        return sorted((x for x in self.lot_list if agreement in (None, x.agreement)), key=lambda x: x.key)

    def lot_suppliers(self, agreement: str | None = None) -> list[LotSupplier]:
        return sorted(
            (w for w in self.awarded if agreement in (None, w.agreement)),
            key=lambda w: (w.agreement, w.lot, w.rank or 0, w.supplier),
        )

    def add_document(self, document: AgreementDocument, content: bytes) -> None:
        for d, _ in self.document_list:
            if (d.agreement, d.kind, d.sha256) == (document.agreement, document.kind, document.sha256):
                raise Conflict(f"this {d.kind.value} is kept with {d.agreement} already")
        self.document_list.append((document, content))

    def documents(self, agreement: str, member: str | None = None) -> list[AgreementDocument]:
        return [
            d
            for d, _ in self.document_list
            if d.agreement == agreement and (member is None or d.member in (None, member))
        ]

    def document_content(self, agreement: str, sha256: str) -> bytes | None:
        return next((c for d, c in self.document_list if (d.agreement, d.sha256) == (agreement, sha256)), None)

    def member_regions(self) -> dict[str, Region]:
        return dict(self.regions)

    def set_member_regions(self, regions: Mapping[str, Region]) -> None:
        self.regions.update(regions)

    def _shown(self, item: CatalogueItem) -> CatalogueItem:
        gone = self.withdrawn.get(item.id)
        if gone is None:
            return item
        last = gone - timedelta(days=1)
        return replace(item, valid_until=last if item.valid_until is None else min(item.valid_until, last))

    def items(
        self,
        agreement: str | None = None,
        lot: int | None = None,
        supplier: str | None = None,
        *,
        withdrawn: bool = False,
        codes: Collection[str] | None = None,
    ) -> list[CatalogueItem]:
        found = [
            self._shown(i)
            for i in self.item_list.values()
            if agreement in (None, i.agreement)
            and lot in (None, i.lot)
            and supplier in (None, i.supplier)
            and (withdrawn or i.id not in self.withdrawn)
            and (codes is None or i.code in codes)
        ]
        return sorted(found, key=lambda i: (i.agreement, i.lot, i.supplier, i.code))

    def items_by_id(self, ids: Iterable[int]) -> dict[int, CatalogueItem]:
        return {i: self._shown(self.item_list[i]) for i in ids if i in self.item_list}

    def add_items(self, items: Sequence[CatalogueItem], source: str, reference: str) -> None:
        for item in items:
            key = (item.agreement, item.lot, item.supplier, item.code)
            assert all((i.agreement, i.lot, i.supplier, i.code) != key for i in self.item_list.values())
            stored = replace(item, id=len(self.item_list) + 1)
            self.item_list[stored.id] = stored
            self.points.append(
                PricePoint(
                    stored.id, item.price, item.price_since, PriceSource(source), reference, "", len(self.points) + 1
                )
            )

    @contextmanager
    def adding_items(self, agreement: str, lot: int, supplier: str) -> Iterator[_Added]:
        """Keeps what is added until :meth:`record_added` (the SQL repository writes it at once, and
        a refused import rolls it back: here nothing is kept before)."""
        yield _Added()

    def record_added(self, added: _Added, source: str, reference: str) -> None:
        self.add_items(added.items, source, reference)

    def reprice(self, changes: Sequence[tuple[CatalogueItem, PricePoint | None]]) -> None:
        for item, point in changes:
            self.item_list[item.id] = item
            if point is not None:
                self.points.append(replace(point, id=len(self.points) + 1))

    def withdraw(self, item_ids: Sequence[int], on: date) -> None:
        self.withdrawn.update((i, on) for i in item_ids)

    def price_history(self, item_id: int) -> list[PricePoint]:
        return sorted((p for p in self.points if p.item == item_id), key=lambda p: (p.valid_from, p.id))

    def prices_on(self, item_ids: Iterable[int], day: date) -> dict[int, PricePoint]:
        wanted = set(item_ids)
        found: dict[int, PricePoint] = {}
        for p in sorted(self.points, key=lambda p: (p.valid_from, p.id)):
            if p.item in wanted and p.valid_from <= day:
                found[p.item] = p
        return found

    def indexations(self, agreement: str) -> list[Indexation]:
        return [ix for ix in self.indexation_list if ix.agreement == agreement]

    def add_indexation(self, indexation: Indexation) -> None:
        self.indexation_list.append(indexation)

    def accessions(self, agreement: str | None = None, member: str | None = None) -> list[Accession]:
        return sorted(
            (a for a in self.accession_list if agreement in (None, a.agreement) and member in (None, a.member)),
            key=lambda a: (a.agreement, a.decided_on, a.member),
        )

    def add_accession(self, accession: Accession) -> None:
        if self.accessions(accession.agreement, accession.member):
            raise Conflict(f"member {accession.member} has joined {accession.agreement} already")
        self.accession_list.append(accession)

    def next_number(self, kind: str, year: int) -> int:
        self.numbers[(kind, year)] = self.numbers.get((kind, year), 0) + 1
        return self.numbers[(kind, year)]

    def add_order(self, order: Order) -> None:
        if order.number in self.order_list:
            raise Conflict(f"order {order.number} exists already")
        self.order_list[order.number] = order

    def update_order(self, order: Order) -> None:
        self.order_list[order.number] = order

    def order(self, number: str) -> Order | None:
        return self.order_list.get(number)

    def orders(
        self,
        member: str | None = None,
        agreement: str | None = None,
        status: OrderStatus | None = None,
        engagement: str | None = None,
    ) -> list[Order]:
        return [
            o
            for n, o in sorted(self.order_list.items())
            if member in (None, o.member)
            and agreement in (None, o.agreement)
            and status in (None, o.status)
            and engagement in (None, o.engagement)
        ]

    def add_event(self, event: OrderEvent) -> None:
        self.event_list.append(event)

    def events(self, number: str) -> list[OrderEvent]:
        return [e for e in self.event_list if e.order == number]

    def consumption(self, agreement: str | None = None) -> dict[tuple[str, int], Decimal]:
        return consumption(self.orders(agreement=agreement))

    def engagement_committed(self, engagement: str, year: int, excluding: str = "") -> Decimal:
        return sum(
            (
                o.value
                for o in self.order_list.values()
                if o.engagement == engagement
                and o.status.commits
                and o.number != excluding
                and (o.approved_on or o.created_on).year == year
            ),
            ZERO,
        )

    def placed_values(self, quarter: Quarter) -> list[PlacedValue]:
        return placed_values(self.order_list.values(), quarter)

    def add_statement(self, statement: CommissionStatement) -> None:
        for s in self.statement_list.values():
            if (s.supplier, s.quarter) == (statement.supplier, statement.quarter):
                raise Conflict(f"the commission statement of {s.supplier} for {s.quarter} exists already")
        self.statement_list[statement.number] = statement

    def statements(self, quarter: Quarter | None = None, supplier: str | None = None) -> list[CommissionStatement]:
        return [
            s
            for n, s in sorted(self.statement_list.items())
            if quarter in (None, s.quarter) and supplier in (None, s.supplier)
        ]

    def statement(self, number: str) -> CommissionStatement | None:
        return self.statement_list.get(number)
