"""What joint purchasing's use cases need: its repository (:class:`Purchasing`), what they read of
the registry (members, engagements) and of the cost model, what they write into the close's ledger
(a consultancy order's supplier invoice), and their unit of work, as Protocols."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date
from decimal import Decimal
from typing import Protocol

from mutua.charging.domain import LedgerLine
from mutua.charging.domain.totals import LedgerTotal
from mutua.costing.domain.association import Association
from mutua.costing.domain.model import CostModel
from mutua.kernel.ports import ImportLog, Transaction
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
    Quarter,
    Region,
    Supplier,
)
from mutua.purchasing.domain.commissions import PlacedValue
from mutua.purchasing.domain.search import CatalogueQuery, CatalogueResult
from mutua.purchasing.domain.statements import StatementDocument
from mutua.registry.domain import Engagement, Member


class AddedItems(Protocol):
    """New items of one lot and supplier, written as they come (see :meth:`Purchasing.adding_items`)."""

    count: int

    def add(self, items: Sequence[CatalogueItem]) -> None: ...


class Purchasing(Protocol):
    """Agreements, lots, suppliers, documents, catalogues with their price history, indexations,
    accessions, orders and commission statements. Every write is audited by the use case."""

    def lock(self, name: str) -> None:
        """Wait until no other transaction holds ``purchasing.<name>``; held until this one ends."""
        ...

    # -- suppliers and agreements --------------------------------------------------------------

    def suppliers(self) -> list[Supplier]:
        """Every supplier, by code."""
        ...

    def add_suppliers(self, suppliers: Sequence[Supplier]) -> None:
        """Keep new suppliers (codes not known yet)."""
        ...

    def agreements(self) -> list[Agreement]:
        """Every agreement, by reference."""
        ...

    def agreement(self, reference: str) -> Agreement | None: ...

    def add_agreement(self, agreement: Agreement, lots: Sequence[Lot], awarded: Sequence[LotSupplier]) -> None:
        """Keep a new agreement (a reference taken already is a Conflict) with its lots and suppliers."""
        ...

    def set_renewed(self, reference: str, renewed: int) -> None: ...

    def lots(self, agreement: str | None = None) -> list[Lot]:
        """The lots (of one agreement), by agreement and number."""
        ...

    def lot_suppliers(self, agreement: str | None = None) -> list[LotSupplier]:
        """The suppliers awarded each lot, by agreement, lot and rank."""
        ...

    # -- documents -----------------------------------------------------------------------------

    def add_document(self, document: AgreementDocument, content: bytes) -> None:
        """Keep a document (the same kind and content for an agreement twice is a Conflict)."""
        ...

    def documents(self, agreement: str, member: str | None = None) -> list[AgreementDocument]:
        """An agreement's documents (``member``: only that member's council decisions besides the
        agreement's own)."""
        ...

    def document_content(self, agreement: str, sha256: str) -> bytes | None: ...

    # -- regions of members --------------------------------------------------------------------

    def member_regions(self) -> dict[str, Region]:
        """Each member's region, where known (enterprise number -> region)."""
        ...

    def set_member_regions(self, regions: Mapping[str, Region]) -> None: ...

    # -- catalogue -----------------------------------------------------------------------------

    def items(
        self,
        agreement: str | None = None,
        lot: int | None = None,
        supplier: str | None = None,
        *,
        withdrawn: bool = False,
        codes: Collection[str] | None = None,
    ) -> list[CatalogueItem]:
        """Catalogue items (of an agreement, lot, supplier; with these ``codes``), by agreement, lot,
        supplier and code; those a later price list dropped only with ``withdrawn``."""
        ...

    def items_by_id(self, ids: Iterable[int]) -> dict[int, CatalogueItem]: ...

    def add_items(self, items: Sequence[CatalogueItem], source: str, reference: str) -> None:
        """Keep new items, each with its first price point (``source``, ``reference``)."""
        ...

    def adding_items(self, agreement: str, lot: int, supplier: str) -> AbstractContextManager[AddedItems]:
        """Write new items of one lot and supplier as the caller finds them, in its transaction (on
        PostgreSQL one COPY that the server reads while the caller goes on checking the next lines);
        all are written when the context is left. Their price points and search cells follow with
        :meth:`record_added`."""
        ...

    def record_added(self, added: AddedItems, source: str, reference: str) -> None:
        """The first price point (``source``, ``reference``) of every item ``added`` wrote, and what
        the search keeps of them."""
        ...

    def reprice(self, changes: Sequence[tuple[CatalogueItem, PricePoint | None]]) -> None:
        """Replace items as they now are (``id`` set), each new price with its point in the history
        (None: the price did not change)."""
        ...

    def withdraw(self, item_ids: Sequence[int], on: date) -> None:
        """Items a price list no longer names: not orderable from ``on``."""
        ...

    def price_history(self, item_id: int) -> list[PricePoint]:
        """Every price the item had, oldest first."""
        ...

    def prices_on(self, item_ids: Iterable[int], day: date) -> dict[int, PricePoint]:
        """Each item's price point in force on ``day`` (the latest that starts on or before it)."""
        ...

    def indexations(self, agreement: str) -> list[Indexation]: ...

    def add_indexation(self, indexation: Indexation) -> None: ...

    # -- accessions ----------------------------------------------------------------------------

    def accessions(self, agreement: str | None = None, member: str | None = None) -> list[Accession]:
        """The accessions (to one agreement, of one member), by agreement and decision date."""
        ...

    def add_accession(self, accession: Accession) -> None:
        """Keep an accession (the same member joining the same agreement again is a Conflict)."""
        ...

    # -- orders --------------------------------------------------------------------------------

    def next_number(self, kind: str, year: int) -> int:
        """The next number of a series (``PO``, ``COM``) in ``year``: gapless, under this
        transaction's lock of the series' row."""
        ...

    def add_order(self, order: Order) -> None: ...

    def update_order(self, order: Order) -> None:
        """Keep an order's new status, dates and delivered quantities."""
        ...

    def order(self, number: str) -> Order | None: ...

    def orders(
        self,
        member: str | None = None,
        agreement: str | None = None,
        status: OrderStatus | None = None,
        engagement: str | None = None,
    ) -> list[Order]:
        """Orders (of a member, an agreement, in a status, on an engagement), by number."""
        ...

    def add_event(self, event: OrderEvent) -> None: ...

    def events(self, number: str) -> list[OrderEvent]:
        """An order's life, oldest first."""
        ...

    def consumption(self, agreement: str | None = None) -> dict[tuple[str, int], Decimal]:
        """The value of the orders that count (approved and after, not cancelled) per (agreement,
        lot), summed by the database."""
        ...

    def engagement_committed(self, engagement: str, year: int, excluding: str = "") -> Decimal:
        """The value of the orders that count charged to ``engagement`` and approved in ``year``
        (drafts by their creation day), except the order ``excluding``."""
        ...

    def placed_values(self, quarter: Quarter) -> list[PlacedValue]:
        """The orders placed in ``quarter`` and not cancelled, summed per supplier, agreement and lot."""
        ...

    # -- commission statements -----------------------------------------------------------------

    def add_statement(self, statement: CommissionStatement) -> None:
        """Keep a numbered statement (a supplier's quarter twice is a Conflict)."""
        ...

    def statements(self, quarter: Quarter | None = None, supplier: str | None = None) -> list[CommissionStatement]: ...

    def statement(self, number: str) -> CommissionStatement | None: ...


