"""Adapts the billing context's issued documents (:mod:`mutua.billing.service`) to
:class:`InvoiceDocuments`: lists by member, finds by number, serves the UBL exactly as issued and
the PDF rendering in the buyer's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from mutua.billing.ports import InvoiceDocument, InvoiceDocuments
from mutua.kernel.problems import NotFound


def _document(h: dict[str, Any]) -> InvoiceDocument:
    return InvoiceDocument(
        number=str(h["number"]),
        member=str(h["member"]),
        kind=str(h["kind"]),
        period=str(h["period"]),
        issued_on=str(h["issued_on"]),
        total=Decimal(h["signed_total"]),
    )


class BillingDocuments:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def for_member(self, member: str) -> list[InvoiceDocument]:
        from mutua.billing.service import list_documents

        return [_document(h) for h in list_documents(self.engine, member=member)]

    def find(self, number: str) -> InvoiceDocument | None:
        from mutua.billing.service import show_document

        try:
            return _document(show_document(self.engine, number))
        except NotFound:
            return None

    def content(self, number: str, fmt: str) -> bytes | None:
        from mutua.billing.service import document_ubl, invoice_pdf

        try:
            return document_ubl(self.engine, number) if fmt == "ubl" else invoice_pdf(self.engine, number)
        except NotFound:
            return None

    def statement_pdf(self, member: str, period: str) -> bytes | None:
        from mutua.billing.service import statement_pdf
        from mutua.kernel.periods import Period

        return statement_pdf(self.engine, member, Period.parse(period))


def documents(engine: Engine) -> InvoiceDocuments:
    return BillingDocuments(engine)
