"""Commission statements as documents: the Peppol BIS 3 UBL invoice from the association to the
supplier (VAT category S at 21 %, or the exempt, reverse-charge, intra-community or not-subject
category the cost model's rule gave the statement), checked field by field and by the EN 16931 and
Peppol rule sets; the PDF in the supplier's language (nl, fr, en) with the same figures, PDF/A-3a
with the UBL embedded."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from html import unescape
from pathlib import Path

import pikepdf
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


EXEMPT = replace(
    STATEMENT,
    vat_rate=Decimal(0),
    vat_category="E",
    exemption_reason_code="VATEX-EU-132",
    exemption_reason="Exempt based on article 132 of Council Directive 2006/112/EC",
    exemption_reasons=(("fr", "Exonéré en vertu de l'article 132 de la directive 2006/112/CE"),),
)
DUTCH = replace(SUPPLIER, enterprise_number=None, vat_number="NL805424561B01", country="NL")


def test_an_exempt_statement_states_category_e_its_reason_and_no_vat(validator: Validator) -> None:
    exempt = replace(DOCUMENT, statement=EXEMPT)
    assert (exempt.vat, exempt.total) == (Decimal("0.00"), Decimal("1665.49"))
    root = xml(exempt)
    category = root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert category is not None
    assert [category.findtext(f"cbc:{t}", namespaces=NS) for t in ("ID", "Percent", "TaxExemptionReasonCode")] == [
        "E",
        "0",
        "VATEX-EU-132",
    ]
    assert category.findtext("cbc:TaxExemptionReason", namespaces=NS) == EXEMPT.exemption_reason
    assert root.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=NS) == "0.00"
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "1665.49"
    lines = root.findall("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory", NS)
    assert [(c.findtext("cbc:ID", namespaces=NS), c.findtext("cbc:Percent", namespaces=NS)) for c in lines] == [
        ("E", "0")
    ] * 3
    assert validator.failures(ubl.render(exempt, SELLER)) == []


@pytest.mark.parametrize(
    ("category", "code"),
    [("AE", "VATEX-EU-AE"), ("K", "VATEX-EU-IC"), ("G", "VATEX-EU-G"), ("O", "VATEX-EU-O"), ("Z", "")],
)
def test_the_other_categories_of_the_rule_pass_en16931_and_peppol(
    validator: Validator, category: str, code: str
) -> None:
    statement = replace(STATEMENT, vat_rate=Decimal(0), vat_category=category, exemption_reason_code=code)
    document = replace(DOCUMENT, statement=statement, supplier=DUTCH)
    assert validator.failures(ubl.render(document, SELLER)) == []
    root = xml(document)
    if category == "O":  # not subject to VAT: neither party's VAT identifier, no rate
        assert root.find(".//cac:PartyTaxScheme", NS) is None and root.find(".//cbc:Percent", NS) is None
    if category == "K":  # an intra-community supply says where to
        assert (
            root.findtext(
                "cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode", namespaces=NS
            )
            == "NL"
        )


def test_an_intra_community_supply_to_a_supplier_without_vat_number_is_refused_by_name() -> None:
    statement = replace(STATEMENT, vat_rate=Decimal(0), vat_category="K", exemption_reason_code="VATEX-EU-IC")
    with pytest.raises(Rejected) as refused:
        ubl.render(replace(DOCUMENT, statement=statement, supplier=replace(SUPPLIER, vat_number="")), SELLER)
    assert "supplier ECON has no VAT number" in str(refused.value.problems[0])


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nl", ["Btw 0 % (vrijgesteld, categorie E)", "Vrijstellingsreden VATEX-EU-132 – Exempt based on article 132"]),
        ("fr", ["TVA 0 % (exonérée, catégorie E)", "Motif d'exonération VATEX-EU-132 – Exonéré en vertu de"]),
        ("en", ["VAT 0 % (exempt, category E)", "Exemption reason VATEX-EU-132 – Exempt based on article 132"]),
    ],
)
def test_an_exempt_statements_pdf_names_the_category_and_the_reason_in_the_language(
    language: str, words: list[str]
) -> None:
    html = pdf.statement_html(replace(DOCUMENT, statement=EXEMPT), SELLER, language)
    text = " ".join(unescape(html).split())
    for word in words:
        assert word in text, (language, word)
    assert "standard rate" not in text and "taux normal" not in text and "normale tarief" not in text


def test_the_pdf_is_pdf_a_3a_tagged_with_its_ubl_embedded() -> None:
    invoice = ubl.render(DOCUMENT, SELLER)
    data = Renderer().statement_pdf(DOCUMENT, SELLER, "nl", ubl=invoice)
    document = pikepdf.open(io.BytesIO(data))
    meta = document.open_metadata()
    assert (
        meta.get("{http://www.aiim.org/pdfa/ns/id/}part"),
        meta.get("{http://www.aiim.org/pdfa/ns/id/}conformance"),
    ) == ("3", "A")
    assert meta.get("{http://www.aiim.org/pdfua/ns/id/}part") == "1"
    assert meta.get("{http://purl.org/dc/elements/1.1/}title") == "Commissieafrekening COM-2024-000007"
    assert "/StructTreeRoot" in document.Root and bool(document.Root.MarkInfo.Marked)
    assert str(document.Root.Lang) == "nl" and "/OutputIntents" in document.Root
    assert [str(f.F) for f in document.Root.AF] == ["COM-2024-000007.xml"]
    attached = document.attachments["COM-2024-000007.xml"]
    assert (str(attached.relationship), attached.get_file().read_bytes()) == ("/Alternative", invoice)