class RegistryReader(Protocol):
    """What purchasing reads of the registry."""

    def members(self) -> list[Member]: ...

    def member(self, enterprise_number: str) -> Member | None: ...

    def engagements(self, member: str | None = None, code: str | None = None) -> list[Engagement]: ...


class CostModels(Protocol):
    """The cost model in force (the costing context keeps it)."""

    def cost_model(self, on: date | None = None) -> tuple[int, CostModel]:
        """The model in force on ``on`` (today by default): its id and the model."""
        ...


class Ledger(Protocol):
    """What purchasing writes into the close's inputs: a consultancy order's supplier invoice as a
    ledger line on the engagement it feeds (charged at real cost by the close)."""

    def lock_closing(self) -> None:
        """Wait for a close or true-up under way (an invoice never slips into a month being closed)."""
        ...

    def closed_periods(self) -> set[int]: ...

    def known_entry_ids(self, entry_ids: Sequence[str]) -> set[str]: ...

    def add_ledger_lines(self, batch_id: int, lines: Sequence[LedgerLine]) -> None: ...


class CloseFigures(Protocol):
    """What purchasing reads of the close (the charging context keeps it): the closed months, the
    ledger's totals per account class and centre (the purchasing team's cost), and which entries
    are in the ledger already (a commission statement booked as income)."""

    def closed_periods(self) -> set[int]: ...

    def known_entry_ids(self, entry_ids: Sequence[str]) -> set[str]: ...

    def ledger_totals(self, period_keys: Iterable[int]) -> list[LedgerTotal]: ...


