"""Response shapes of the billing API, for its OpenAPI schema. Amounts are strings (exact decimals)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from mutua.billing.ports import InvoiceDocument, InvoiceLine
from mutua.platform.web.paging import Page

Amount = str


class InvoiceOut(BaseModel):
    """An issued invoice or credit note."""

    number: str
    member: str
    kind: str = Field(description="`invoice` or `credit_note`.")
    purpose: str = Field(description="`period` (a closed month's charges), `true_up` or `correction`.")
    period: str = Field(description="The month it belongs to (YYYY-MM; December for the year's true-up).")
    issued_on: str
    due_on: str
    payment_reference: str = Field(description="The structured communication (OGM/VCS), e.g. +++025/0000/00186+++.")
    total: Amount = Field(description="What the member owes by it: negative for a credit note.")
    formats: list[str]

    @classmethod
    def of(cls, doc: InvoiceDocument) -> InvoiceOut:
        return cls(
            number=doc.number,
            member=doc.member,
            kind=doc.kind,
            purpose=doc.purpose,
            period=doc.period,
            issued_on=doc.issued_on,
            due_on=doc.due_on,
            payment_reference=doc.payment_reference,
            total=str(doc.total),
            formats=list(doc.formats),
        )


class InvoiceLineOut(BaseModel):
    """A line: an engagement's service (and grade), in the document's sense (credited on a credit note)."""

    engagement: str
    service: str
    name: str
    quantity: str
    unit: str
    unit_code: str = Field(description="UN/ECE recommendation 20.")
    unit_price: Amount
    amount: Amount
    period_start: str
    period_end: str
    buyer_reference: str = Field(description="The member's order reference of the engagement.")

    @classmethod
    def of(cls, x: InvoiceLine) -> InvoiceLineOut:
        return cls(
            engagement=x.engagement,
            service=x.service,
            name=x.name,
            quantity=str(x.quantity),
            unit=x.unit,
            unit_code=x.unit_code,
            unit_price=str(x.unit_price),
            amount=str(x.amount),
            period_start=x.period_start,
            period_end=x.period_end,
            buyer_reference=x.buyer_reference,
        )


class InvoiceDetailOut(InvoiceOut):
    """An issued invoice or credit note with its lines."""

    lines: list[InvoiceLineOut]

    @classmethod
    def of(cls, doc: InvoiceDocument) -> InvoiceDetailOut:
        return cls(**InvoiceOut.of(doc).model_dump(), lines=[InvoiceLineOut.of(x) for x in doc.lines])


class InvoicePage(Page[InvoiceOut]):
    """A page of invoices and credit notes, in number order."""
