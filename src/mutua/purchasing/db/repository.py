"""Joint purchasing's repository over the unit of work's connection (``uow.purchasing``): the
records of :mod:`mutua.purchasing.domain` in and out of the tables of :mod:`.tables`.

Members and engagements are the registry's rows (joined by id); suppliers, agreements, lots and
items by their own ids, turned into codes, references and numbers here. Sums that the follow-up and
the ceilings need (consumption, commitments of an engagement, commissions' bases) are SQL sums over
the integer cent columns: exact on both engines.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Connection, DateTime, String, and_, bindparam, case, func, literal, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from mutua.kernel.money import ZERO
from mutua.kernel.problems import Conflict, NotFound
from mutua.platform.db.audit import AuditTrail, insert_many, utcnow
from mutua.platform.db.locks import hold
from mutua.purchasing.db import cells
from mutua.purchasing.db.tables import (
    ITEM_RECORD,
    accessions,
    agreements,
    documents,
    indexations,
    items,
    lot_suppliers,
    lots,
    member_regions,
    order_events,
    order_lines,
    orders,
    prices,
    sequences,
    statement_lines,
    statements,
    suppliers,
)
from mutua.purchasing.domain import (
    Accession,
    Agreement,
    AgreementDocument,
    AwardRule,
    CatalogueItem,
    Channel,
    CommissionLine,
    CommissionStatement,
    DocumentKind,
    Indexation,
    IndexationRule,
    Lot,
    LotKind,
    LotSupplier,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PricePoint,
    PriceSource,
    Procedure,
    PurchasingClause,
    Quarter,
    Region,
    Supplier,
)
from mutua.purchasing.domain.commissions import PlacedValue
from mutua.purchasing.domain.search import indexed_words
from mutua.purchasing.ports import AddedItems
from mutua.registry.db import engagements as registry_engagements
from mutua.registry.db import members as registry_members

COMMITTING = tuple(s.value for s in OrderStatus if s.commits)
ORDERED = tuple(s.value for s in OrderStatus if s.ordered)


_ITEM_KEYS = (
    "lot_id",
    "supplier_id",
    "code",
    "cpv",
    "description_nl",
    "description_fr",
    "unit",
    "price",
    "valid_from",
    "price_from",
    "valid_until",
    "reference_price",
    "withdrawn_on",
    "words_nl",
    "words_fr",
)
"""The columns an added item's row gives, in the order :meth:`SqlPurchasing.add_items` writes them."""


def _codes(words: str) -> tuple[str, ...]:
    return tuple(words.split()) if words else ()


