"""The issued documents as the portal and the API serve them (:class:`InvoiceDocuments`), over
billing's use cases: lists by member, finds by number, serves the UBL exactly as issued, the PDF
rendering and the member's statement in the buyer's language.

The composition root builds it (:func:`mutua.bootstrap.create_app`) with a unit of work factory
and the charging context's member statement; the web only sees the port.
"""

from __future__ import annotations

from collections.abc import Callable

from mutua.billing import service
from mutua.billing.ports import InvoiceDocument, InvoiceLine, UnitOfWork
from mutua.kernel.periods import Period
from mutua.kernel.problems import NotFound

Statement = Callable[[str, Period], object]  # (member, period) -> the member's statement of the period


def _document(d: service.DocumentSummary, lines: tuple[InvoiceLine, ...] = ()) -> InvoiceDocument:
    return InvoiceDocument(
        number=d.number,
        member=d.member,
        kind=d.kind.value,
        period=str(d.period),
        issued_on=d.issued_on.isoformat(),
        total=d.signed_total,
        due_on=d.due_on.isoformat(),
        payment_reference=d.payment_reference,
        purpose=d.purpose.value,
        lines=lines,
    )


def _lines(detail: service.DocumentDetail) -> tuple[InvoiceLine, ...]:
    return tuple(
        InvoiceLine(
            engagement=x.engagement,
            service=x.service,
            name=x.name,
            quantity=x.quantity,
            unit=x.unit,
            unit_code=x.unit_code,
            unit_price=x.unit_price,
            amount=x.amount,
            period_start=x.period_start.isoformat(),
            period_end=x.period_end.isoformat(),
            buyer_reference=x.buyer_reference,
        )
        for x in detail.lines
    )


class BillingDocuments:
    """:class:`mutua.billing.ports.InvoiceDocuments` over billing's use cases, a transaction each."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork], statement: Statement) -> None:
        self.unit_of_work = unit_of_work
        self.statement = statement

    def for_member(self, member: str) -> list[InvoiceDocument]:
        return [_document(d) for d in service.member_documents(self.unit_of_work(), member)]

    def find(self, number: str) -> InvoiceDocument | None:
        """The document with its lines."""
        try:
            detail = service.show_document(self.unit_of_work(), number)
        except NotFound:
            return None
        return _document(detail.summary, _lines(detail))

    def content(self, number: str, fmt: str) -> bytes | None:
        try:
            if fmt == "ubl":
                return service.document_ubl(self.unit_of_work(), number)
            return service.invoice_pdf(self.unit_of_work(), number)
        except NotFound:
            return None

    def statement_pdf(self, member: str, period: str) -> bytes | None:
        month = Period.parse(period)
        return service.statement_pdf(self.unit_of_work(), member, month, self.statement(member, month))
