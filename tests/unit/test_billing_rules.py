"""Billing rules: which charges make a document, true-up documents, corrections, numbers, OGM/VCS."""

from datetime import date
from decimal import Decimal

import pytest
from stdnum.be import ogm_vcs

from mutua.billing.domain import (
    BillingError,
    DocumentKind,
    DocumentRef,
    Purpose,
    document_number,
    issue,
    net_billed,
    period_invoices,
    reversal,
    structured_communication,
    true_up_documents,
)
from mutua.charging.domain import Charge
from mutua.costing.domain.catalogue import Activity, Charging, Service
from mutua.kernel.periods import Period
from mutua.registry.domain import Engagement, EngagementKind

A, B = "0203430576", "0406798006"
JAN, DEC = Period(2025, 1), Period(2025, 12)
SERVICES = {
    "HOURS": Service("HOURS", "Development", "DEV", Activity.DEVELOPMENT, Charging.TIME, "hour", "HUR"),
    "VMH": Service("VMH", "VM hours", "VM", Activity.INFRASTRUCTURE, Charging.USAGE, "VM-hour", "HUR"),
    "SECOND": Service("SECOND", "Secondment", "SEC", Activity.SECONDMENT, Charging.REAL_COST, "EUR at cost", "C62"),
}
ENGAGEMENTS = {
    "P1": Engagement(
        "P1", A, EngagementKind.PROJECT, "Portal", "HOURS", Decimal(20000), date(2025, 1, 1), None, "PO-1"
    ),
    "C1": Engagement("C1", A, EngagementKind.SERVICE, "Cloud A", None, Decimal(5000), date(2025, 1, 1), None, "PO-3"),
    "C2": Engagement("C2", B, EngagementKind.SERVICE, "Cloud B", None, Decimal(5000), date(2025, 1, 1)),
    "S1": Engagement("S1", B, EngagementKind.SECONDMENT, "Two developers", "SECOND", Decimal(9), date(2025, 1, 1)),
}


def charge(period: Period, engagement: str, service: str, detail: str, qty: str, price: str, amount: str) -> Charge:
    member = ENGAGEMENTS[engagement].member
    unit = (
        {"HOURS": "hour", "VMH": "VM-hour", "SECOND": "EUR at cost"}[service] if detail != "true-up" else "settlement"
    )
    return Charge(period, engagement, member, service, detail, Decimal(qty), unit, Decimal(price), Decimal(amount))


JANUARY = [
    charge(JAN, "P1", "HOURS", "senior", "11.6", "90", "1044.00"),
    charge(JAN, "P1", "HOURS", "junior", "8", "60", "480.00"),
    charge(JAN, "C1", "VMH", "", "100", "0.5", "50.00"),
    charge(JAN, "C2", "VMH", "", "300.5", "0.5", "150.25"),
    charge(Period(2025, 2), "C2", "VMH", "", "1", "0.5", "0.50"),  # another month: not on January's invoice
]


def test_document_numbers_are_the_year_then_a_gapless_sequence() -> None:
    assert document_number(2025, 1) == "2025-000001"
    assert document_number(2026, 1234567) == "2026-1234567"
    with pytest.raises(BillingError):
        document_number(2025, 0)


def test_the_structured_communication_is_a_valid_ogm_vcs_distinct_per_document() -> None:
    first, second = structured_communication(2025, 1), structured_communication(2025, 2)
    assert first.startswith("+++") and first.endswith("+++")
    assert ogm_vcs.is_valid(first) and ogm_vcs.is_valid(second)
    assert first != second != structured_communication(2026, 1)
    assert ogm_vcs.compact(first)[:10] == "2500000001"


