"""Invoice documents (UBL and PDF) as the portal and the API see them: a small port.

The billing context produces the documents; the web adapter only lists and serves them through
:class:`InvoiceDocuments`. :func:`billing_documents` adapts whatever the billing service offers and
falls back to :class:`NoInvoices` (every list empty, every document "not found") when billing is not
installed or has issued nothing yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from sqlalchemy import Engine

FORMATS = {"ubl": "application/xml", "pdf": "application/pdf"}


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """An issued invoice or credit note.

    Attributes:
        number: the invoice number (unique).
        member: the enterprise number of the member it is addressed to.
        kind: ``invoice`` or ``credit_note``.
        period: the month it charges (YYYY-MM).
        issued_on: the issue date (ISO).
        total: the amount payable (negative for a credit note).
        formats: the downloadable formats (``ubl``, ``pdf``).
    """

    number: str
    member: str
    kind: str
    period: str
    issued_on: str
    total: Decimal
    formats: tuple[str, ...] = ("ubl", "pdf")

    def as_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "member": self.member,
            "kind": self.kind,
            "period": self.period,
            "issued_on": self.issued_on,
            "total": str(self.total),
            "formats": list(self.formats),
        }


class InvoiceDocuments(Protocol):
    def for_member(self, member: str) -> list[InvoiceDocument]: ...

    def find(self, number: str) -> InvoiceDocument | None: ...

    def content(self, number: str, fmt: str) -> bytes | None: ...

    def statement_pdf(self, member: str, period: str) -> bytes | None: ...


class NoInvoices:
    """No billing installed (or nothing issued): every list empty, every document not found."""

    def for_member(self, member: str) -> list[InvoiceDocument]:
        return []

    def find(self, number: str) -> InvoiceDocument | None:
        return None

    def content(self, number: str, fmt: str) -> bytes | None:
        return None

    def statement_pdf(self, member: str, period: str) -> bytes | None:
        return None


def billing_documents(engine: Engine) -> InvoiceDocuments:
    """The billing context's documents if it is installed, else :class:`NoInvoices`."""
    try:
        from mutua.billing import portal_port as billing_port
    except ImportError:  # pragma: no cover - billing not merged yet
        return NoInvoices()
    return billing_port.documents(engine)
