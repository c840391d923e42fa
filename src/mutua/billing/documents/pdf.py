"""PDF documents (WeasyPrint + Jinja2), in the member's language: the rendering of an invoice or
credit note for members not yet on Peppol, and the member's statement of a period.

The figures come from the issued document (invoice) and from
:func:`mutua.charging.service.reporting.member_statement` (statement); nothing is recomputed here.
Both are PDF/A-3a with their UBL embedded (:func:`mutua.platform.documents.pdf.render`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from mutua.billing.domain import Document, DocumentKind, Purpose
from mutua.costing.domain.association import Association
from mutua.platform.documents.pdf import Embedded
from mutua.platform.documents.pdf import money as _money
from mutua.platform.documents.pdf import number as _number
from mutua.platform.documents.pdf import render as _pdf
from mutua.platform.i18n import (
    format_day,
    format_percent,
    labeller,
    normalise,
    translator,
)
from mutua.registry.domain import Member, format_enterprise_number

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _css() -> str:
    return (TEMPLATES / "style.css").read_text(encoding="utf-8")


def document_title(kind: DocumentKind, lang: str) -> str:
    _ = translator(lang, "billing")
    return _("Invoice") if kind is DocumentKind.INVOICE else _("Credit note")


def invoice_html(
    document: Document, seller: Association, buyer: Member, glossary: Mapping[str, str] | None = None
) -> str:
    """The invoice's HTML in the buyer's language; ``glossary``: the cost model's names (services,
    units) in that language, the units catalogue for the rest."""
    lang = normalise(buyer.language.value)
    _ = translator(lang, "billing")
    label = labeller(lang, glossary)
    draft = document.draft
    note = draft.note
    if draft.purpose is Purpose.TRUE_UP:
        note = _("Year-end true-up {year}: actual cost share against provisional charges").format(
            year=draft.period_start.year
        )
    lines = [
        {
            "engagement": x.engagement,
            "buyer_reference": x.buyer_reference,
            "name": label(x.name),
            "quantity": _number(x.quantity, lang),
            "unit": label(x.unit),
            "unit_price": _number(x.unit_price, lang),
            "amount": _money(x.amount, lang),
        }
        for x in draft.lines
    ]
    return (
        _env()
        .get_template("invoice.html")
        .render(
            _=_,
            lang=lang,
            css=_css(),
            title=document_title(draft.kind, lang),
            doc=document,
            is_invoice=draft.kind is DocumentKind.INVOICE,
            seller=seller,
            seller_kbo=format_enterprise_number(seller.enterprise_number),
            seller_vat=f"{seller.country or 'BE'}{seller.enterprise_number}",
            buyer=buyer,
            buyer_kbo=format_enterprise_number(buyer.enterprise_number),
            issued_on=format_day(document.issued_on, lang),
            due_on=format_day(document.due_on, lang),
            period_start=format_day(draft.period_start, lang),
            period_end=format_day(draft.period_end, lang),
            buyer_reference=draft.buyer_reference,
            references=", ".join(r.number for r in draft.references),
            lines=lines,
            total=_money(draft.total, lang),
            zero=_money(Decimal("0.00"), lang),
            note=note,
        )
    )


def invoice_pdf(
    document: Document,
    seller: Association,
    buyer: Member,
    glossary: Mapping[str, str] | None = None,
    *,
    ubl: bytes = b"",
) -> bytes:
    """The PDF rendering of an issued invoice or credit note, in the buyer's language: PDF/A-3a
    with ``ubl`` (the document's UBL exactly as issued) embedded as its alternative, as Factur-X
    and ZUGFeRD embed theirs."""
    title = document_title(document.kind, normalise(buyer.language.value))
    embedded = [
        Embedded(f"{document.number}.xml", ubl, f"{title} {document.number} (UBL)", "Alternative", document.issued_on)
    ]
    return _pdf(invoice_html(document, seller, buyer, glossary), embedded if ubl else ())


def _field(record: Any, name: str) -> Any:
    """A field of the statement, whether a mapping or a read model (the template reads both)."""
    return record[name] if isinstance(record, Mapping) else getattr(record, name)


def statement_html(
    statement: Any, seller: Association, documents: Sequence[Document], glossary: Mapping[str, str] | None = None
) -> str:
    member = _field(statement, "member")
    language = _field(member, "language")
    lang = normalise(str(getattr(language, "value", language)))
    _ = translator(lang, "billing")
    return (
        _env()
        .get_template("statement.html")
        .render(
            _=_,
            lang=lang,
            css=_css(),
            s=statement,
            seller=seller,
            seller_kbo=format_enterprise_number(seller.enterprise_number),
            member_kbo=format_enterprise_number(str(_field(member, "enterprise_number"))),
            documents=[
                {
                    "label": document_title(d.kind, lang),
                    "number": d.number,
                    "issued_on": format_day(d.issued_on, lang),
                    "total": _money(d.total, lang),
                }
                for d in documents
            ],
            money=lambda v: _money(v, lang),
            number=lambda v: _number(v, lang),
            percent=lambda v: format_percent(Decimal(v), lang),
            label=labeller(lang, glossary),
        )
    )


def statement_pdf(
    statement: Any,
    seller: Association,
    documents: Sequence[Document],
    glossary: Mapping[str, str] | None = None,
    *,
    ubl: Mapping[str, bytes] | None = None,
) -> bytes:
    """A member's statement of a period: the period's charges (the invoice's figures) with each
    engagement's budget, spend to date and projection; PDF/A-3a with the UBL of the period's
    documents as issued (``ubl``, by number) embedded as supplements."""
    ubl = ubl or {}
    embedded = [
        Embedded(f"{d.number}.xml", ubl[d.number], f"{d.number} (UBL)", "Supplement", d.issued_on)
        for d in documents
        if d.number in ubl
    ]
    return _pdf(statement_html(statement, seller, documents, glossary), embedded)
