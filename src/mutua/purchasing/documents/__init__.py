"""Purchasing's documents: a supplier's quarterly commission statement as a PDF (WeasyPrint, in the
supplier's language) and as a Peppol BIS Billing 3.0 UBL invoice from the association to the
supplier (at the VAT the statement was issued with: category S at 21 % unless the cost model's
``commissions`` rule says otherwise; a commission is no cost-sharing); the PDF is PDF/A-3a with the
UBL embedded.

:class:`Renderer` is the adapter of :class:`mutua.purchasing.ports.StatementRenderer` that the
composition root attaches to the unit of work (``uow.purchasing_documents``); the shared UBL and PDF
pieces are :mod:`mutua.platform.documents`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mutua.costing.domain.association import Association
    from mutua.purchasing.domain.statements import StatementDocument


class Renderer:
    """Commission statements as UBL (lxml) and PDF (WeasyPrint + Jinja2)."""

    def statement_ubl(self, document: StatementDocument, seller: Association) -> bytes:
        from mutua.purchasing.documents import ubl

        return ubl.render(document, seller)

    def statement_pdf(
        self, document: StatementDocument, seller: Association, language: str | None = None, *, ubl: bytes = b""
    ) -> bytes:
        from mutua.purchasing.documents import pdf

        return pdf.render(document, seller, language, ubl=ubl)
