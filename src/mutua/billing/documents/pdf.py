"""PDF documents (WeasyPrint + Jinja2), in the member's language: the rendering of an invoice or
credit note for members not yet on Peppol, and the member's statement of a period.

The figures come from the issued document (invoice) and from
:func:`mutua.charging.service.reporting.member_statement` (statement); nothing is recomputed here.
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
from mutua.platform.i18n import format_day, format_money, format_number, normalise, translator
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


def _number(value: Decimal | str, lang: str) -> str:
    """All the decimals the value has (tariffs have up to 9), none it lacks."""
    d = Decimal(value).normalize()
    exponent = d.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return format_number(d, lang, places)


def _money(value: Decimal | str, lang: str) -> str:
    return format_money(Decimal(value), lang)


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    result = HTML(string=html).write_pdf()
    assert isinstance(result, bytes)
    return result


def document_title(kind: DocumentKind, lang: str) -> str:
    _ = translator(lang, "billing")
    return _("Invoice") if kind is DocumentKind.INVOICE else _("Credit note")


def invoice_html(document: Document, seller: Association, buyer: Member) -> str:
    lang = normalise(buyer.language.value)
    _ = translator(lang, "billing")
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
            "name": x.name,
            "quantity": _number(x.quantity, lang),
            "unit": x.unit,
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


def invoice_pdf(document: Document, seller: Association, buyer: Member) -> bytes:
    """The PDF rendering of an issued invoice or credit note, in the buyer's language."""
    return _pdf(invoice_html(document, seller, buyer))


def _field(record: Any, name: str) -> Any:
    """A field of the statement, whether a mapping or a read model (the template reads both)."""
    return record[name] if isinstance(record, Mapping) else getattr(record, name)


def statement_html(statement: Any, seller: Association, documents: Sequence[Document]) -> str:
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
        )
    )


def statement_pdf(statement: Any, seller: Association, documents: Sequence[Document]) -> bytes:
    """A member's statement of a period: the period's charges (the invoice's figures) with each
    engagement's budget, spend to date and projection."""
    return _pdf(statement_html(statement, seller, documents))
