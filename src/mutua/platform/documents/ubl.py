"""Peppol BIS Billing 3.0 (UBL 2.1) building blocks, with lxml: namespaces, identifiers, elements,
a party identified by its Belgian enterprise number, amounts. Billing's invoices to the members and
purchasing's commission invoices to the suppliers are both built from these."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
SCHEME_BE_ENTERPRISE = "0208"
CURRENCY = "EUR"
PAYMENT_MEANS_SEPA_TRANSFER = "58"


def amount(value: Decimal) -> str:
    """An amount with exactly two decimals."""
    return str(value.quantize(Decimal("0.01")))


def plain(value: Decimal) -> str:
    """A quantity or price without trailing zeros and never in exponent form."""
    text = format(value.normalize(), "f")
    return text if text not in ("-0", "") else "0"


class Builder:
    """``cbc:`` and ``cac:`` elements under a parent."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root

    @staticmethod
    def cbc(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        el = etree.SubElement(parent, f"{{{CBC}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    @staticmethod
    def cac(parent: etree._Element, tag: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{CAC}}}{tag}")


def tax_scheme(b: type[Builder], parent: etree._Element) -> None:
    scheme = b.cac(parent, "TaxScheme")
    b.cbc(scheme, "ID", "VAT")


def party(
    b: type[Builder],
    parent: etree._Element,
    *,
    enterprise_number: str,
    name: str,
    street: str,
    city: str,
    postal_code: str,
    country: str,
    vat_id: str | None,
    scheme: str = SCHEME_BE_ENTERPRISE,
) -> None:
    """A ``cac:Party`` identified by its enterprise number (scheme 0208; or another identifier under
    ``scheme``) as endpoint, party and legal entity, with its address and, if given, its VAT
    identifier."""
    party_el = b.cac(parent, "Party")
    b.cbc(party_el, "EndpointID", enterprise_number, schemeID=scheme)
    if scheme == SCHEME_BE_ENTERPRISE:  # an ISO 6523 identifier; a VAT address scheme is not
        ident = b.cac(party_el, "PartyIdentification")
        b.cbc(ident, "ID", enterprise_number, schemeID=scheme)
    party_name = b.cac(party_el, "PartyName")
    b.cbc(party_name, "Name", name)
    address = b.cac(party_el, "PostalAddress")
    if street:
        b.cbc(address, "StreetName", street)
    if city:
        b.cbc(address, "CityName", city)
    if postal_code:
        b.cbc(address, "PostalZone", postal_code)
    country_el = b.cac(address, "Country")
    b.cbc(country_el, "IdentificationCode", country or "BE")
    if vat_id:
        tax = b.cac(party_el, "PartyTaxScheme")
        b.cbc(tax, "CompanyID", vat_id)
        tax_scheme(b, tax)
    legal = b.cac(party_el, "PartyLegalEntity")
    b.cbc(legal, "RegistrationName", name)
    if scheme == SCHEME_BE_ENTERPRISE:
        b.cbc(legal, "CompanyID", enterprise_number, schemeID=scheme)


def to_bytes(root: etree._Element) -> bytes:
    """The document as UTF-8 XML with its declaration."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
