"""Issuing documents on in-memory repositories: period invoices, the true-up, corrections, a year.

Two members: A (Dutch) with a project P1 billed by the hour and a VM service C1; B (French) with a
VM service C2. January and February are closed with provisional charges; December holds the
true-up's settlement lines.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from tests.fakes.billing import billing_unit_of_work

from mutua.billing import service
from mutua.billing.domain import DocumentKind, Purpose
from mutua.charging.domain import Charge
from mutua.costing.domain.catalogue import Activity, Charging, Service
from mutua.kernel.access import Action, Permission, permission_of
from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict, NotFound
from mutua.registry.domain import Category, ClientGroup, Engagement, EngagementKind, Language, Member

A, B = "0203430576", "0406798006"
JAN, FEB, DEC = Period(2025, 1), Period(2025, 2), Period(2025, 12)
MEMBERS = [
    Member(A, "Rijksdienst A", Category.A, ClientGroup.SOCIAL_SECURITY, Language.NL, date(2001, 1, 1)),
    Member(B, "Office B", Category.B, ClientGroup.SOCIAL_SECURITY, Language.FR, date(2001, 1, 1)),
]
SERVICES = [
    Service("HOURS", "Development", "DEV", Activity.DEVELOPMENT, Charging.TIME, "hour", "HUR"),
    Service("VMH", "VM hours", "VM", Activity.INFRASTRUCTURE, Charging.USAGE, "VM-hour", "HUR"),
]
ENGAGEMENTS = [
    Engagement("P1", A, EngagementKind.PROJECT, "Portal", "HOURS", Decimal(20000), date(2025, 1, 1), None, "PO-1"),
    Engagement("C1", A, EngagementKind.SERVICE, "Cloud A", None, Decimal(5000), date(2025, 1, 1), None, "PO-3"),
    Engagement("C2", B, EngagementKind.SERVICE, "Cloud B", None, Decimal(5000), date(2025, 1, 1)),
]
OWNER = {"P1": A, "C1": A, "C2": B}


def charge(
    kind: str, period: Period, engagement: str, service_code: str, detail: str, amount: str
) -> tuple[str, Charge]:
    unit = "settlement" if detail == "true-up" else "hour"
    quantity, price = (Decimal(1), Decimal(amount)) if detail == "true-up" else (Decimal(amount) / 2, Decimal(2))
    return kind, Charge(
        period, engagement, OWNER[engagement], service_code, detail, quantity, unit, price, Decimal(amount)
    )


CHARGES = [
    charge("provisional", JAN, "P1", "HOURS", "senior", "900.00"),
    charge("provisional", JAN, "C1", "VMH", "", "50.00"),
    charge("provisional", JAN, "C2", "VMH", "", "150.00"),
    charge("provisional", FEB, "C2", "VMH", "", "40.00"),
    charge("true_up", DEC, "C1", "VMH", "true-up", "-30.00"),  # A was over-charged: a credit note
    charge("true_up", DEC, "C2", "VMH", "true-up", "12.50"),  # B was under-charged: an invoice
]


def world(closed: tuple[Period, ...] = (JAN, FEB), true_up: str | None = None) -> Any:
    return billing_unit_of_work(
        members=MEMBERS,
        engagements=ENGAGEMENTS,
        services=SERVICES,
        closed={p.key for p in closed},
        charges=CHARGES,
        runs={2025: true_up} if true_up else None,
    )


def test_a_closed_month_gives_each_charged_member_one_invoice_numbered_from_one() -> None:
    uow = world()
    result = service.issue_period_invoices(uow, JAN, date(2025, 2, 1))
    assert [(d.number, d.member, d.total) for d in result.documents] == [
        ("2025-000001", A, Decimal("950.00")),
        ("2025-000002", B, Decimal("150.00")),
    ]
    assert result.as_json()["net_total"] == "1100.00" and result.invoices == 2 and result.credit_notes == 0
    assert uow.committed
    assert uow.billing.issued_keys("period:202501:") == {f"period:202501:{A}", f"period:202501:{B}"}
    assert uow.billing.ubl("2025-000001") == f"<UBL number=2025-000001 seller=Small association buyer={A}/>"
    assert [(e["action"], e["entity"], e["entity_key"], e["detail"]) for e in uow.audit.recorded] == [
        ("issue_period", "period", "2025-01", '{"documents": 2, "issued_on": "2025-02-01"}')
    ]


def test_the_invoice_is_due_after_the_associations_payment_days_with_a_structured_communication() -> None:
    uow = world()
    service.issue_period_invoices(uow, JAN, date(2025, 2, 1))
    shown = service.show_document(uow, "2025-000001")
    assert shown.summary.due_on == date(2025, 3, 3)
    assert shown.summary.payment_reference == "+++250/0000/00186+++"  # 25, sequence 00000001, mod 97
    assert shown.buyer_reference == A  # two order references (on the lines): the member's number


def test_an_open_month_is_not_invoiced_and_nothing_is_written() -> None:
    uow = world(closed=(JAN,))
    with pytest.raises(Conflict, match="not closed"):
        service.issue_period_invoices(uow, FEB, date(2025, 3, 1))
    assert uow.billing.stored == [] and uow.billing.sequences == {} and uow.audit.recorded == []


def test_a_months_invoices_are_issued_after_the_month() -> None:
    uow = world()
    with pytest.raises(Conflict, match="after the month"):
        service.issue_period_invoices(uow, JAN, date(2025, 1, 31))
    assert uow.billing.stored == []


def test_a_month_is_invoiced_once() -> None:
    uow = world()
    service.issue_period_invoices(uow, JAN, date(2025, 2, 1))
    with pytest.raises(Conflict, match="already issued"):
        service.issue_period_invoices(uow, JAN, date(2025, 2, 2))
    assert len(uow.billing.stored) == 2 and uow.billing.sequences == {2025: 2}


def test_an_issue_date_before_the_years_last_is_refused_and_leaves_no_gap_in_the_numbers() -> None:
    uow = world()
    service.issue_period_invoices(uow, JAN, date(2025, 3, 5))
    with pytest.raises(Conflict, match="already issued on 2025-03-05"):
        service.issue_period_invoices(uow, FEB, date(2025, 3, 4))
    assert uow.billing.sequences == {2025: 2}  # the refused run's number was rolled back
    assert service.issue_period_invoices(uow, FEB, date(2025, 3, 5)).documents[0].number == "2025-000003"


def test_a_settled_true_up_credits_the_over_charged_and_invoices_the_under_charged_members() -> None:
    uow = world(true_up="settle")
    service.issue_period_invoices(uow, JAN, date(2025, 2, 1))
    result = service.issue_true_up_documents(uow, 2025, date(2026, 1, 1))
    assert [(d.number, d.member, d.kind, d.signed_total) for d in result.documents] == [
        ("2026-000001", A, DocumentKind.CREDIT_NOTE, Decimal("-30.00")),
        ("2026-000002", B, DocumentKind.INVOICE, Decimal("12.50")),
    ]
    credit = service.show_document(uow, "2026-000001")
    assert credit.refers_to == ("2025-000001",) and credit.summary.purpose is Purpose.TRUE_UP
    assert uow.audit.recorded[-1]["action"] == "issue_true_up"
    with pytest.raises(Conflict, match="already issued"):
        service.issue_true_up_documents(uow, 2025, date(2026, 1, 2))


def test_a_true_up_not_run_or_carried_forward_has_nothing_to_issue() -> None:
    with pytest.raises(Conflict, match="has not been run"):
        service.issue_true_up_documents(world(), 2025, date(2026, 1, 1))
    carried = world(true_up="carry_forward")
    with pytest.raises(Conflict, match="carried forward"):
        service.issue_true_up_documents(carried, 2025, date(2026, 1, 1))
    assert carried.billing.stored == []


def test_a_correction_is_a_new_document_of_the_opposite_kind_and_the_original_never_changes() -> None:
    uow = world()
    service.issue_period_invoices(uow, JAN, date(2025, 2, 1))
    before = service.document_ubl(uow, "2025-000001")
    result = service.issue_correction(uow, "2025-000001", "wrong order", date(2025, 2, 5))
    assert [(d.number, d.kind, d.signed_total) for d in result.documents] == [
        ("2025-000003", DocumentKind.CREDIT_NOTE, Decimal("-950.00"))
    ]
    shown = service.show_document(uow, "2025-000003")
    assert shown.refers_to == ("2025-000001",) and shown.note == "wrong order"
    assert service.document_ubl(uow, "2025-000001") == before
    with pytest.raises(Conflict, match="already issued"):
        service.issue_correction(uow, "2025-000001", "again", date(2025, 2, 6))


def test_a_correction_of_an_unknown_document_or_dated_before_it_is_refused() -> None:
    uow = world()
    with pytest.raises(NotFound):
        service.issue_correction(uow, "2025-000001")
    service.issue_period_invoices(uow, JAN, date(2025, 2, 10))
    with pytest.raises(Conflict, match="cannot be dated before"):
        service.issue_correction(uow, "2025-000001", issued_on=date(2025, 2, 9))
    assert len(uow.billing.stored) == 2


def test_a_year_is_issued_month_by_month_the_day_after_each_month_then_the_true_up() -> None:
    uow = world(true_up="settle")
    results = service.issue_year(uow, 2025)
    assert [(r.what, r.issued_on, len(r.documents)) for r in results] == [
        ("invoices 2025-01", date(2025, 2, 1), 2),
        ("invoices 2025-02", date(2025, 3, 1), 1),
        ("true-up 2025", date(2026, 1, 1), 2),
    ]
    assert service.issue_year(uow, 2025) == []  # nothing left to issue
    net = service.net_billed_by_member(uow, 2025)
    assert net == {A: Decimal("920.00"), B: Decimal("202.50")}


def test_issuing_asks_for_the_close_permission() -> None:
    for use_case in (
        service.issue_period_invoices,
        service.issue_true_up_documents,
        service.issue_correction,
        service.issue_year,
        service.set_channel,
    ):
        assert permission_of(use_case) == Permission(Action.CLOSE), use_case.__name__
