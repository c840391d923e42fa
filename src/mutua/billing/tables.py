"""The billing schema: issued documents, their lines and references, and the yearly number sequence.

Issued documents are never updated: the store has no method that changes one. A document's number
is allocated in the transaction that stores it, from ``billing_sequences`` (one row per year, its
``last_number`` raised by one under a row lock), and ``(year, sequence)`` is unique: numbers are
gapless and never duplicated, even when two closes issue at once.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mutua.platform.db.tables import Base, Cents, Quantity, Rate


class BillingSequenceRow(Base):
    __tablename__ = "billing_sequences"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)


class BillingDocumentRow(Base):
    __tablename__ = "billing_documents"
    __table_args__ = (UniqueConstraint("year", "sequence"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # invoice | credit_note
    purpose: Mapped[str] = mapped_column(String(20))  # period | true_up | correction
    issue_key: Mapped[str] = mapped_column(String(120), unique=True)  # one period/true-up document per member
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    period_key: Mapped[int] = mapped_column(Integer, index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Cents())
    payment_reference: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(String(500), default="")
    ubl: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    issued_by: Mapped[str] = mapped_column(String(100))


class BillingLineRow(Base):
    __tablename__ = "billing_lines"
    __table_args__ = (UniqueConstraint("document_id", "line_no"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("billing_documents.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    engagement: Mapped[str] = mapped_column(String(40))
    service: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(String(400))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit: Mapped[str] = mapped_column(String(40))
    unit_code: Mapped[str] = mapped_column(String(10))
    unit_price: Mapped[Decimal] = mapped_column(Rate())
    amount: Mapped[Decimal] = mapped_column(Cents())
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    buyer_reference: Mapped[str] = mapped_column(String(100))


class BillingReferenceRow(Base):
    __tablename__ = "billing_references"
    __table_args__ = (UniqueConstraint("document_id", "refers_to_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("billing_documents.id"), index=True)
    refers_to_id: Mapped[int] = mapped_column(ForeignKey("billing_documents.id"))


billing_sequences: Table = cast(Table, BillingSequenceRow.__table__)
billing_documents: Table = cast(Table, BillingDocumentRow.__table__)
billing_lines: Table = cast(Table, BillingLineRow.__table__)
billing_references: Table = cast(Table, BillingReferenceRow.__table__)


class BillingChannelRow(Base):
    """How a member receives its documents when not through Peppol (no row: Peppol, the default)."""

    __tablename__ = "billing_channels"
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, autoincrement=False)
    channel: Mapped[str] = mapped_column(String(10))  # peppol | pdf
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    changed_by: Mapped[str] = mapped_column(String(100))


billing_channels: Table = cast(Table, BillingChannelRow.__table__)