class SqlPurchasing:
    """Agreements, lots, suppliers, documents, catalogues, accessions, orders and commission
    statements in the database (``mutua.purchasing.ports.Purchasing``)."""

    def __init__(self, connection: Connection, audit: AuditTrail) -> None:
        self.c = connection
        self.audit = audit
        self._ids: dict[str, dict[Any, int]] = {}

    def lock(self, name: str) -> None:
        hold(self.c, f"purchasing.{name}")

    # -- ids ---------------------------------------------------------------------------------------

    def _member_ids(self, numbers: Iterable[str]) -> dict[str, int]:
        wanted = set(numbers)
        if not wanted:
            return {}
        m = registry_members
        rows = self.c.execute(select(m.c.enterprise_number, m.c.id).where(m.c.enterprise_number.in_(wanted)))
        return {r.enterprise_number: int(r.id) for r in rows}

    def _member_id(self, number: str) -> int:
        found = self._member_ids([number]).get(number)
        if found is None:
            raise NotFound(f"no member with enterprise number {number}")
        return found

    def _engagement_id(self, code: str) -> int:
        e = registry_engagements
        found = self.c.execute(select(e.c.id).where(e.c.code == code)).scalar()
        if found is None:
            raise NotFound(f"no engagement {code}")
        return int(found)

    def _supplier_ids(self) -> dict[str, int]:
        return {r.code: int(r.id) for r in self.c.execute(select(suppliers.c.code, suppliers.c.id))}

    def _agreement_id(self, reference: str) -> int:
        found = self.c.execute(select(agreements.c.id).where(agreements.c.reference == reference)).scalar()
        if found is None:
            raise NotFound(f"no agreement {reference}")
        return int(found)

    def _lot_id(self, reference: str, number: int) -> int:
        found = self.c.execute(
            select(lots.c.id)
            .join(agreements, agreements.c.id == lots.c.agreement_id)
            .where(agreements.c.reference == reference, lots.c.number == number)
        ).scalar()
        if found is None:
            raise NotFound(f"agreement {reference} has no lot {number}")
        return int(found)

    # -- suppliers and agreements ------------------------------------------------------------------

    def suppliers(self) -> list[Supplier]:
        return [_supplier(r) for r in self.c.execute(select(suppliers).order_by(suppliers.c.code))]

    def add_suppliers(self, found: Sequence[Supplier]) -> None:
        if not found:
            return
        try:
            insert_many(
                self.c,
                suppliers,
                [
                    {
                        "code": s.code,
                        "name": s.name,
                        "enterprise_number": s.enterprise_number,
                        "vat_number": s.vat_number,
                        "country": s.country,
                        "street": s.street,
                        "postcode": s.postcode,
                        "city": s.city,
                        "email": s.email,
                        "language": s.language,
                    }
                    for s in found
                ],
            )
        except IntegrityError:
            raise Conflict("a supplier was added by another user at the same time") from None

    def agreements(self) -> list[Agreement]:
        return [_agreement(r) for r in self.c.execute(select(agreements).order_by(agreements.c.reference))]

    def agreement(self, reference: str) -> Agreement | None:
        row = self.c.execute(select(agreements).where(agreements.c.reference == reference)).first()
        return None if row is None else _agreement(row)

    def add_agreement(self, agreement: Agreement, new_lots: Sequence[Lot], awarded: Sequence[LotSupplier]) -> None:
        a = agreement
        ix = a.indexation
        try:
            agreement_id = self.c.execute(
                agreements.insert().values(
                    reference=a.reference,
                    title_nl=a.title_nl,
                    title_fr=a.title_fr,
                    description=a.description,
                    procedure=a.procedure.value,
                    award_date=a.award_date,
                    starts_on=a.starts_on,
                    ends_on=a.ends_on,
                    renewals=a.renewals,
                    renewal_months=a.renewal_months,
                    renewed=a.renewed,
                    ceiling=a.ceiling,
                    cpv=" ".join(a.cpv),
                    clause_categories=" ".join(a.clause.categories),
                    clause_regions=" ".join(r.value for r in a.clause.regions),
                    clause_bodies=" ".join(a.clause.bodies),
                    clause_text_nl=a.clause.text_nl,
                    clause_text_fr=a.clause.text_fr,
                    commission_rate=a.commission_rate,
                    reference_markup=a.reference_markup,
                    index_name=ix.index if ix else None,
                    index_base=ix.base_value if ix else None,
                    index_month=ix.month if ix else None,
                    created_at=utcnow(),
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError:
            raise Conflict(f"agreement {a.reference} exists already") from None
        lot_ids = {}
        for lot in new_lots:
            lot_ids[lot.number] = self.c.execute(
                lots.insert().values(
                    agreement_id=agreement_id,
                    number=lot.number,
                    title_nl=lot.title_nl,
                    title_fr=lot.title_fr,
                    ceiling=lot.ceiling,
                    cpv=" ".join(lot.cpv),
                    award_rule=lot.award_rule.value,
                    kind=lot.kind.value,
                    commission_rate=lot.commission_rate,
                    reference_markup=lot.reference_markup,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        ids = self._supplier_ids()
        insert_many(
            self.c,
            lot_suppliers,
            [{"lot_id": lot_ids[w.lot], "supplier_id": ids[w.supplier], "rank": w.rank} for w in awarded],
        )

    def set_renewed(self, reference: str, renewed: int) -> None:
        self.c.execute(update(agreements).where(agreements.c.reference == reference).values(renewed=renewed))

    def lots(self, agreement: str | None = None) -> list[Lot]:
        query = (
            select(lots, agreements.c.reference)
            .join(agreements, agreements.c.id == lots.c.agreement_id)
            .order_by(agreements.c.reference, lots.c.number)
        )
        if agreement is not None:
            query = query.where(agreements.c.reference == agreement)
        return [_lot(r) for r in self.c.execute(query)]

    def lot_suppliers(self, agreement: str | None = None) -> list[LotSupplier]:
        query = (
            select(agreements.c.reference, lots.c.number, suppliers.c.code, lot_suppliers.c.rank)
            .select_from(lot_suppliers)
            .join(lots, lots.c.id == lot_suppliers.c.lot_id)
            .join(agreements, agreements.c.id == lots.c.agreement_id)
            .join(suppliers, suppliers.c.id == lot_suppliers.c.supplier_id)
            .order_by(agreements.c.reference, lots.c.number, lot_suppliers.c.rank, suppliers.c.code)
        )
        if agreement is not None:
            query = query.where(agreements.c.reference == agreement)
        return [LotSupplier(r.reference, int(r.number), r.code, r.rank) for r in self.c.execute(query)]

    # -- documents ---------------------------------------------------------------------------------

    def add_document(self, document: AgreementDocument, content: bytes) -> None:
        d = document
        try:
            self.c.execute(
                documents.insert().values(
                    agreement_id=self._agreement_id(d.agreement),
                    member_id=self._member_id(d.member) if d.member else None,
                    kind=d.kind.value,
                    title=d.title,
                    filename=d.filename,
                    media_type=d.media_type,
                    sha256=d.sha256,
                    size=d.size,
                    content=content,
                    added_at=utcnow(),
                    added_by=self.audit.actor,
                )
            )
        except IntegrityError:
            raise Conflict(f"this {d.kind.value} ({d.sha256[:12]}) is kept with {d.agreement} already") from None

    def documents(self, agreement: str, member: str | None = None) -> list[AgreementDocument]:
        m = registry_members
        query = (
            select(
                documents.c.kind,
                documents.c.title,
                documents.c.filename,
                documents.c.media_type,
                documents.c.sha256,
                documents.c.size,
                m.c.enterprise_number,
            )
            .join(agreements, agreements.c.id == documents.c.agreement_id)
            .outerjoin(m, m.c.id == documents.c.member_id)
            .where(agreements.c.reference == agreement)
            .order_by(documents.c.id)
        )
        if member is not None:
            query = query.where((m.c.enterprise_number == member) | documents.c.member_id.is_(None))
        return [
            AgreementDocument(
                agreement,
                DocumentKind(r.kind),
                r.filename,
                r.media_type,
                r.sha256,
                int(r.size),
                r.enterprise_number,
                r.title,
            )
            for r in self.c.execute(query)
        ]

    def document_content(self, agreement: str, sha256: str) -> bytes | None:
        found = self.c.execute(
            select(documents.c.content)
            .join(agreements, agreements.c.id == documents.c.agreement_id)
            .where(agreements.c.reference == agreement, documents.c.sha256 == sha256)
            .limit(1)
        ).scalar()
        return None if found is None else bytes(found)

    # -- regions -------------------------------------------------------------------------------------

    def member_regions(self) -> dict[str, Region]:
        m = registry_members
        rows = self.c.execute(
            select(m.c.enterprise_number, member_regions.c.region).join(m, m.c.id == member_regions.c.member_id)
        )
        return {r.enterprise_number: Region(r.region) for r in rows}

    def set_member_regions(self, regions: Mapping[str, Region]) -> None:
        ids = self._member_ids(regions)
        self.c.execute(member_regions.delete().where(member_regions.c.member_id.in_(list(ids.values()))))
        insert_many(
            self.c, member_regions, [{"member_id": ids[n], "region": r.value} for n, r in regions.items() if n in ids]
        )

    # -- catalogue -------------------------------------------------------------------------------

    def _items_query(self) -> Any:
        return (
            select(
                *ITEM_RECORD,
                agreements.c.reference,
                lots.c.number.label("lot_number"),
                suppliers.c.code.label("supplier_code"),
            )
            .join(lots, lots.c.id == items.c.lot_id)
            .join(agreements, agreements.c.id == lots.c.agreement_id)
            .join(suppliers, suppliers.c.id == items.c.supplier_id)
        )

    def items(
        self,
        agreement: str | None = None,
        lot: int | None = None,
        supplier: str | None = None,
        *,
        withdrawn: bool = False,
        codes: Collection[str] | None = None,
    ) -> list[CatalogueItem]:
        query = self._items_query().order_by(agreements.c.reference, lots.c.number, suppliers.c.code, items.c.code)
        if agreement is not None:
            query = query.where(agreements.c.reference == agreement)
        if lot is not None:
            query = query.where(lots.c.number == lot)
        if supplier is not None:
            query = query.where(suppliers.c.code == supplier)
        if not withdrawn:
            query = query.where(items.c.withdrawn_on.is_(None))
        if codes is not None:
            query = query.where(items.c.code.in_(sorted(set(codes))))
        return [_item(r) for r in self.c.execute(query)]

    def items_by_id(self, ids: Iterable[int]) -> dict[int, CatalogueItem]:
        wanted = sorted(set(ids))
        found: dict[int, CatalogueItem] = {}
        for i in range(0, len(wanted), 5000):
            rows = self.c.execute(self._items_query().where(items.c.id.in_(wanted[i : i + 5000])))
            found.update((int(r.id), _item(r)) for r in rows)
        return found

    def add_items(self, new: Sequence[CatalogueItem], source: str, reference: str) -> None:
        if not new:
            return
        with self.adding_items(new[0].agreement, new[0].lot, new[0].supplier) as added:
            added.add(new)
        self.record_added(added, source, reference)

    @contextmanager
    def adding_items(self, agreement: str, lot: int, supplier: str) -> Iterator[_AddedItems]:
        lot_id = self._lot_id(agreement, lot)
        supplier_id = self._supplier_ids()[supplier]
        before = int(self.c.execute(select(func.max(items.c.id))).scalar_one() or 0)
        try:
            with self._rows_writer(items, list(_ITEM_KEYS)) as write:
                yield _AddedItems(write, lot_id, supplier_id, before, self._day, self._words())
        except Exception as error:  # SQLAlchemy's IntegrityError, or psycopg's from COPY (SQLSTATE 23505)
            if not isinstance(error, IntegrityError) and getattr(error, "sqlstate", None) != "23505":
                raise
            raise Conflict(f"items of lot {lot} of {agreement} were added at the same time") from None

    def record_added(self, added: AddedItems, source: str, reference: str) -> None:
        if not isinstance(added, _AddedItems):
            raise TypeError("record_added takes what adding_items gave")
        if not added.count:
            return
        # the new items are this lot and supplier's items after ``before``: a lot's catalogue is written
        # under its agreement's lock, so no other transaction adds to it meanwhile
        lot_id, supplier_id, before = added.lot_id, added.supplier_id, added.before
        fresh = select(
            items.c.id,
            items.c.price,
            items.c.price_from,
            literal(source, String(20)),
            literal(reference, String(100)),
            literal("", String(300)),
            literal(utcnow(), DateTime),
        ).where(and_(items.c.lot_id == lot_id, items.c.supplier_id == supplier_id, items.c.id > before))
        self.c.execute(
            prices.insert().from_select(
                ["item_id", "price", "valid_from", "source", "reference", "computation", "recorded_at"], fresh
            )
        )
        if self.c.dialect.name == "sqlite":  # the full-text index, in one statement (PostgreSQL's is an index)
            self.c.execute(
                text(
                    "INSERT INTO purchasing_items_fts(rowid, code, description_nl, description_fr) "
                    "SELECT id, code, description_nl, description_fr FROM purchasing_items "
                    "WHERE lot_id = :lot AND supplier_id = :supplier AND id > :before"
                ),
                {"lot": lot_id, "supplier": supplier_id, "before": before},
            )
        cells.refresh(self.c, [(lot_id, supplier_id)])

    def _bulk_insert(self, table: Any, rows: list[dict[str, Any]]) -> None:
        """Insert many rows whose values are already as the driver stores them (integer cents, dates
        as the dialect keeps them): see :meth:`_rows_writer`."""
        keys = list(rows[0])
        with self._rows_writer(table, keys) as write:
            write([tuple(r[k] for k in keys) for r in rows])

    @contextmanager
    def _rows_writer(self, table: Any, keys: list[str]) -> Iterator[Callable[[list[tuple[Any, ...]]], None]]:
        """A function that inserts rows of values for ``keys`` as the driver stores them, as often as
        it is called: on PostgreSQL into one COPY (a 100,000-line price list in half the time of an
        executemany), its data handed to a thread that sends it, so that the server reads the rows
        while the caller makes the next ones; else one prepared INSERT per call."""
        if self.c.dialect.name != "postgresql":
            compiled = table.insert().compile(dialect=self.c.dialect, column_keys=keys)
            position = {k: n for n, k in enumerate(keys)}
            order = [position[k] for k in compiled.positiontup]
            reorder = order != list(range(len(keys)))
            sql = str(compiled)

            def insert(rows: list[tuple[Any, ...]]) -> None:
                if reorder:
                    rows = [tuple(r[n] for n in order) for r in rows]
                for i in range(0, len(rows), 20_000):
                    self.c.exec_driver_sql(sql, rows[i : i + 20_000])

            yield insert
            return
        names = ", ".join(f'"{k}"' for k in keys)  # the table's own column names
        raw: Any = self.c.connection.driver_connection  # psycopg's, in this transaction
        with raw.cursor() as cursor:
            statement = f'COPY "{table.name}" ({names}) FROM STDIN'
            with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:

                def send(rows: list[tuple[Any, ...]]) -> None:
                    for row in rows:
                        copy.write_row(row)

                yield send

    def _bulk(self, statement: Any, rows: list[dict[str, Any]], keys: list[str] | None = None) -> None:
        """Run ``statement`` (compiled by SQLAlchemy for this dialect) for many rows of values as
        the driver stores them: a 100,000-line price list skips the per-value type processing of an
        executemany."""
        compiled = statement.compile(dialect=self.c.dialect, column_keys=keys)
        sql = str(compiled)
        order = compiled.positiontup
        for i in range(0, len(rows), 20_000):
            part = rows[i : i + 20_000]
            params: Any = [tuple(r[k] for k in order) for r in part] if order else part
            self.c.exec_driver_sql(sql, params)

    def _words(self) -> Callable[..., str]:
        """What gives the words PostgreSQL's full-text index reads (``words_nl``, ``words_fr``), asked
        once per write; SQLite's FTS5 reads the descriptions and the code themselves, so its rows
        keep them empty (narrower rows)."""
        return indexed_words if self.c.dialect.name == "postgresql" else _no_words

    def _day(self, value: date | None) -> Any:
        """A date as the driver stores it (SQLite: ISO text, as SQLAlchemy writes it)."""
        return value.isoformat() if value is not None and self.c.dialect.name == "sqlite" else value

    def reprice(self, changes: Sequence[tuple[CatalogueItem, PricePoint | None]]) -> None:
        if not changes:
            return
        now: Any = utcnow()
        if self.c.dialect.name == "sqlite":
            now = now.strftime("%Y-%m-%d %H:%M:%S.%f")
        statement = (
            update(items)
            .where(items.c.id == bindparam("item_id"))
            .values(
                cpv=bindparam("new_cpv"),
                description_nl=bindparam("new_description_nl"),
                description_fr=bindparam("new_description_fr"),
                unit=bindparam("new_unit"),
                price=bindparam("new_price"),
                price_from=bindparam("new_price_from"),
                valid_until=bindparam("new_valid_until"),
                reference_price=bindparam("new_reference_price"),
                words_nl=bindparam("new_words_nl"),
                words_fr=bindparam("new_words_fr"),
            )
        )
        words = self._words()
        self._bulk(
            statement,
            [
                {
                    "item_id": item.id,
                    "new_cpv": item.cpv,
                    "new_description_nl": item.description_nl,
                    "new_description_fr": item.description_fr,
                    "new_unit": item.unit,
                    "new_price": _to_cents(item.price),
                    "new_price_from": self._day(item.price_since),
                    "new_valid_until": self._day(item.valid_until),
                    "new_reference_price": _to_cents(item.reference_price),
                    "new_words_nl": words(item.description_nl, item.code),
                    "new_words_fr": words(item.description_fr),
                }
                for item, _ in changes
            ],
        )
        points = [
            {
                "item_id": p.item,
                "price": _to_cents(p.price),
                "valid_from": self._day(p.valid_from),
                "source": p.source.value,
                "reference": p.reference,
                "computation": p.computation,
                "recorded_at": now,
            }
            for _, p in changes
            if p is not None
        ]
        if points:
            self._bulk_insert(prices, points)
        cells.refresh(self.c, cells.pairs_of(self.c, (item.id for item, _ in changes if item.id is not None)))

    def withdraw(self, item_ids: Sequence[int], on: date) -> None:
        ids = list(item_ids)
        for i in range(0, len(ids), 5000):
            self.c.execute(update(items).where(items.c.id.in_(ids[i : i + 5000])).values(withdrawn_on=on))
        if ids:
            cells.refresh(self.c, cells.pairs_of(self.c, ids))

    def price_history(self, item_id: int) -> list[PricePoint]:
        rows = self.c.execute(
            select(prices).where(prices.c.item_id == item_id).order_by(prices.c.valid_from, prices.c.id)
        )
        return [_price(r) for r in rows]

    def prices_on(self, item_ids: Iterable[int], day: date) -> dict[int, PricePoint]:
        wanted = sorted(set(item_ids))
        found: dict[int, PricePoint] = {}
        for i in range(0, len(wanted), 5000):
            rows = self.c.execute(
                select(prices)
                .where(prices.c.item_id.in_(wanted[i : i + 5000]), prices.c.valid_from <= day)
                .order_by(prices.c.item_id, prices.c.valid_from, prices.c.id)
            )
            for r in rows:
                found[int(r.item_id)] = _price(r)  # the last in date order wins
        return found

    def indexations(self, agreement: str) -> list[Indexation]:
        rows = self.c.execute(
            select(indexations)
            .join(agreements, agreements.c.id == indexations.c.agreement_id)
            .where(agreements.c.reference == agreement)
            .order_by(indexations.c.number)
        )
        return [
            Indexation(
                agreement,
                int(r.number),
                r.applies_from,
                r.index_name,
                r.from_value,
                r.to_value,
                int(r.items),
            )
            for r in rows
        ]

    def add_indexation(self, indexation: Indexation) -> None:
        ix = indexation
        try:
            self.c.execute(
                indexations.insert().values(
                    agreement_id=self._agreement_id(ix.agreement),
                    number=ix.number,
                    applies_from=ix.applies_from,
                    index_name=ix.index,
                    from_value=ix.from_value,
                    to_value=ix.to_value,
                    items=ix.items,
                    recorded_at=utcnow(),
                )
            )
        except IntegrityError:
            raise Conflict(f"indexation {ix.number} of {ix.agreement} was applied by another user") from None

    # -- accessions ------------------------------------------------------------------------------

    def accessions(self, agreement: str | None = None, member: str | None = None) -> list[Accession]:
        m = registry_members
        query = (
            select(accessions, agreements.c.reference, m.c.enterprise_number)
            .join(agreements, agreements.c.id == accessions.c.agreement_id)
            .join(m, m.c.id == accessions.c.member_id)
            .order_by(agreements.c.reference, accessions.c.decided_on, m.c.enterprise_number)
        )
        if agreement is not None:
            query = query.where(agreements.c.reference == agreement)
        if member is not None:
            query = query.where(m.c.enterprise_number == member)
        return [
            Accession(r.reference, r.enterprise_number, r.decided_on, r.decision_reference, r.document_sha256)
            for r in self.c.execute(query)
        ]

    def add_accession(self, accession: Accession) -> None:
        a = accession
        try:
            self.c.execute(
                accessions.insert().values(
                    agreement_id=self._agreement_id(a.agreement),
                    member_id=self._member_id(a.member),
                    decided_on=a.decided_on,
                    decision_reference=a.decision_reference,
                    document_sha256=a.document_sha256,
                    recorded_at=utcnow(),
                )
            )
        except IntegrityError:
            raise Conflict(f"member {a.member} has joined {a.agreement} already") from None

    # -- orders ------------------------------------------------------------------------------------

    def next_number(self, kind: str, year: int) -> int:
        values = {"kind": kind, "year": year, "last_number": 0}
        if self.c.dialect.name == "postgresql":
            self.c.execute(pg_insert(sequences).values(**values).on_conflict_do_nothing())
        else:
            self.c.execute(sqlite_insert(sequences).values(**values).on_conflict_do_nothing())
        row = self.c.execute(
            update(sequences)
            .where(sequences.c.kind == kind, sequences.c.year == year)
            .values(last_number=sequences.c.last_number + 1)
            .returning(sequences.c.last_number)
        ).one()
        return int(row[0])

    def add_order(self, order: Order) -> None:
        o = order
        try:
            order_id = self.c.execute(
                orders.insert().values(
                    number=o.number,
                    member_id=self._member_id(o.member),
                    lot_id=self._lot_id(o.agreement, o.lot),
                    supplier_id=self._supplier_ids()[o.supplier],
                    engagement_id=self._engagement_id(o.engagement) if o.engagement else None,
                    status=o.status.value,
                    channel=o.channel.value,
                    buyer_reference=o.buyer_reference,
                    created_on=o.created_on,
                    approved_on=o.approved_on,
                    placed_on=o.placed_on,
                    delivered_on=o.delivered_on,
                    invoiced_on=o.invoiced_on,
                    cancelled_on=o.cancelled_on,
                    value=o.value,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError:
            raise Conflict(f"order {o.number} exists already") from None
        insert_many(self.c, order_lines, [_line_row(int(order_id), line) for line in o.lines])

    def add_orders(self, many: Sequence[Order]) -> None:
        """Keep many new orders at once (the demo's year of orders)."""
        for o in many:
            self.add_order(o)

    def update_order(self, order: Order) -> None:
        o = order
        order_id = self.c.execute(select(orders.c.id).where(orders.c.number == o.number)).scalar()
        if order_id is None:
            raise NotFound(f"no order {o.number}")
        self.c.execute(
            update(orders)
            .where(orders.c.id == order_id)
            .values(
                status=o.status.value,
                approved_on=o.approved_on,
                placed_on=o.placed_on,
                delivered_on=o.delivered_on,
                invoiced_on=o.invoiced_on,
                cancelled_on=o.cancelled_on,
            )
        )
        for line in o.lines:
            self.c.execute(
                update(order_lines)
                .where(order_lines.c.order_id == order_id, order_lines.c.line == line.line)
                .values(delivered=line.delivered)
            )

    def _orders(self, where: Sequence[Any]) -> list[Order]:
        m, e = registry_members, registry_engagements
        query = (
            select(
                orders,
                m.c.enterprise_number,
                agreements.c.reference,
                lots.c.number.label("lot_number"),
                suppliers.c.code.label("supplier_code"),
                e.c.code.label("engagement_code"),
            )
            .join(m, m.c.id == orders.c.member_id)
            .join(lots, lots.c.id == orders.c.lot_id)
            .join(agreements, agreements.c.id == lots.c.agreement_id)
            .join(suppliers, suppliers.c.id == orders.c.supplier_id)
            .outerjoin(e, e.c.id == orders.c.engagement_id)
            .where(*where)
            .order_by(orders.c.number)
        )
        heads = list(self.c.execute(query))
        if not heads:
            return []
        lines: dict[int, list[OrderLine]] = {int(h.id): [] for h in heads}
        ids = sorted(lines)
        for i in range(0, len(ids), 5000):
            rows = self.c.execute(
                select(order_lines)
                .where(order_lines.c.order_id.in_(ids[i : i + 5000]))
                .order_by(order_lines.c.order_id, order_lines.c.line)
            )
            for r in rows:
                lines[int(r.order_id)].append(
                    OrderLine(
                        int(r.line),
                        int(r.item_id),
                        r.code,
                        r.description,
                        r.unit,
                        r.quantity,
                        r.unit_price,
                        r.amount,
                        r.delivered,
                        int(r.price_id or 0),
                        r.reference_price,
                    )
                )
        return [
            Order(
                h.number,
                h.enterprise_number,
                h.reference,
                int(h.lot_number),
                h.supplier_code,
                OrderStatus(h.status),
                Channel(h.channel),
                h.created_on,
                tuple(lines[int(h.id)]),
                h.engagement_code,
                h.buyer_reference,
                h.approved_on,
                h.placed_on,
                h.delivered_on,
                h.invoiced_on,
                h.cancelled_on,
            )
            for h in heads
        ]

    def order(self, number: str) -> Order | None:
        found = self._orders([orders.c.number == number])
        return found[0] if found else None

    def orders(
        self,
        member: str | None = None,
        agreement: str | None = None,
        status: OrderStatus | None = None,
        engagement: str | None = None,
    ) -> list[Order]:
        where: list[Any] = []
        if member is not None:
            where.append(registry_members.c.enterprise_number == member)
        if agreement is not None:
            where.append(agreements.c.reference == agreement)
        if status is not None:
            where.append(orders.c.status == status.value)
        if engagement is not None:
            where.append(registry_engagements.c.code == engagement)
        return self._orders(where)

    def add_event(self, event: OrderEvent) -> None:
        order_id = self.c.execute(select(orders.c.id).where(orders.c.number == event.order)).scalar_one()
        self.c.execute(
            order_events.insert().values(
                order_id=order_id, status=event.status.value, on_day=event.on, actor=event.actor, note=event.note[:500]
            )
        )

    def events(self, number: str) -> list[OrderEvent]:
        rows = self.c.execute(
            select(order_events)
            .join(orders, orders.c.id == order_events.c.order_id)
            .where(orders.c.number == number)
            .order_by(order_events.c.id)
        )
        return [OrderEvent(number, OrderStatus(r.status), r.on_day, r.actor, r.note) for r in rows]

    def consumption(self, agreement: str | None = None) -> dict[tuple[str, int], Decimal]:
        query = (
            select(agreements.c.reference, lots.c.number, func.sum(order_lines.c.amount).label("amount"))
            .select_from(order_lines)
            .join(orders, orders.c.id == order_lines.c.order_id)
            .join(lots, lots.c.id == orders.c.lot_id)
            .join(agreements, agreements.c.id == lots.c.agreement_id)
            .where(orders.c.status.in_(COMMITTING))
            .group_by(agreements.c.reference, lots.c.number)
        )
        if agreement is not None:
            query = query.where(agreements.c.reference == agreement)
        return {(r.reference, int(r.number)): _cents(r.amount) for r in self.c.execute(query)}

    def engagement_committed(self, engagement: str, year: int, excluding: str = "") -> Decimal:
        e = registry_engagements
        day = case((orders.c.approved_on.is_(None), orders.c.created_on), else_=orders.c.approved_on)
        total = self.c.execute(
            select(func.sum(order_lines.c.amount))
            .select_from(order_lines)
            .join(orders, orders.c.id == order_lines.c.order_id)
            .join(e, e.c.id == orders.c.engagement_id)
            .where(
                e.c.code == engagement,
                orders.c.status.in_(COMMITTING),
                orders.c.number != excluding,
                and_(day >= date(year, 1, 1), day <= date(year, 12, 31)),
            )
        ).scalar()
        return _cents(total)

    def placed_values(self, quarter: Quarter) -> list[PlacedValue]:
        query = (
            select(
                suppliers.c.code,
                agreements.c.reference,
                lots.c.number,
                func.count(func.distinct(orders.c.id)).label("orders"),
                func.sum(order_lines.c.amount).label("amount"),
            )
            .select_from(order_lines)
            .join(orders, orders.c.id == order_lines.c.order_id)
            .join(lots, lots.c.id == orders.c.lot_id)
            .join(agreements, agreements.c.id == lots.c.agreement_id)
            .join(suppliers, suppliers.c.id == orders.c.supplier_id)
            .where(
                orders.c.status.in_(ORDERED),
                orders.c.placed_on >= quarter.first_day,
                orders.c.placed_on <= quarter.last_day,
            )
            .group_by(suppliers.c.code, agreements.c.reference, lots.c.number)
            .order_by(suppliers.c.code, agreements.c.reference, lots.c.number)
        )
        return [
            PlacedValue(r.code, r.reference, int(r.number), int(r.orders), _cents(r.amount))
            for r in self.c.execute(query)
        ]

    # -- commission statements ---------------------------------------------------------------------

    def add_statement(self, statement: CommissionStatement) -> None:
        import json

        s = statement
        try:
            statement_id = self.c.execute(
                statements.insert().values(
                    number=s.number,
                    supplier_id=self._supplier_ids()[s.supplier],
                    year=s.quarter.year,
                    quarter=s.quarter.quarter,
                    issued_on=s.issued_on,
                    vat_rate=s.vat_rate,
                    base=s.base,
                    commission=s.commission,
                    recorded_at=utcnow(),
                    vat_category=s.vat_category,
                    exemption_reason_code=s.exemption_reason_code,
                    exemption_reason=s.exemption_reason,
                    exemption_reasons=json.dumps(dict(s.exemption_reasons)) if s.exemption_reasons else "",
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError:
            raise Conflict(f"the commission statement of {s.supplier} for {s.quarter} exists already") from None
        insert_many(
            self.c,
            statement_lines,
            [
                {
                    "statement_id": statement_id,
                    "lot_id": self._lot_id(line.agreement, line.lot),
                    "orders": line.orders,
                    "base": line.base,
                    "rate": line.rate,
                    "commission": line.commission,
                }
                for line in s.lines
            ],
        )

    def _statements(self, where: Sequence[Any]) -> list[CommissionStatement]:
        import json

        heads = list(
            self.c.execute(
                select(statements, suppliers.c.code)
                .join(suppliers, suppliers.c.id == statements.c.supplier_id)
                .where(*where)
                .order_by(statements.c.number)
            )
        )
        if not heads:
            return []
        lines: dict[int, list[CommissionLine]] = {int(h.id): [] for h in heads}
        rows = self.c.execute(
            select(statement_lines, agreements.c.reference, lots.c.number)
            .join(lots, lots.c.id == statement_lines.c.lot_id)
            .join(agreements, agreements.c.id == lots.c.agreement_id)
            .where(statement_lines.c.statement_id.in_(list(lines)))
            .order_by(agreements.c.reference, lots.c.number)
        )
        for r in rows:
            lines[int(r.statement_id)].append(
                CommissionLine(r.reference, int(r.number), int(r.orders), r.base, r.rate, r.commission)
            )
        return [
            CommissionStatement(
                h.number,
                h.code,
                Quarter(int(h.year), int(h.quarter)),
                tuple(lines[int(h.id)]),
                h.issued_on,
                h.vat_rate,
                h.vat_category,
                h.exemption_reason_code,
                h.exemption_reason,
                tuple(sorted(json.loads(h.exemption_reasons).items())) if h.exemption_reasons else (),
            )
            for h in heads
        ]

    def statements(self, quarter: Quarter | None = None, supplier: str | None = None) -> list[CommissionStatement]:
        where: list[Any] = []
        if quarter is not None:
            where += [statements.c.year == quarter.year, statements.c.quarter == quarter.quarter]
        if supplier is not None:
            where.append(suppliers.c.code == supplier)
        return self._statements(where)

    def statement(self, number: str) -> CommissionStatement | None:
        found = self._statements([statements.c.number == number])
        return found[0] if found else None


def _to_cents(value: Decimal | None) -> int | None:
    """An amount as its column keeps it (integer cents; amounts here are checked to the cent)."""
    if value is None:
        return None
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{value} has more than two decimals")
    return int(cents)


def _cents(value: Any) -> Decimal:
    """A SQL sum of a cents column (its type turns it into EUR; None for no rows)."""
    if value is None:
        return ZERO
    return Decimal(value).quantize(Decimal("0.01"))


def _supplier(r: Any) -> Supplier:
    return Supplier(
        r.code, r.name, r.enterprise_number, r.vat_number, r.country, r.street, r.postcode, r.city, r.email, r.language
    )


def _agreement(r: Any) -> Agreement:
    indexation = None
    if r.index_name is not None:
        indexation = IndexationRule(r.index_name, r.index_base, int(r.index_month))
    return Agreement(
        r.reference,
        r.title_nl,
        r.title_fr,
        Procedure(r.procedure),
        r.award_date,
        r.starts_on,
        r.ends_on,
        r.ceiling,
        _codes(r.cpv),
        PurchasingClause(
            _codes(r.clause_categories),
            tuple(Region(x) for x in _codes(r.clause_regions)),
            _codes(r.clause_bodies),
            r.clause_text_nl,
            r.clause_text_fr,
        ),
        int(r.renewals),
        int(r.renewal_months),
        int(r.renewed),
        r.commission_rate,
        r.reference_markup,
        indexation,
        r.description,
    )


def _lot(r: Any) -> Lot:
    return Lot(
        r.reference,
        int(r.number),
        r.title_nl,
        r.title_fr,
        r.ceiling,
        _codes(r.cpv),
        AwardRule(r.award_rule),
        LotKind(r.kind),
        r.commission_rate,
        r.reference_markup,
    )


def _no_words(*texts: str) -> str:
    return ""


class _AddedItems:
    """New items of one lot and supplier handed to a rows writer (:meth:`SqlPurchasing.adding_items`)."""

    def __init__(
        self,
        write: Callable[[list[tuple[Any, ...]]], None],
        lot_id: int,
        supplier_id: int,
        before: int,
        day: Callable[[date | None], Any],
        words: Callable[..., str],
    ) -> None:
        self.write, self.lot_id, self.supplier_id, self.before = write, lot_id, supplier_id, before
        self.day, self.words = day, words
        self.count = 0

    def add(self, new: Sequence[CatalogueItem]) -> None:
        lot_id, supplier_id, day, words, cents = self.lot_id, self.supplier_id, self.day, self.words, _to_cents
        self.write(
            [
                (
                    lot_id,
                    supplier_id,
                    i.code,
                    i.cpv,
                    i.description_nl,
                    i.description_fr,
                    i.unit,
                    cents(i.price),
                    day(i.valid_from),
                    day(i.price_since),
                    day(i.valid_until),
                    cents(i.reference_price),
                    None,
                    words(i.description_nl, i.code),
                    words(i.description_fr),
                )
                for i in new
            ]
        )
        self.count += len(new)


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
        _until(r.valid_until, r.withdrawn_on),
        r.reference_price,
        int(r.id),
        r.price_from,
    )


def _until(valid_until: date | None, withdrawn_on: date | None) -> date | None:
    """The last day an item may be ordered: its own, or the day before a price list dropped it."""
    if withdrawn_on is None:
        return valid_until
    last = date.fromordinal(withdrawn_on.toordinal() - 1)
    return last if valid_until is None else min(valid_until, last)


def _price(r: Any) -> PricePoint:
    return PricePoint(
        int(r.item_id), r.price, r.valid_from, PriceSource(r.source), r.reference, r.computation, int(r.id)
    )


def _line_row(order_id: int, line: OrderLine) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "line": line.line,
        "item_id": line.item,
        "price_id": line.price_point or None,
        "code": line.code,
        "description": line.description[:500],
        "unit": line.unit,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "amount": line.amount,
        "delivered": line.delivered,
        "reference_price": line.reference_price,
    }
