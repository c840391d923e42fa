"""A commission statement as a Peppol BIS Billing 3.0 invoice (UBL 2.1): the association (seller,
its VAT identifier ``BE`` + enterprise number) invoices the supplier (buyer) the commission on the
value of the orders placed with it in the quarter, one line per agreement and lot, at the VAT the
statement was issued with: category S at its rate (21 %) unless the cost model's ``commissions`` rule
said otherwise (an exempt category with its exemption reason code and text; ``O``, not subject to
VAT, without any VAT identifier nor rate; ``K``, intra-community supply, with the supplier's country
as where it is delivered).

The supplier is identified by its enterprise number (scheme 0208), or, for a supplier from abroad,
by its VAT number under its country's VAT scheme of the Peppol electronic address list.
"""

from __future__ import annotations

from datetime import timedelta

from lxml import etree

from mutua.costing.domain.association import Association
from mutua.kernel.problems import Problem, Rejected
from mutua.platform.documents.ubl import CAC as CAC
from mutua.platform.documents.ubl import (
    CBC,
    CURRENCY,
    CUSTOMIZATION_ID,
    INVOICE_NS,
    PAYMENT_MEANS_SEPA_TRANSFER,
    PROFILE_ID,
    SCHEME_BE_ENTERPRISE,
    Builder,
    amount,
    party,
    plain,
    tax_scheme,
    to_bytes,
)
from mutua.purchasing.domain.statements import NOT_SUBJECT, StatementDocument

INVOICE_TYPE = "380"  # commercial invoice
VAT_SCHEMES = {"BE": "9925", "NL": "9944", "FR": "9957", "DE": "9930", "LU": "9938"}
"""Peppol electronic address schemes of the VAT numbers of neighbouring countries (eas.xml)."""
__all__ = ["CAC", "CBC", "render"]


def _buyer_id(document: StatementDocument) -> tuple[str, str]:
    supplier = document.supplier
    if supplier.enterprise_number:
        return supplier.enterprise_number, SCHEME_BE_ENTERPRISE
    scheme = VAT_SCHEMES.get(supplier.country)
    if supplier.vat_number and scheme:
        return supplier.vat_number, scheme
    message = (
        f"supplier {supplier.code} has neither a Belgian enterprise number nor a VAT number of a "
        "country with a Peppol VAT scheme: its commission invoice cannot be addressed"
    )
    raise Rejected([Problem("suppliers", None, "enterprise_number", message)], "supplier")


def _check_vat_numbers(document: StatementDocument) -> None:
    """An intra-community supply names the supplier's VAT number (EN 16931 BR-IC-02)."""
    statement, supplier = document.statement, document.supplier
    if statement.vat_category == "K" and not supplier.vat_number:
        message = (
            f"supplier {supplier.code} has no VAT number: statement {statement.number} is an "
            "intra-community supply (category K), whose invoice names it"
        )
        raise Rejected([Problem("suppliers", None, "vat_number", message)], "supplier")


def _tax_category(b: type[Builder], parent: etree._Element, tag: str, document: StatementDocument) -> None:
    """``TaxCategory`` (``tag``) of the statement's VAT: its category, its rate (none when not subject
    to VAT, BR-O-05), and on the VAT breakdown its exemption reason (BR-E-10 ...)."""
    statement = document.statement
    category = b.cac(parent, tag)
    b.cbc(category, "ID", statement.vat_category)
    if statement.vat_category != NOT_SUBJECT:
        b.cbc(category, "Percent", plain(document.vat_percent))
    if tag == "TaxCategory" and statement.exemption_reason_code:
        b.cbc(category, "TaxExemptionReasonCode", statement.exemption_reason_code)
    if tag == "TaxCategory" and statement.exemption_reason:
        b.cbc(category, "TaxExemptionReason", statement.exemption_reason)
    tax_scheme(b, category)


