"""Peppol BIS Billing 3.0 invoices and credit notes in UBL 2.1 (lxml).

Seller the association, buyer the member, both identified by their Belgian enterprise number
(electronic address scheme 0208, as endpoint and as legal entity); the seller's VAT identifier is
``BE`` + its enterprise number (EN 16931 BR-E-02 needs it for category E). Every line is VAT
category E, 0 %, exemption reason VATEX-EU-132-1F.
"""

from __future__ import annotations

from lxml import etree

from mutua.billing.domain import (
    VAT_CATEGORY,
    VAT_EXEMPTION_REASON,
    VAT_EXEMPTION_REASON_CODE,
    Document,
    DocumentKind,
)
from mutua.costing.domain.association import Association
from mutua.platform.documents.ubl import (
    CAC,
    CBC,
    CREDIT_NOTE_NS,
    CURRENCY,
    CUSTOMIZATION_ID,
    INVOICE_NS,
    PAYMENT_MEANS_SEPA_TRANSFER,
    PROFILE_ID,
    SCHEME_BE_ENTERPRISE,
)
from mutua.platform.documents.ubl import Builder as _Builder
from mutua.platform.documents.ubl import amount as _amount
from mutua.platform.documents.ubl import party as _party
from mutua.platform.documents.ubl import plain as _plain
from mutua.platform.documents.ubl import tax_scheme as _tax_scheme
from mutua.registry.domain import Member

__all__ = ["CAC", "CBC", "CUSTOMIZATION_ID", "PROFILE_ID", "SCHEME_BE_ENTERPRISE", "render", "seller_vat_id"]


def seller_vat_id(association: Association) -> str:
    return f"{association.country or 'BE'}{association.enterprise_number}"


def render(document: Document, seller: Association, buyer: Member) -> bytes:
    """The document as UBL 2.1 XML (UTF-8, with declaration)."""
    draft = document.draft
    is_invoice = draft.kind is DocumentKind.INVOICE
    ns = INVOICE_NS if is_invoice else CREDIT_NOTE_NS
    root_name = "Invoice" if is_invoice else "CreditNote"
    nsmap = {None: ns, "cac": CAC, "cbc": CBC}
    root = etree.Element(f"{{{ns}}}{root_name}", nsmap=nsmap)  # type: ignore[arg-type]
    b = _Builder
    b.cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    b.cbc(root, "ProfileID", PROFILE_ID)
    b.cbc(root, "ID", document.number)
    b.cbc(root, "IssueDate", document.issued_on.isoformat())
    if is_invoice:
        b.cbc(root, "DueDate", document.due_on.isoformat())
        b.cbc(root, "InvoiceTypeCode", draft.kind.type_code)
    else:
        b.cbc(root, "CreditNoteTypeCode", draft.kind.type_code)
    if draft.note:
        b.cbc(root, "Note", draft.note)
    b.cbc(root, "DocumentCurrencyCode", CURRENCY)
    b.cbc(root, "BuyerReference", draft.buyer_reference)
    period = b.cac(root, "InvoicePeriod")
    b.cbc(period, "StartDate", draft.period_start.isoformat())
    b.cbc(period, "EndDate", draft.period_end.isoformat())
    for ref in draft.references:
        billing_ref = b.cac(root, "BillingReference")
        inv_ref = b.cac(billing_ref, "InvoiceDocumentReference")
        b.cbc(inv_ref, "ID", ref.number)
        b.cbc(inv_ref, "IssueDate", ref.issued_on.isoformat())
    supplier = b.cac(root, "AccountingSupplierParty")
    _party(
        b,
        supplier,
        enterprise_number=seller.enterprise_number,
        name=seller.name,
        street=seller.street,
        city=seller.city,
        postal_code=seller.postal_code,
        country=seller.country,
        vat_id=seller_vat_id(seller),
    )
    customer = b.cac(root, "AccountingCustomerParty")
    _party(
        b,
        customer,
        enterprise_number=buyer.enterprise_number,
        name=buyer.name,
        street="",
        city="",
        postal_code="",
        country="BE",
        vat_id=None,
    )
    days = (document.due_on - document.issued_on).days
    if is_invoice:
        # the member pays the association: its account, with the structured communication
        means = b.cac(root, "PaymentMeans")
        b.cbc(means, "PaymentMeansCode", PAYMENT_MEANS_SEPA_TRANSFER, name="SEPA credit transfer")
        b.cbc(means, "PaymentID", document.payment_reference)
        account = b.cac(means, "PayeeFinancialAccount")
        b.cbc(account, "ID", seller.iban.replace(" ", ""))
        b.cbc(account, "Name", seller.name)
        if seller.bic:
            branch = b.cac(account, "FinancialInstitutionBranch")
            b.cbc(branch, "ID", seller.bic)
        terms_note = f"Payment within {days} days, structured communication {document.payment_reference}"
    else:
        # the association refunds the member (its account is not the association's to state)
        terms_note = (
            f"Refunded by the association within {days} days by credit transfer, "
            f"structured communication {document.payment_reference}"
        )
    terms = b.cac(root, "PaymentTerms")
    b.cbc(terms, "Note", terms_note)
    total = draft.total
    tax_total = b.cac(root, "TaxTotal")
    b.cbc(tax_total, "TaxAmount", "0.00", currencyID=CURRENCY)
    subtotal = b.cac(tax_total, "TaxSubtotal")
    b.cbc(subtotal, "TaxableAmount", _amount(total), currencyID=CURRENCY)
    b.cbc(subtotal, "TaxAmount", "0.00", currencyID=CURRENCY)
    category = b.cac(subtotal, "TaxCategory")
    b.cbc(category, "ID", VAT_CATEGORY)
    b.cbc(category, "Percent", "0")
    b.cbc(category, "TaxExemptionReasonCode", VAT_EXEMPTION_REASON_CODE)
    b.cbc(category, "TaxExemptionReason", VAT_EXEMPTION_REASON)
    _tax_scheme(b, category)
    monetary = b.cac(root, "LegalMonetaryTotal")
    for name in ("LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "PayableAmount"):
        b.cbc(monetary, name, _amount(total), currencyID=CURRENCY)
    line_name = "InvoiceLine" if is_invoice else "CreditNoteLine"
    quantity_name = "InvoicedQuantity" if is_invoice else "CreditedQuantity"
    for number, line in enumerate(draft.lines, start=1):
        el = b.cac(root, line_name)
        b.cbc(el, "ID", str(number))
        b.cbc(el, quantity_name, _plain(line.quantity), unitCode=line.unit_code)
        b.cbc(el, "LineExtensionAmount", _amount(line.amount), currencyID=CURRENCY)
        if line.buyer_reference:
            b.cbc(el, "AccountingCost", line.buyer_reference)
        line_period = b.cac(el, "InvoicePeriod")
        b.cbc(line_period, "StartDate", line.period_start.isoformat())
        b.cbc(line_period, "EndDate", line.period_end.isoformat())
        item = b.cac(el, "Item")
        b.cbc(item, "Description", line.description)
        b.cbc(item, "Name", line.name)
        sellers_id = b.cac(item, "SellersItemIdentification")
        b.cbc(sellers_id, "ID", line.service)
        tax_category = b.cac(item, "ClassifiedTaxCategory")
        b.cbc(tax_category, "ID", VAT_CATEGORY)
        b.cbc(tax_category, "Percent", "0")
        _tax_scheme(b, tax_category)
        price = b.cac(el, "Price")
        b.cbc(price, "PriceAmount", _plain(line.unit_price), currencyID=CURRENCY)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
