"""The billing schema: issued documents, their lines and references, and the yearly number sequence.

Issued documents are never updated: the store has no method that changes one. A document's number
is allocated in the transaction that stores it, from ``billing_sequences`` (one row per year, its
``last_number`` raised by one under a row lock), and ``(year, sequence)`` is unique: numbers are
gapless and never duplicated, even when two closes issue at once.

There is deliberately no repository method that updates or deletes a document: issued documents are
final.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from mutua.billing.domain import Document, DocumentHeader, DocumentKind, DocumentLine, DocumentRef, Draft, Purpose
from mutua.kernel.problems import Conflict
from mutua.platform.db import schema
from mutua.platform.db.audit import AuditTrail, insert_many, utcnow
from mutua.platform.db.schema import Cents, Quantity, Rate, metadata
from mutua.registry import db as registry_db
from mutua.registry.db import SqlRegistry

billing_sequences = Table(
    "billing_sequences",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last_number", Integer, nullable=False),
)


billing_documents = Table(
    "billing_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(20), unique=True, nullable=False),
    Column("year", Integer, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("kind", String(20), nullable=False),  # invoice | credit_note
    Column("purpose", String(20), nullable=False),  # period | true_up | correction
    Column("issue_key", String(120), unique=True, nullable=False),  # one period/true-up document per member
    Column("member_id", ForeignKey("members.id"), index=True, nullable=False),
    Column("period_key", Integer, index=True, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total", Cents(), nullable=False),
    Column("payment_reference", String(30), nullable=False),
    Column("note", String(500), default="", nullable=False),
    Column("ubl", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("issued_at", DateTime, nullable=False),
    Column("issued_by", String(100), nullable=False),
    UniqueConstraint("year", "sequence"),
)


billing_lines = Table(
    "billing_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("billing_documents.id"), index=True, nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("engagement", String(40), nullable=False),
    Column("service", String(40), nullable=False),
    Column("detail", String(60), nullable=False),
    Column("name", String(300), nullable=False),
    Column("description", String(400), nullable=False),
    Column("quantity", Quantity(), nullable=False),
    Column("unit", String(40), nullable=False),
    Column("unit_code", String(10), nullable=False),
    Column("unit_price", Rate(), nullable=False),
    Column("amount", Cents(), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("buyer_reference", String(100), nullable=False),
    UniqueConstraint("document_id", "line_no"),
)


billing_references = Table(
    "billing_references",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("billing_documents.id"), index=True, nullable=False),
    Column("refers_to_id", ForeignKey("billing_documents.id"), nullable=False),
    UniqueConstraint("document_id", "refers_to_id"),
)


# How a member receives its documents when not through Peppol (no row: Peppol, the default).
billing_channels = Table(
    "billing_channels",
    metadata,
    Column("member_id", ForeignKey("members.id"), primary_key=True, autoincrement=False),
    Column("channel", String(10), nullable=False),  # peppol | pdf
    Column("changed_at", DateTime, nullable=False),
    Column("changed_by", String(100), nullable=False),
)


class SqlBilling:
    """Billing documents in the unit of work's transaction. Every write is audited."""

    def __init__(self, connection: Connection, audit: AuditTrail, registry: SqlRegistry) -> None:
        self.c = connection
        self.audit = audit
        self.registry = registry

    # -- numbering --------------------------------------------------------------------------

    def allocate(self, year: int, count: int = 1) -> int:
        """Allocate ``count`` consecutive numbers of ``year`` in this transaction and return the
        first. The year's sequence row is updated under a row lock (PostgreSQL; SQLite serialises
        writers) and rolled back with the transaction, so no gap or duplicate is ever left."""
        if count < 1:
            raise ValueError("allocate at least one number")
        values = {"year": year, "last_number": 0}
        if self.c.dialect.name == "postgresql":
            self.c.execute(pg_insert(billing_sequences).values(**values).on_conflict_do_nothing())
        else:
            self.c.execute(sqlite_insert(billing_sequences).values(**values).on_conflict_do_nothing())
        seq = billing_sequences
        row = self.c.execute(
            update(seq)
            .where(seq.c.year == year)
            .values(last_number=seq.c.last_number + count)
            .returning(seq.c.last_number)
        ).one()
        return int(row[0]) - count + 1

    def last_issue_date(self, year: int) -> date | None:
        d = billing_documents
        value = self.c.execute(select(func.max(d.c.issued_on)).where(d.c.year == year)).scalar()
        return value if isinstance(value, date) else None

    # -- writes -----------------------------------------------------------------------------

    def add_many(self, items: Sequence[tuple[Document, str, bytes]]) -> None:
        """Store issued documents: (document, issue key, its UBL) each. The unique issue key refuses
        a second period or true-up document for the same member, also when another transaction
        stores it at the same time."""
        if not items:
            return
        try:
            self._add_many(items)
        except IntegrityError as exc:  # another run issued the same documents at the same time
            raise Conflict(f"a document for {items[0][1]} was issued by another run at the same time") from exc

    def _add_many(self, items: Sequence[tuple[Document, str, bytes]]) -> None:
        d = billing_documents
        keys = [key for _, key, _ in items]
        taken = self.c.execute(select(d.c.issue_key).where(d.c.issue_key.in_(keys))).scalars().first()
        if taken is not None:
            raise Conflict(f"a document was already issued for {taken}")
        member_ids = self.registry.member_ids()
        now = utcnow()
        insert_many(
            self.c,
            d,
            [
                {
                    "number": doc.number,
                    "year": doc.year,
                    "sequence": doc.sequence,
                    "kind": doc.draft.kind.value,
                    "purpose": doc.draft.purpose.value,
                    "issue_key": key,
                    "member_id": member_id,
                    "period_key": doc.draft.period_key,
                    "period_start": doc.draft.period_start,
                    "period_end": doc.draft.period_end,
                    "issued_on": doc.issued_on,
                    "due_on": doc.due_on,
                    "currency": "EUR",
                    "total": doc.draft.total,
                    "payment_reference": doc.payment_reference,
                    "note": doc.draft.note[:500],
                    "ubl": xml.decode("utf-8"),
                    "sha256": hashlib.sha256(xml).hexdigest(),
                    "issued_at": now,
                    "issued_by": self.audit.actor,
                }
                for doc, key, xml in items
                for member_id in (member_ids[doc.draft.member],)
            ],
        )
        ids = self.ids_of([doc.number for doc, _, _ in items])
        insert_many(
            self.c,
            billing_lines,
            [
                {
                    "document_id": ids[doc.number],
                    "line_no": i,
                    "engagement": x.engagement,
                    "service": x.service,
                    "detail": x.detail,
                    "name": x.name[:300],
                    "description": x.description[:400],
                    "quantity": x.quantity,
                    "unit": x.unit,
                    "unit_code": x.unit_code,
                    "unit_price": x.unit_price,
                    "amount": x.amount,
                    "period_start": x.period_start,
                    "period_end": x.period_end,
                    "buyer_reference": x.buyer_reference,
                }
                for doc, _, _ in items
                for i, x in enumerate(doc.draft.lines, start=1)
            ],
        )
        referred = self.ids_of({r.number for doc, _, _ in items for r in doc.draft.references})
        insert_many(
            self.c,
            billing_references,
            [
                {"document_id": ids[doc.number], "refers_to_id": referred[r.number]}
                for doc, _, _ in items
                for r in doc.draft.references
            ],
        )
        insert_many(
            self.c,
            schema.audit_log,
            [
                {
                    "at": now,
                    "actor": self.audit.actor,
                    "action": "issue",
                    "entity": doc.draft.kind.value,
                    "entity_key": doc.number,
                    "detail": json.dumps(
                        {
                            "member": doc.draft.member,
                            "purpose": doc.draft.purpose.value,
                            "period": doc.draft.period_key,
                            "total": str(doc.draft.total),
                            "lines": len(doc.draft.lines),
                            "refers_to": [r.number for r in doc.draft.references],
                            "sha256": hashlib.sha256(xml).hexdigest(),
                        },
                        sort_keys=True,
                    ),
                }
                for doc, _, xml in items
            ],
        )

    def set_channel(self, member: str, channel: str) -> None:
        """Record how a member receives its documents (``peppol`` or ``pdf``); audited."""
        member_id = self.registry.member_ids()[member]
        ch = billing_channels
        self.c.execute(delete(ch).where(ch.c.member_id == member_id))
        if channel != "peppol":
            self.c.execute(
                insert(ch).values(
                    member_id=member_id, channel=channel, changed_at=utcnow(), changed_by=self.audit.actor
                )
            )
        self.audit.record("set_channel", "member", member, channel=channel)

    def pdf_members(self) -> set[str]:
        """Members not (yet) on Peppol: they receive the PDF rendering of their documents."""
        ch, m = billing_channels, registry_db.members
        q = select(m.c.enterprise_number).join(ch, ch.c.member_id == m.c.id).where(ch.c.channel == "pdf")
        return {str(r[0]) for r in self.c.execute(q)}

    # -- reads ------------------------------------------------------------------------------

    def ids_of(self, numbers: Iterable[str]) -> dict[str, int]:
        d = billing_documents
        wanted = list(numbers)
        found: dict[str, int] = {}
        for i in range(0, len(wanted), 5000):
            rows = self.c.execute(select(d.c.number, d.c.id).where(d.c.number.in_(wanted[i : i + 5000])))
            found.update({r.number: int(r.id) for r in rows})
        missing = [n for n in wanted if n not in found]
        if missing:
            raise Conflict(f"unknown document(s): {', '.join(missing)}")
        return found

    def issued_keys(self, prefix: str) -> set[str]:
        d = billing_documents
        return {str(r[0]) for r in self.c.execute(select(d.c.issue_key).where(d.c.issue_key.like(prefix + "%")))}

    def headers(
        self,
        *,
        period_keys: Sequence[int] | None = None,
        year: int | None = None,
        member: str | None = None,
        numbers: Sequence[str] | None = None,
    ) -> list[DocumentHeader]:
        """The headers of the documents of some periods, a year, a member or some numbers, in
        number order."""
        d, m = billing_documents, registry_db.members
        q = (
            select(
                d.c.number,
                d.c.year,
                d.c.sequence,
                d.c.kind,
                d.c.purpose,
                d.c.period_key,
                d.c.period_start,
                d.c.period_end,
                d.c.issued_on,
                d.c.due_on,
                d.c.total,
                d.c.payment_reference,
                d.c.note,
                d.c.sha256,
                m.c.enterprise_number,
                m.c.name,
                m.c.language,
            )
            .join(m, m.c.id == d.c.member_id)
            .order_by(d.c.year, d.c.sequence)
        )
        if period_keys is not None:
            q = q.where(d.c.period_key.in_(list(period_keys)))
        if year is not None:
            q = q.where(d.c.period_key.between(year * 100 + 1, year * 100 + 12))
        if member is not None:
            q = q.where(m.c.enterprise_number == member)
        if numbers is not None:
            q = q.where(d.c.number.in_(list(numbers)))
        return [
            DocumentHeader(
                r.number,
                r.year,
                r.sequence,
                DocumentKind(r.kind),
                Purpose(r.purpose),
                r.period_key,
                r.period_start,
                r.period_end,
                r.issued_on,
                r.due_on,
                r.total,
                r.payment_reference,
                r.note,
                r.sha256,
                r.enterprise_number,
                r.name,
                r.language,
            )
            for r in self.c.execute(q)
        ]

    def ubl(self, number: str) -> str | None:
        d = billing_documents
        return self.c.execute(select(d.c.ubl).where(d.c.number == number)).scalar()

    def documents(self, headers: Sequence[DocumentHeader]) -> list[Document]:
        """Rebuild the issued documents (lines and references) of some headers, in their order."""
        by_number = self.ids_of(h.number for h in headers)
        ids = list(by_number.values())
        lines: dict[int, list[DocumentLine]] = {i: [] for i in ids}
        refs: dict[int, list[DocumentRef]] = {i: [] for i in ids}
        ln, r, d = billing_lines, billing_references, billing_documents
        for chunk in range(0, len(ids), 5000):
            part = ids[chunk : chunk + 5000]
            for row in self.c.execute(
                select(ln).where(ln.c.document_id.in_(part)).order_by(ln.c.document_id, ln.c.line_no)
            ):
                lines[row.document_id].append(
                    DocumentLine(
                        row.engagement,
                        row.service,
                        row.detail,
                        row.name,
                        row.description,
                        row.quantity,
                        row.unit,
                        row.unit_code,
                        row.unit_price,
                        row.amount,
                        row.period_start,
                        row.period_end,
                        row.buyer_reference,
                    )
                )
            q = (
                select(r.c.document_id, d.c.number, d.c.issued_on)
                .join(d, d.c.id == r.c.refers_to_id)
                .where(r.c.document_id.in_(part))
                .order_by(r.c.id)
            )
            for row in self.c.execute(q):
                refs[row.document_id].append(DocumentRef(row.number, row.issued_on))
        result = []
        for h in headers:
            key = by_number[h.number]
            draft = Draft(
                h.kind,
                h.purpose,
                h.member,
                h.period_start,
                h.period_end,
                h.period_key,
                tuple(lines[key]),
                tuple(refs[key]),
                h.note,
            )
            result.append(Document(draft, h.number, h.year, h.sequence, h.issued_on, h.due_on, h.payment_reference))
        return result
