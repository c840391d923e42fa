"""The documents of billing: UBL (Peppol BIS 3), PDF (WeasyPrint) and FOCUS CSV renderings.

:class:`Renderer` is the adapter of :class:`mutua.billing.ports.DocumentRenderer` that the
composition root attaches to the unit of work; each rendering's module is imported when first used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mutua.billing.domain import Document
from mutua.billing.ports import FocusExport
from mutua.charging.domain import Charge
from mutua.costing.domain.association import Association
from mutua.costing.domain.model import CostModel
from mutua.registry.domain import Engagement, Member


class Renderer:
    """UBL with lxml, PDF with WeasyPrint and Jinja2, FOCUS rows: billing's documents."""

    def ubl(self, document: Document, seller: Association, buyer: Member) -> bytes:
        from mutua.billing.documents import ubl

        return ubl.render(document, seller, buyer)

    def invoice_pdf(
        self,
        document: Document,
        seller: Association,
        buyer: Member,
        glossary: Mapping[str, str] | None = None,
        *,
        ubl: bytes = b"",
    ) -> bytes:
        from mutua.billing.documents import pdf

        return pdf.invoice_pdf(document, seller, buyer, glossary, ubl=ubl)

    def statement_pdf(
        self,
        statement: object,
        seller: Association,
        documents: Sequence[Document],
        glossary: Mapping[str, str] | None = None,
        *,
        ubl: Mapping[str, bytes] | None = None,
    ) -> bytes:
        from mutua.billing.documents import pdf

        return pdf.statement_pdf(statement, seller, documents, glossary, ubl=ubl)

    def focus(
        self,
        model: CostModel,
        charges: Sequence[Charge],
        members: Mapping[str, Member],
        engagements: Mapping[str, Engagement],
        invoice_ids: Mapping[tuple[str, int, bool], str],
    ) -> FocusExport:
        from mutua.billing.documents import focus

        return focus.focus_rows(model, charges, members, engagements, invoice_ids)