class PurchasingUnitOfWork(Transaction, Protocol):
    """A transaction with joint purchasing's repository and what it reads of the registry."""

    @property
    def purchasing(self) -> Purchasing: ...

    @property
    def registry(self) -> RegistryReader: ...


class CommissionsUnitOfWork(PurchasingUnitOfWork, Protocol):
    """A unit of work that issues commission statements (their VAT is the cost model's
    ``commissions`` rule)."""

    @property
    def costing(self) -> CostModels: ...


class PurchasingImports(PurchasingUnitOfWork, Protocol):
    """A unit of work that imports files (price lists, regions: logged by SHA-256)."""

    batches: ImportLog


class OrderingUnitOfWork(PurchasingImports, Protocol):
    """A unit of work that records orders, and books a consultancy order's invoice into the ledger."""

    @property
    def charging(self) -> Ledger: ...

    @property
    def costing(self) -> CostModels: ...


# -- the edges: search, documents (H11b) ---------------------------------------------------------


class CatalogueSearch(Protocol):
    """The catalogues' full-text search with facets (:mod:`mutua.purchasing.search`: SQLite FTS5,
    PostgreSQL full text)."""

    def search(self, query: CatalogueQuery) -> CatalogueResult: ...


class StatementRenderer(Protocol):
    """A commission statement's documents (:mod:`mutua.purchasing.documents`)."""

    def statement_ubl(self, document: StatementDocument, seller: Association) -> bytes:
        """The Peppol BIS 3 UBL invoice from the association to the supplier."""
        ...

    def statement_pdf(
        self, document: StatementDocument, seller: Association, language: str | None = None, *, ubl: bytes = b""
    ) -> bytes:
        """The PDF/A-3a, in ``language`` (the supplier's by default), with ``ubl`` embedded."""
        ...


class SearchUnitOfWork(PurchasingUnitOfWork, Protocol):
    """A unit of work that searches the catalogues."""

    @property
    def catalogue_search(self) -> CatalogueSearch: ...


class StatementDocumentsUnitOfWork(PurchasingUnitOfWork, Protocol):
    """A unit of work that renders commission statements (the association's identity is the cost
    model's)."""

    @property
    def costing(self) -> CostModels: ...

    @property
    def purchasing_documents(self) -> StatementRenderer: ...


class FundingUnitOfWork(PurchasingUnitOfWork, Protocol):
    """A unit of work that reads the purchasing team's funding: the commission statements, its cost
    centre in the cost model and that centre's cost in the close."""

    @property
    def charging(self) -> CloseFigures: ...

    @property
    def costing(self) -> CostModels: ...
