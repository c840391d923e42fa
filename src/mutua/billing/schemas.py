"""Response shapes of the billing API, for its OpenAPI schema. Amounts are strings (exact decimals)."""

from __future__ import annotations

from pydantic import BaseModel

from mutua.billing.ports import InvoiceDocument

Amount = str


class InvoiceOut(BaseModel):
    number: str
    member: str
    kind: str
    period: str
    issued_on: str
    total: Amount
    formats: list[str]

    @classmethod
    def of(cls, doc: InvoiceDocument) -> InvoiceOut:
        return cls(
            number=doc.number,
            member=doc.member,
            kind=doc.kind,
            period=doc.period,
            issued_on=doc.issued_on,
            total=str(doc.total),
            formats=list(doc.formats),
        )
