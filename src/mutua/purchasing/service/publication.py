"""What the OCDS publication publishes (``mutua purchasing ocds``): every agreement with its lots,
suppliers and documents, every order placed under them, the ordering members' names and the
association's identity. The mapping to OCDS is :mod:`mutua.purchasing.ocds`."""

from __future__ import annotations

from dataclasses import dataclass

from mutua.costing.domain.association import Association
from mutua.kernel.access import Action, Permission, requires
from mutua.purchasing.domain import Agreement, AgreementDocument, Lot, LotSupplier, Order, Supplier
from mutua.purchasing.ports import StatementDocumentsUnitOfWork


@dataclass(frozen=True, slots=True)
class PublicationRecords:
    """The records the publication maps (see :class:`mutua.purchasing.ocds.Publication`)."""

    association: Association
    agreements: tuple[Agreement, ...]
    lots: tuple[Lot, ...]
    lot_suppliers: tuple[LotSupplier, ...]
    suppliers: tuple[Supplier, ...]
    orders: tuple[Order, ...]
    documents: tuple[AgreementDocument, ...]
    members: dict[str, str]


@requires(Permission(Action.READ_ASSOCIATION))
def publication_records(uow: StatementDocumentsUnitOfWork) -> PublicationRecords:
    """Everything the OCDS publication shows, read in one transaction."""
    with uow:
        p = uow.purchasing
        agreements = tuple(p.agreements())
        documents = tuple(d for a in agreements for d in p.documents(a.reference) if d.member is None)
        orders = tuple(o for o in p.orders() if o.placed_on is not None)
        ordering = {o.member for o in orders}
        members = {m.enterprise_number: m.name for m in uow.registry.members() if m.enterprise_number in ordering}
        _, model = uow.costing.cost_model()
        return PublicationRecords(
            model.association,
            agreements,
            tuple(p.lots()),
            tuple(p.lot_suppliers()),
            tuple(p.suppliers()),
            orders,
            documents,
            members,
        )
