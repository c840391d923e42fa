"""Purchasing's documents: a supplier's quarterly commission statement as a PDF (WeasyPrint, in the
supplier's language) and as a Peppol BIS Billing 3.0 UBL invoice from the association to the
supplier (VAT category S at the statement's rate: a commission is no cost-sharing).

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

    def statement_pdf(self, document: StatementDocument, seller: Association, language: str | None = None) -> bytes:
        from mutua.purchasing.documents import pdf

        return pdf.render(document, seller, language)
