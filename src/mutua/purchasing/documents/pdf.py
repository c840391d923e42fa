"""A commission statement as a PDF (WeasyPrint + Jinja2), in the supplier's language (nl, fr, en):
the same figures as its UBL invoice, nothing recomputed; PDF/A-3a (tagged, declared PDF/UA-1) with
that UBL embedded as its alternative, as billing's invoices are (:mod:`mutua.platform.documents.pdf`).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from mutua.costing.domain.association import Association
from mutua.platform.documents import pdf
from mutua.platform.i18n import format_day, normalise, translator
from mutua.purchasing.domain.statements import NOT_SUBJECT, VAT_CATEGORY_STANDARD, StatementDocument
from mutua.registry.domain import format_enterprise_number

TEMPLATES = Path(__file__).parent / "templates"
CATEGORY_LABELS = {
    "S": "standard rate, category S",
    "Z": "zero rated, category Z",
    "E": "exempt, category E",
    "AE": "reverse charge, category AE",
    "K": "intra-community supply, category K",
    "G": "export outside the EU, category G",
    "O": "not subject to VAT, category O",
    "L": "IGIC (Canary Islands), category L",
    "M": "IPSI (Ceuta and Melilla), category M",
}
"""What the PDF says of each VAT category of EN 16931 (the ``purchasing`` catalogue translates it)."""


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def statement_html(document: StatementDocument, seller: Association, language: str | None = None) -> str:
    lang = normalise(language or document.supplier.language)
    _ = translator(lang, "purchasing")
    s = document.statement
    supplier = document.supplier
    return (
        _env()
        .get_template("commission.html")
        .render(
            _=_,
            lang=lang,
            s=s,
            seller=seller,
            seller_kbo=format_enterprise_number(seller.enterprise_number),
            seller_vat=f"{seller.country or 'BE'}{seller.enterprise_number}",
            supplier=supplier,
            supplier_kbo=format_enterprise_number(supplier.enterprise_number) if supplier.enterprise_number else "",
            issued_on=format_day(s.issued_on, lang),
            due_on=format_day(s.issued_on + timedelta(days=seller.payment_days), lang),
            period_start=format_day(s.quarter.first_day, lang),
            period_end=format_day(s.quarter.last_day, lang),
            lines=[
                {
                    "agreement": line.agreement,
                    "title": document.agreement_title(line.agreement, lang),
                    "lot": line.lot,
                    "lot_title": document.lot_title(line.agreement, line.lot, lang),
                    "orders": line.orders,
                    "base": pdf.money(line.base, lang),
                    "rate": pdf.number(line.rate * 100, lang),
                    "commission": pdf.money(line.commission, lang),
                }
                for line in s.lines
            ],
            commission=pdf.money(s.commission, lang),
            base=pdf.money(s.base, lang),
            vat_percent=pdf.number(document.vat_percent, lang) if s.vat_category != NOT_SUBJECT else "",
            vat_label=_(CATEGORY_LABELS.get(s.vat_category, s.vat_category)),
            standard=s.vat_category == VAT_CATEGORY_STANDARD,
            exemption_reason=s.exemption_reason_in(lang),
            vat=pdf.money(document.vat, lang),
            total=pdf.money(document.total, lang),
        )
    )


def render(document: StatementDocument, seller: Association, language: str | None = None, *, ubl: bytes = b"") -> bytes:
    """The statement as a PDF/A-3a in ``language`` (the supplier's by default), with ``ubl`` (its
    Peppol invoice) embedded as its alternative."""
    lang = normalise(language or document.supplier.language)
    s = document.statement
    title = translator(lang, "purchasing")("Commission statement")
    embedded = [pdf.Embedded(f"{s.number}.xml", ubl, f"{title} {s.number} (UBL)", "Alternative", s.issued_on)]
    return pdf.render(statement_html(document, seller, lang), embedded if ubl else ())
