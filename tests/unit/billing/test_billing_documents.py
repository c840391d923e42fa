"""Reading issued documents on in-memory repositories: lists, one document, its files, channels,
statements and the FOCUS export; the renderer is a fake that says what it was asked to render."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.unit.billing.test_billing_issuing import FEB, JAN, A, B, world

from mutua.billing import service
from mutua.kernel.access import Action, Permission, permission_of
from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict, NotFound


def issued() -> Any:
    uow = world()
    service.issue_period_invoices(uow, JAN, date(2025, 2, 1))  # 2025-000001 (A), 2025-000002 (B)
    service.issue_period_invoices(uow, FEB, date(2025, 3, 1))  # 2025-000003 (B)
    return uow


def test_documents_are_listed_by_period_year_or_member_in_number_order() -> None:
    uow = issued()
    assert [d.number for d in service.list_documents(uow, period=JAN)] == ["2025-000001", "2025-000002"]
    assert [d.number for d in service.list_documents(uow, year=2025, member=B)] == ["2025-000002", "2025-000003"]
    assert [d.number for d in service.member_documents(uow, B)] == ["2025-000002", "2025-000003"]
    listed = service.list_documents(uow, period=FEB)[0]
    assert listed.as_json() == {
        "number": "2025-000003",
        "kind": "invoice",
        "purpose": "period",
        "period": "2025-02",
        "member": B,
        "member_name": "Office B",
        "issued_on": "2025-03-01",
        "due_on": "2025-03-31",
        "total": "40.00",
        "signed_total": "40.00",
        "payment_reference": listed.payment_reference,
        "sha256": "sha-of-2025-000003",
    }


def test_one_document_shows_its_lines_and_its_ubl_exactly_as_issued() -> None:
    uow = issued()
    shown = service.show_document(uow, "2025-000001")
    assert [(x.engagement, x.service, x.amount) for x in shown.lines] == [
        ("C1", "VMH", Decimal("50.00")),
        ("P1", "HOURS", Decimal("900.00")),
    ]
    assert shown.as_json()["lines"][1]["amount"] == "900.00"
    assert service.find_document(uow, "2025-000001").member == A
    assert (
        service.document_ubl(uow, "2025-000002")
        == f"<UBL number=2025-000002 seller=Small association buyer={B}/>".encode()
    )


@pytest.mark.parametrize(
    "use_case", [service.show_document, service.find_document, service.document_ubl, service.invoice_pdf]
)
def test_an_unknown_number_is_not_found(use_case: Any) -> None:
    with pytest.raises(NotFound):
        use_case(issued(), "2025-000099")


def test_the_pdf_rendering_is_in_the_buyers_language() -> None:
    uow = issued()
    assert service.invoice_pdf(uow, "2025-000002") == b"%PDF 2025-000002 fr"


def test_a_channel_is_peppol_or_pdf_for_a_known_member_and_is_audited_by_its_repository() -> None:
    uow = issued()
    with pytest.raises(Conflict, match="unknown channel"):
        service.set_channel(uow, B, "fax")
    with pytest.raises(NotFound):
        service.set_channel(uow, "0999999999", "pdf")
    service.set_channel(uow, B, "pdf")
    assert uow.committed and service.pdf_members(uow) == {B}
    service.set_channel(uow, B, "peppol")
    assert service.pdf_members(uow) == set()


def test_the_export_writes_every_ubl_and_the_pdf_for_members_not_on_peppol(tmp_path: Path) -> None:
    uow = issued()
    service.set_channel(uow, B, "pdf")
    written = service.export_documents(uow, tmp_path / "default", period=JAN)
    assert [p.name for p in written] == ["2025-000001.xml", "2025-000002.xml", "2025-000002.pdf"]
    assert (tmp_path / "default" / "2025-000001.xml").read_bytes() == service.document_ubl(uow, "2025-000001")
    none = service.export_documents(uow, tmp_path / "none", numbers=["2025-000003"], pdf=False)
    assert [p.name for p in none] == ["2025-000003.xml"]
    every = service.export_documents(uow, tmp_path / "every", numbers=["2025-000001"], pdf=True)
    assert [p.name for p in every] == ["2025-000001.xml", "2025-000001.pdf"]


def test_the_statement_is_rendered_with_the_members_documents_of_the_period() -> None:
    uow = issued()
    pdf = service.statement_pdf(uow, B, FEB, statement="B's statement of February")
    assert pdf == b"%PDF statement B's statement of February ['2025-000003']"


def test_the_focus_export_names_the_document_that_billed_each_charge() -> None:
    uow = issued()
    export = service.focus_export(uow, 2025, JAN)
    assert {(r["SubAccountId"], r["InvoiceId"]) for r in export.rows} == {
        ("P1", "2025-000001"),
        ("C1", "2025-000001"),
        ("C2", "2025-000002"),
    }
    assert export.billed_total == Decimal("1100.00")
    assert service.focus_export(uow, 2025).billed_total == Decimal("1140.00")  # the closed months: with February
    with pytest.raises(Conflict, match="no closed period"):
        service.focus_export(uow, 2025, Period(2025, 3))


def test_a_members_documents_are_member_scoped_and_the_associations_lists_are_not() -> None:
    for use_case in (
        service.member_documents,
        service.find_document,
        service.show_document,
        service.document_ubl,
        service.invoice_pdf,
        service.statement_pdf,
        service.statement_periods,
    ):
        assert permission_of(use_case) == Permission(member_scoped=True), use_case.__name__
    for use_case in (service.list_documents, service.export_documents, service.focus_export, service.load_documents):
        assert permission_of(use_case) == Permission(Action.READ_ASSOCIATION), use_case.__name__


def test_the_statement_periods_are_the_closed_months_of_the_year() -> None:
    assert service.statement_periods(issued(), 2025) == [JAN, FEB]
