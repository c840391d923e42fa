"""What the billing use cases need, as Protocols (no framework), and what billing gives the web.

- :class:`UnitOfWork`: one transaction with the billing repository, the charging, registry and
  costing data it reads, and the :class:`DocumentRenderer` (UBL, PDF, FOCUS: adapters in
  :mod:`mutua.billing.documents`, attached by the composition root; a fake in the unit tests).
- :class:`InvoiceDocuments`: the issued documents as the portal and the API list and serve them
  (the composition root gives the routes :class:`mutua.billing.portal_port.BillingDocuments`; the
  portal's tests give a fake).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from mutua.billing.domain import Document, DocumentHeader
from mutua.charging.domain import Charge, TrueUpRun
from mutua.costing.domain.association import Association
from mutua.costing.domain.model import CostModel
from mutua.kernel.ports import Transaction
from mutua.platform.files.csv_out import csv_text
from mutua.registry.domain import Engagement, Member

FORMATS = {"ubl": "application/xml", "pdf": "application/pdf"}


# -- repositories -----------------------------------------------------------------------------


class BillingRepository(Protocol):
    """Issued documents, their numbering and the members' channels. Documents are never updated."""

    def allocate(self, year: int, count: int = 1) -> int:
        """Allocate ``count`` consecutive numbers of ``year`` under a lock; returns the first."""
        ...

    def last_issue_date(self, year: int) -> date | None: ...

    def add_many(self, items: Sequence[tuple[Document, str, bytes]]) -> None:
        """Store issued documents: (document, issue key, its UBL) each; a taken issue key (or a
        document stored concurrently) is a :class:`~mutua.kernel.problems.Conflict`."""
        ...

    def issued_keys(self, prefix: str) -> set[str]: ...

    def headers(
        self,
        *,
        period_keys: Sequence[int] | None = None,
        year: int | None = None,
        member: str | None = None,
        numbers: Sequence[str] | None = None,
    ) -> list[DocumentHeader]: ...

    def documents(self, headers: Sequence[DocumentHeader]) -> list[Document]:
        """The issued documents (lines and references) of some headers, in their order."""
        ...

    def ubl(self, number: str) -> str | None: ...

    def set_channel(self, member: str, channel: str) -> None: ...

    def pdf_members(self) -> set[str]: ...


class ChargingData(Protocol):
    """What billing reads of the charging context: closed periods, charges, the true-up run."""

    def closed_periods(self) -> set[int]: ...

    def closed_models(self, period_keys: Iterable[int]) -> dict[int, int]:
        """Of these months, the closed ones -> the version of the cost model their close used."""
        ...

    def charges(
        self, period_keys: Iterable[int], member: str | None = None, kind: str | None = None
    ) -> list[Charge]: ...

    def true_up_run(self, year: int) -> TrueUpRun | None: ...


class RegistryData(Protocol):
    def members(self) -> list[Member]: ...

    def member(self, enterprise_number: str) -> Member | None: ...

    def engagements(self, member: str | None = None, code: str | None = None) -> list[Engagement]: ...


class CostingData(Protocol):
    def cost_model(self) -> tuple[int, CostModel]: ...

    def cost_model_version(self, model_id: int) -> CostModel: ...


# -- the renderer -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FocusExport:
    """FOCUS 1.2 CostAndUsage rows: each a CSV row by column name (the format's strings).

    Attributes:
        columns: the CSV header, in order.
        rows: one per member, engagement, service (and grade) and month.
    """

    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    numeric: tuple[str, ...] = ()

    @property
    def billed_total(self) -> Decimal:
        return sum((Decimal(r["BilledCost"]) for r in self.rows), Decimal("0.00"))

    def to_csv(self) -> str:
        """The CSV text; text cells a spreadsheet would run as a formula are neutralised, the
        ``numeric`` columns (costs, quantities, the unit price) are kept as numbers."""
        return csv_text(
            self.columns,
            ([r.get(c, "") for c in self.columns] for r in self.rows),
            numeric=self.numeric,
            lineterminator="\n",
        )


class DocumentRenderer(Protocol):
    """Renders billing's documents: the UBL that is issued and stored, PDF renderings, FOCUS rows."""

    def ubl(self, document: Document, seller: Association, buyer: Member) -> bytes: ...

    def invoice_pdf(
        self,
        document: Document,
        seller: Association,
        buyer: Member,
        glossary: Mapping[str, str] | None = None,
        *,
        ubl: bytes = b"",
    ) -> bytes:
        """The PDF of a document in the buyer's language; ``glossary``: the cost model's names
        (services, units) in that language (:meth:`CostModel.glossary`); ``ubl``: the document's
        UBL as issued, embedded in the PDF (PDF/A-3 associated file)."""
        ...

    def statement_pdf(
        self,
        statement: object,
        seller: Association,
        documents: Sequence[Document],
        glossary: Mapping[str, str] | None = None,
        *,
        ubl: Mapping[str, bytes] | None = None,
    ) -> bytes:
        """A member's statement of a period (the charging context's, as given) with the period's
        documents (their UBL as issued, by number, embedded)."""
        ...

    def focus(
        self,
        model: CostModel,
        charges: Sequence[Charge],
        members: Mapping[str, Member],
        engagements: Mapping[str, Engagement],
        invoice_ids: Mapping[tuple[str, int, bool], str],
    ) -> FocusExport: ...


# -- the unit of work -------------------------------------------------------------------------


class UnitOfWork(Transaction, Protocol):
    """What billing's use cases ask of a unit of work."""

    @property
    def billing(self) -> BillingRepository: ...

    @property
    def charging(self) -> ChargingData: ...

    @property
    def registry(self) -> RegistryData: ...

    @property
    def costing(self) -> CostingData: ...

    @property
    def renderer(self) -> DocumentRenderer: ...


# -- what the web serves ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """A line of an issued document: an engagement's service (and grade) over a period."""

    engagement: str
    service: str
    name: str
    quantity: Decimal
    unit: str
    unit_code: str
    unit_price: Decimal
    amount: Decimal
    period_start: str
    period_end: str
    buyer_reference: str


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
        due_on: the due date (ISO).
        payment_reference: the Belgian structured communication (OGM/VCS) to pay or be refunded with.
        purpose: ``period`` (a month's charges), ``true_up`` or ``correction``.
        lines: its lines (when one document is asked for; a list leaves them out).
    """

    number: str
    member: str
    kind: str
    period: str
    issued_on: str
    total: Decimal
    formats: tuple[str, ...] = ("ubl", "pdf")
    due_on: str = ""
    payment_reference: str = ""
    purpose: str = ""
    lines: tuple[InvoiceLine, ...] = ()


class InvoiceDocuments(Protocol):
    def for_member(self, member: str) -> list[InvoiceDocument]: ...

    def find(self, number: str) -> InvoiceDocument | None: ...

    def content(self, number: str, fmt: str) -> bytes | None: ...

    def statement_pdf(self, member: str, period: str) -> bytes | None: ...