def test_each_member_gets_one_invoice_a_month_with_a_line_per_engagement_service_and_grade() -> None:
    drafts = period_invoices(JAN, JANUARY, SERVICES, ENGAGEMENTS)
    assert [d.member for d in drafts] == [A, B]
    a = drafts[0]
    assert a.kind is DocumentKind.INVOICE and a.purpose is Purpose.PERIOD
    assert [(x.engagement, x.detail) for x in a.lines] == [("C1", ""), ("P1", "junior"), ("P1", "senior")]
    assert a.total == Decimal("1574.00")
    assert a.lines[2].name == "Development (senior)" and a.lines[2].unit_code == "HUR"
    assert a.buyer_reference == A  # two order references (on the lines): the member's enterprise number
    assert drafts[1].total == Decimal("150.25")
    assert drafts[1].buyer_reference == B  # no reference given: the member's enterprise number
    assert (a.period_start, a.period_end) == (date(2025, 1, 1), date(2025, 1, 31))


def test_the_true_up_invoices_under_recovery_and_credits_over_recovery_referring_to_the_invoices() -> None:
    charges = [
        charge(DEC, "P1", "HOURS", "true-up", "1", "-40.00", "-40.00"),
        charge(DEC, "C1", "VMH", "true-up", "1", "12.50", "12.50"),
        charge(DEC, "C2", "VMH", "true-up", "1", "7.25", "7.25"),
    ]
    refs = {A: [DocumentRef("2025-000001", date(2025, 2, 1))]}
    drafts = true_up_documents(2025, charges, SERVICES, ENGAGEMENTS, refs)
    credit, invoice = drafts
    assert credit.member == A and credit.kind is DocumentKind.CREDIT_NOTE and credit.purpose is Purpose.TRUE_UP
    assert credit.total == Decimal("27.50") and credit.signed_total == Decimal("-27.50")
    assert credit.references == (DocumentRef("2025-000001", date(2025, 2, 1)),)
    # prices are never negative: the line against the document's sense has a negative quantity
    assert all(x.unit_price >= 0 for x in credit.lines)
    by_engagement = {x.engagement: x for x in credit.lines}
    assert (by_engagement["P1"].quantity, by_engagement["P1"].amount) == (Decimal(1), Decimal("40.00"))
    assert (by_engagement["C1"].quantity, by_engagement["C1"].amount) == (Decimal(-1), Decimal("-12.50"))
    assert invoice.member == B and invoice.kind is DocumentKind.INVOICE and invoice.total == Decimal("7.25")
    assert net_billed(drafts) == {A: Decimal("-27.50"), B: Decimal("7.25")}


def test_a_correction_is_a_new_document_of_the_opposite_kind_referring_to_the_old_one() -> None:
    draft = period_invoices(JAN, JANUARY, SERVICES, ENGAGEMENTS)[0]
    original = issue(draft, 2025, 7, date(2025, 2, 1), 30)
    assert original.due_on == date(2025, 3, 3) and original.number == "2025-000007"
    correction = reversal(original, "wrong engagement")
    assert correction.kind is DocumentKind.CREDIT_NOTE and correction.purpose is Purpose.CORRECTION
    assert correction.references == (DocumentRef("2025-000007", date(2025, 2, 1)),)
    assert net_billed([original, correction]) == {A: Decimal("0.00")}
    assert original.draft.kind is DocumentKind.INVOICE  # the original is untouched


def test_issuing_refuses_a_document_numbered_in_another_year_or_without_lines() -> None:
    draft = period_invoices(JAN, JANUARY, SERVICES, ENGAGEMENTS)[0]
    with pytest.raises(BillingError, match="numbered in 2025"):
        issue(draft, 2024, 1, date(2025, 2, 1), 30)
    from dataclasses import replace

    with pytest.raises(BillingError, match="at least one line"):
        issue(replace(draft, lines=()), 2025, 1, date(2025, 2, 1), 30)


def test_costs_passed_on_say_the_non_deductible_vat_is_inside_the_amount() -> None:
    charges = [charge(JAN, "S1", "SECOND", "", "2105.00", "1.05", "2210.25")]
    (draft,) = period_invoices(JAN, charges, SERVICES, ENGAGEMENTS)
    assert draft.lines[0].amount == Decimal("2210.25")  # 2,000 + 105 VAT not deductible, x 1.05 overhead
    assert "could not deduct is included" in draft.lines[0].description
    assert draft.lines[0].unit_code == "C62"
