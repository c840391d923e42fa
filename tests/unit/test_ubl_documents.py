"""UBL 2.1 / Peppol BIS Billing 3.0 rendering, checked field by field and by the official rule sets."""

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from mutua.billing.documents import ubl
from mutua.billing.domain import Document, DocumentRef, issue, period_invoices, reversal, true_up_documents
from mutua.costing.domain.association import Association
from mutua.registry.domain import Category, ClientGroup, Language, Member
from tests.einvoice import Validator
from tests.unit.test_billing_rules import DEC, ENGAGEMENTS, JAN, JANUARY, SERVICES, A, charge

NS = {"cac": ubl.CAC, "cbc": ubl.CBC}
SELLER = Association(
    "Small association", "0406798006", "BE71 0961 2345 6769", "GKCCBEBB", "Fonsnylaan 20", "Brussel", "1060"
)
BUYER = Member(A, "Rijksdienst A", Category.A, ClientGroup.SOCIAL_SECURITY, Language.NL, date(2001, 1, 1))


def invoice() -> Document:
    return issue(period_invoices(JAN, JANUARY, SERVICES, ENGAGEMENTS)[0], 2025, 42, date(2025, 2, 1), 30)


def credit_note() -> Document:
    charges = [
        charge(DEC, "P1", "HOURS", "true-up", "1", "-40.00", "-40.00"),
        charge(DEC, "C1", "VMH", "true-up", "1", "12.50", "12.50"),
    ]
    refs = {A: [DocumentRef("2025-000042", date(2025, 2, 1))]}
    draft = true_up_documents(2025, charges, SERVICES, ENGAGEMENTS, refs)[0]
    return issue(draft, 2026, 3, date(2026, 1, 1), 30)


def xml_of(document: Document) -> etree._Element:
    return etree.fromstring(ubl.render(document, SELLER, BUYER))


def test_an_invoice_names_seller_and_buyer_by_enterprise_number_with_the_vat_exemption() -> None:
    root = xml_of(invoice())
    assert root.tag == f"{{{ubl.INVOICE_NS}}}Invoice"
    assert root.findtext("cbc:CustomizationID", namespaces=NS) == ubl.CUSTOMIZATION_ID
    assert root.findtext("cbc:ProfileID", namespaces=NS) == ubl.PROFILE_ID
    assert root.findtext("cbc:ID", namespaces=NS) == "2025-000042"
    assert root.findtext("cbc:InvoiceTypeCode", namespaces=NS) == "380"
    assert root.findtext("cbc:DueDate", namespaces=NS) == "2025-03-03"
    # two order references on the lines (each line quotes its own): the buyer's enterprise number
    assert root.findtext("cbc:BuyerReference", namespaces=NS) == A
    seller = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    buyer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert seller is not None and buyer is not None
    for party, number in ((seller, "0406798006"), (buyer, A)):
        endpoint = party.find("cbc:EndpointID", NS)
        legal = party.find("cac:PartyLegalEntity/cbc:CompanyID", NS)
        assert endpoint is not None and legal is not None
        assert (endpoint.text, endpoint.get("schemeID")) == (number, "0208")
        assert (legal.text, legal.get("schemeID")) == (number, "0208")
    assert seller.findtext("cac:PartyTaxScheme/cbc:CompanyID", namespaces=NS) == "BE0406798006"
    category = root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert category is not None
    assert category.findtext("cbc:ID", namespaces=NS) == "E"
    assert category.findtext("cbc:Percent", namespaces=NS) == "0"
    assert category.findtext("cbc:TaxExemptionReasonCode", namespaces=NS) == "VATEX-EU-132-1F"
    assert root.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=NS) == "0.00"
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "1574.00"
    means = root.find("cac:PaymentMeans", NS)
    assert means is not None
    assert means.findtext("cbc:PaymentID", namespaces=NS) == invoice().payment_reference
    assert re.fullmatch(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", means.findtext("cbc:PaymentID", namespaces=NS) or "")
    assert means.findtext("cac:PayeeFinancialAccount/cbc:ID", namespaces=NS) == "BE71096123456769"


def test_each_invoice_line_has_quantity_unit_code_tariff_amount_and_the_order_reference() -> None:
    lines = xml_of(invoice()).findall("cac:InvoiceLine", NS)
    assert len(lines) == 3
    senior = lines[2]
    quantity = senior.find("cbc:InvoicedQuantity", NS)
    assert quantity is not None and (quantity.text, quantity.get("unitCode")) == ("11.6", "HUR")
    assert senior.findtext("cac:Price/cbc:PriceAmount", namespaces=NS) == "90"
    assert senior.findtext("cbc:LineExtensionAmount", namespaces=NS) == "1044.00"
    assert senior.findtext("cbc:AccountingCost", namespaces=NS) == "PO-1"
    assert senior.findtext("cac:Item/cbc:Name", namespaces=NS) == "Development (senior)"
    assert senior.findtext("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", namespaces=NS) == "E"


def test_a_credit_note_refers_to_the_invoices_it_corrects() -> None:
    root = xml_of(credit_note())
    assert root.tag == f"{{{ubl.CREDIT_NOTE_NS}}}CreditNote"
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS) == "2025-000042"
    quantities = [q.text for q in root.findall("cac:CreditNoteLine/cbc:CreditedQuantity", NS)]
    assert sorted(quantities) == ["-1", "1"]
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "27.50"
    # the association refunds: no payment means naming its own account, the reference in the terms
    assert root.find("cac:PaymentMeans", NS) is None
    assert "Refunded by the association" in (root.findtext("cac:PaymentTerms/cbc:Note", namespaces=NS) or "")