def render(document: StatementDocument, seller: Association) -> bytes:
    """The statement as UBL 2.1 XML (UTF-8, with declaration)."""
    statement = document.statement
    supplier = document.supplier
    identifier, scheme = _buyer_id(document)
    _check_vat_numbers(document)
    subject = statement.vat_category != NOT_SUBJECT  # not subject to VAT: no VAT identifier (BR-O-02, -04)
    root = etree.Element(f"{{{INVOICE_NS}}}Invoice", nsmap={None: INVOICE_NS, "cac": CAC, "cbc": CBC})  # type: ignore[dict-item]
    b = Builder
    b.cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    b.cbc(root, "ProfileID", PROFILE_ID)
    b.cbc(root, "ID", statement.number)
    b.cbc(root, "IssueDate", statement.issued_on.isoformat())
    b.cbc(root, "DueDate", (statement.issued_on + timedelta(days=seller.payment_days)).isoformat())
    b.cbc(root, "InvoiceTypeCode", INVOICE_TYPE)
    b.cbc(root, "Note", f"Commission on the orders placed in {statement.quarter} under the framework agreements")
    b.cbc(root, "DocumentCurrencyCode", CURRENCY)
    b.cbc(root, "BuyerReference", supplier.code)
    period = b.cac(root, "InvoicePeriod")
    b.cbc(period, "StartDate", statement.quarter.first_day.isoformat())
    b.cbc(period, "EndDate", statement.quarter.last_day.isoformat())
    seller_party = b.cac(root, "AccountingSupplierParty")
    party(
        b,
        seller_party,
        enterprise_number=seller.enterprise_number,
        name=seller.name,
        street=seller.street,
        city=seller.city,
        postal_code=seller.postal_code,
        country=seller.country,
        vat_id=f"{seller.country or 'BE'}{seller.enterprise_number}" if subject else None,
    )
    buyer_party = b.cac(root, "AccountingCustomerParty")
    party(
        b,
        buyer_party,
        enterprise_number=identifier,
        name=supplier.name,
        street=supplier.street,
        city=supplier.city,
        postal_code=supplier.postcode,
        country=supplier.country,
        vat_id=(supplier.vat_number or None) if subject else None,
        scheme=scheme,
    )
    if statement.vat_category == "K":  # an intra-community supply: where to (BR-IC-12)
        delivery = b.cac(b.cac(b.cac(root, "Delivery"), "DeliveryLocation"), "Address")
        b.cbc(b.cac(delivery, "Country"), "IdentificationCode", supplier.country or "BE")
    means = b.cac(root, "PaymentMeans")
    b.cbc(means, "PaymentMeansCode", PAYMENT_MEANS_SEPA_TRANSFER, name="SEPA credit transfer")
    b.cbc(means, "PaymentID", statement.number)
    account = b.cac(means, "PayeeFinancialAccount")
    b.cbc(account, "ID", seller.iban.replace(" ", ""))
    b.cbc(account, "Name", seller.name)
    if seller.bic:
        branch = b.cac(account, "FinancialInstitutionBranch")
        b.cbc(branch, "ID", seller.bic)
    terms = b.cac(root, "PaymentTerms")
    b.cbc(terms, "Note", f"Payment within {seller.payment_days} days, reference {statement.number}")
    tax_total = b.cac(root, "TaxTotal")
    b.cbc(tax_total, "TaxAmount", amount(document.vat), currencyID=CURRENCY)
    subtotal = b.cac(tax_total, "TaxSubtotal")
    b.cbc(subtotal, "TaxableAmount", amount(statement.commission), currencyID=CURRENCY)
    b.cbc(subtotal, "TaxAmount", amount(document.vat), currencyID=CURRENCY)
    _tax_category(b, subtotal, "TaxCategory", document)
    monetary = b.cac(root, "LegalMonetaryTotal")
    b.cbc(monetary, "LineExtensionAmount", amount(statement.commission), currencyID=CURRENCY)
    b.cbc(monetary, "TaxExclusiveAmount", amount(statement.commission), currencyID=CURRENCY)
    b.cbc(monetary, "TaxInclusiveAmount", amount(document.total), currencyID=CURRENCY)
    b.cbc(monetary, "PayableAmount", amount(document.total), currencyID=CURRENCY)
    for number, line in enumerate(statement.lines, start=1):
        el = b.cac(root, "InvoiceLine")
        b.cbc(el, "ID", str(number))
        b.cbc(el, "InvoicedQuantity", "1", unitCode="C62")
        b.cbc(el, "LineExtensionAmount", amount(line.commission), currencyID=CURRENCY)
        item = b.cac(el, "Item")
        b.cbc(
            item,
            "Description",
            f"{plain(line.rate * 100)} % of {amount(line.base)} EUR ordered ({line.orders} orders)",
        )
        b.cbc(item, "Name", f"Commission {line.agreement} lot {line.lot}")
        sellers_id = b.cac(item, "SellersItemIdentification")
        b.cbc(sellers_id, "ID", f"{line.agreement}/{line.lot}")
        _tax_category(b, item, "ClassifiedTaxCategory", document)
        price = b.cac(el, "Price")
        b.cbc(price, "PriceAmount", amount(line.commission), currencyID=CURRENCY)
    return to_bytes(root)
