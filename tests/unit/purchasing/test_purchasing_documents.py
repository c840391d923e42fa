"""Commission statements as documents: the Peppol BIS 3 UBL invoice from the association to the
supplier (VAT category S at 21 %), checked field by field and by the EN 16931 and Peppol rule sets;
the PDF in the supplier's language (nl, fr, en) with the same figures."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from mutua.costing.domain.association import Association
from mutua.kernel.problems import Rejected
from mutua.platform.documents.ubl import CAC, CBC
from mutua.purchasing.documents import Renderer, pdf, ubl
from mutua.purchasing.domain import CommissionLine, CommissionStatement, Lot, Quarter, Supplier
from mutua.purchasing.domain.statements import StatementDocument
from tests.einvoice import Validator

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
NS = {"cac": CAC, "cbc": CBC}
SELLER = Association("C-smart vzw", "0406798006", "BE71 0961 2345 6769", "GKCCBEBB", "Fonsnylaan 20", "Brussel", "1060")
SUPPLIER = Supplier(
    "ECON",
    "Econocom Products & Solutions NV",
    "0422646816",
    "BE0422646816",
    "BE",
    "Leonardo da Vincilaan 3",
    "1930",
    "Zaventem",
    "",
    "fr",
)
LINES = (
    CommissionLine("CSMART-2024-LAPTOPS", 1, 12, Decimal("104321.17"), Decimal("0.015"), Decimal("1564.82")),
    CommissionLine("CSMART-2024-LAPTOPS", 2, 3, Decimal("8000.05"), Decimal("0.0125"), Decimal("100.00")),
    CommissionLine("CSMART-2023-ICT", 1, 1, Decimal("33.33"), Decimal("0.02"), Decimal("0.67")),
)
STATEMENT = CommissionStatement("COM-2024-000007", "ECON", Quarter(2024, 2), LINES, date(2024, 7, 5))
DOCUMENT = StatementDocument(
    STATEMENT,
    SUPPLIER,
    {("CSMART-2024-LAPTOPS", 1): Lot("CSMART-2024-LAPTOPS", 1, "Standaardlaptops", "Portables standard", Decimal(1))},
    {"CSMART-2024-LAPTOPS": ("Laptops", "Ordinateurs portables")},
)


@pytest.fixture(scope="module")
def validator() -> Iterator[Validator]:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent")
    yield Validator(SHARED)


def xml(document: StatementDocument = DOCUMENT) -> etree._Element:
    return etree.fromstring(ubl.render(document, SELLER))


def test_the_vat_is_21_percent_of_the_total_commission_rounded_once() -> None:
    assert STATEMENT.commission == Decimal("1665.49")
    assert DOCUMENT.vat == Decimal("349.75")  # 1,665.49 x 0.21 = 349.7529
    assert DOCUMENT.total == Decimal("2015.24")


def test_the_ubl_invoices_the_supplier_at_the_standard_rate_category_s() -> None:
    root = xml()
    assert root.findtext("cbc:ID", namespaces=NS) == "COM-2024-000007"
    assert root.findtext("cbc:InvoiceTypeCode", namespaces=NS) == "380"
    assert root.findtext("cbc:DueDate", namespaces=NS) == "2024-08-04"
    assert root.findtext("cac:InvoicePeriod/cbc:StartDate", namespaces=NS) == "2024-04-01"
    assert root.findtext("cac:InvoicePeriod/cbc:EndDate", namespaces=NS) == "2024-06-30"
    seller = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    buyer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert seller is not None and buyer is not None
    assert seller.findtext("cac:PartyTaxScheme/cbc:CompanyID", namespaces=NS) == "BE0406798006"
    assert buyer.findtext("cbc:EndpointID", namespaces=NS) == "0422646816"
    assert buyer.findtext("cac:PartyLegalEntity/cbc:RegistrationName", namespaces=NS) == SUPPLIER.name
    category = root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert category is not None
    assert (category.findtext("cbc:ID", namespaces=NS), category.findtext("cbc:Percent", namespaces=NS)) == ("S", "21")
    assert root.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=NS) == "349.75"
    assert root.findtext("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", namespaces=NS) == "1665.49"
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "2015.24"
    lines = root.findall("cac:InvoiceLine", NS)
    assert [x.findtext("cbc:LineExtensionAmount", namespaces=NS) for x in lines] == ["1564.82", "100.00", "0.67"]
    assert lines[0].findtext("cac:Item/cbc:Name", namespaces=NS) == "Commission CSMART-2024-LAPTOPS lot 1"
    assert lines[1].findtext("cac:Item/cbc:Description", namespaces=NS) == "1.25 % of 8000.05 EUR ordered (3 orders)"


def test_the_ubl_passes_en16931_and_peppol_bis3(validator: Validator) -> None:
    assert validator.failures(ubl.render(DOCUMENT, SELLER)) == []
    one_line = replace(DOCUMENT, statement=replace(STATEMENT, lines=LINES[2:]))
    assert validator.failures(ubl.render(one_line, SELLER)) == []


def test_a_supplier_from_abroad_is_addressed_by_its_vat_number(validator: Validator) -> None:
    dutch = replace(SUPPLIER, enterprise_number=None, vat_number="NL805424561B01", country="NL")
    root = xml(replace(DOCUMENT, supplier=dutch))
    endpoint = root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    assert endpoint is not None and (endpoint.text, endpoint.get("schemeID")) == ("NL805424561B01", "9944")
    assert validator.failures(ubl.render(replace(DOCUMENT, supplier=dutch), SELLER)) == []


def test_a_supplier_without_any_identifier_is_refused_by_name() -> None:
    nameless = replace(SUPPLIER, enterprise_number=None, vat_number="", country="US")
    with pytest.raises(Rejected) as refused:
        ubl.render(replace(DOCUMENT, supplier=nameless), SELLER)
    assert "supplier ECON" in str(refused.value.problems[0])


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nl", ["Commissieafrekening COM-2024-000007", "Perceel", "Standaardlaptops", "Te betalen", "2.015,24"]),
        ("fr", ["Relevé de commissions COM-2024-000007", "Ordinateurs portables", "Montant dû", "2015,24"]),
        ("en", ["Commission statement COM-2024-000007", "Value ordered", "Amount due", "2,015.24"]),
    ],
)
def test_the_pdf_shows_the_same_figures_in_the_language(language: str, words: list[str]) -> None:
    html = pdf.statement_html(DOCUMENT, SELLER, language)
    text = " ".join(html.replace("\u202f", "").replace("\xa0", "").split())
    for word in words:
        assert word.replace("\xa0", "") in text, (language, word)
    assert "349,75" in text or "349.75" in text


def test_the_pdf_is_rendered_in_the_suppliers_language_by_default() -> None:
    assert "Relevé de commissions" in pdf.statement_html(DOCUMENT, SELLER)
    assert Renderer().statement_pdf(DOCUMENT, SELLER).startswith(b"%PDF")