def test_the_true_ups_lines_cover_the_whole_year_as_its_header_does() -> None:
    root = xml_of(credit_note())
    header = (
        root.findtext("cac:InvoicePeriod/cbc:StartDate", namespaces=NS),
        root.findtext("cac:InvoicePeriod/cbc:EndDate", namespaces=NS),
    )
    assert header == ("2025-01-01", "2025-12-31")
    lines = root.findall("cac:CreditNoteLine", NS)
    assert len(lines) == 2
    for line in lines:
        period = (
            line.findtext("cac:InvoicePeriod/cbc:StartDate", namespaces=NS),
            line.findtext("cac:InvoicePeriod/cbc:EndDate", namespaces=NS),
        )
        assert period == header


def test_the_buyer_reference_stays_short_however_many_order_references_the_lines_quote() -> None:
    many = {
        code: replace(engagement, buyer_reference=f"ORDER-{code}-" + "X" * 80)
        for code, engagement in ENGAGEMENTS.items()
    }
    document = issue(period_invoices(JAN, JANUARY, SERVICES, many)[0], 2025, 42, date(2025, 2, 1), 30)
    root = etree.fromstring(ubl.render(document, SELLER, BUYER))
    assert root.findtext("cbc:BuyerReference", namespaces=NS) == A
    quoted = {x.findtext("cbc:AccountingCost", namespaces=NS) for x in root.findall("cac:InvoiceLine", NS)}
    assert quoted == {many["C1"].buyer_reference, many["P1"].buyer_reference}
    single = {code: replace(e, buyer_reference="PO-77") for code, e in ENGAGEMENTS.items()}
    document = issue(period_invoices(JAN, JANUARY, SERVICES, single)[0], 2025, 42, date(2025, 2, 1), 30)
    assert (
        etree.fromstring(ubl.render(document, SELLER, BUYER)).findtext("cbc:BuyerReference", namespaces=NS) == "PO-77"
    )


# -- the official rule sets ------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator() -> Iterator[Validator]:
    from tests.conftest import IN_CI, SHARED

    if not SHARED.is_dir():
        message = f"{SHARED} is absent (it is beside the repository in CI, not on a user's clone)"
        (pytest.fail if IN_CI else pytest.skip)(message)
    yield Validator(SHARED)


def test_invoices_credit_notes_and_corrections_pass_en16931_and_peppol_bis3(validator: Validator) -> None:
    original = invoice()
    documents = [original, credit_note(), issue(reversal(original), 2025, 43, date(2025, 2, 3), 30)]
    for document in documents:
        assert validator.failures(ubl.render(document, SELLER, BUYER)) == [], document.number


def test_the_rule_sets_reject_a_bad_enterprise_number_and_a_wrong_total(validator: Validator) -> None:
    good = ubl.render(invoice(), SELLER, BUYER).decode("utf-8")
    bad_number = good.replace(f'schemeID="0208">{A}<', 'schemeID="0208">0203430577<')
    assert bad_number != good
    rules = {f.rule for f in validator.failures(bad_number)}
    assert "PEPPOL-COMMON-R043" in rules  # 0208 must pass the mod-97 check
    wrong_total = good.replace(
        '<cbc:PayableAmount currencyID="EUR">1574.00<', '<cbc:PayableAmount currencyID="EUR">1575.00<'
    )
    assert wrong_total != good
    assert {f.rule for f in validator.failures(wrong_total)} >= {"BR-CO-16"}
    bad_line = good.replace(">1044.00</cbc:LineExtensionAmount>", ">1045.00</cbc:LineExtensionAmount>")
    assert any(f.rule_set == "EN16931" for f in validator.failures(bad_line))


def test_the_shared_peppol_example_of_an_exempt_invoice_passes_as_a_control(shared_dir: Path) -> None:
    example = (shared_dir / "validation/peppol-bis3/examples/vat-category-E.xml").read_bytes()
    assert Validator(shared_dir).failures(example) == []
