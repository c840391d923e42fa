"""A commission statement's documents: the Peppol BIS 3 UBL invoice from the association to the
supplier and its PDF/A-3a with that UBL embedded (in the supplier's language, or another), rendered
from the kept statement (its figures and the VAT it was issued with)."""

from __future__ import annotations

from mutua.kernel.access import Action, Permission, requires
from mutua.kernel.problems import NotFound, Rejected
from mutua.purchasing.domain.statements import StatementDocument
from mutua.purchasing.ports import StatementDocumentsUnitOfWork


def _document(uow: StatementDocumentsUnitOfWork, number: str) -> StatementDocument:
    found = uow.purchasing.statement(number)
    if found is None:
        raise NotFound(f"no commission statement {number}")
    supplier = next(s for s in uow.purchasing.suppliers() if s.code == found.supplier)
    codes = {line.agreement for line in found.lines}
    lots = {lot.key: lot for lot in uow.purchasing.lots() if lot.agreement in codes}
    titles = {a.reference: (a.title_nl, a.title_fr) for a in uow.purchasing.agreements() if a.reference in codes}
    return StatementDocument(found, supplier, lots, titles)


@requires(Permission(Action.READ_ASSOCIATION))
def statement_ubl(uow: StatementDocumentsUnitOfWork, number: str) -> bytes:
    """The statement as a Peppol BIS 3 UBL invoice (at the statement's VAT category and rate)."""
    with uow:
        document = _document(uow, number)
        _, model = uow.costing.cost_model()
        return uow.purchasing_documents.statement_ubl(document, model.association)


@requires(Permission(Action.READ_ASSOCIATION))
def statement_pdf(uow: StatementDocumentsUnitOfWork, number: str, language: str | None = None) -> bytes:
    """The statement as a PDF/A-3a, in ``language`` (the supplier's by default), with its UBL invoice
    embedded (none for a supplier the UBL cannot address: the PDF alone is what it gets)."""
    with uow:
        document = _document(uow, number)
        _, model = uow.costing.cost_model()
        try:
            ubl = uow.purchasing_documents.statement_ubl(document, model.association)
        except Rejected:
            ubl = b""
        return uow.purchasing_documents.statement_pdf(document, model.association, language, ubl=ubl)
