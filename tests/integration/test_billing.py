"""Issuing documents from the close of a small association, on SQLite and PostgreSQL."""

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from mutua.billing import db as tb
from mutua.billing import service as billing
from mutua.bootstrap import unit_of_work
from mutua.charging import db as charging_db
from mutua.charging.service.close import TrueUpMode, close_period, true_up
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import Conflict
from mutua.platform.db import schema
from mutua.registry import db as registry_db
from tests.integration import small
from tests.integration.small import A, B

JAN = Period(2025, 1)


@pytest.fixture
def closed_year(engine: Engine, tmp_path: Path) -> Engine:
    small.registry(engine, tmp_path)
    for p in months_of(2025):
        small.month(engine, tmp_path, str(p))
        close_period(unit_of_work(engine), p)
    true_up(unit_of_work(engine), 2025, TrueUpMode.SETTLE)
    return engine


def test_a_closed_month_gives_each_charged_member_one_invoice_numbered_from_one(closed_year: Engine) -> None:
    result = billing.issue_period_invoices(unit_of_work(closed_year), JAN, date(2025, 2, 1))
    assert [d.number for d in result.documents] == ["2025-000001", "2025-000002"]
    docs = {d.member: d for d in billing.list_documents(unit_of_work(closed_year), period=JAN)}
    # A: P1 11.6 h senior x 90 + 8 h junior x 60, C1 100 VM-hours x 0.5; B: S1 2000 x 1.05, C2 300.5 x 0.5
    assert docs[A].total == Decimal("1574.00") and docs[B].total == Decimal("2250.25")
    shown = billing.show_document(unit_of_work(closed_year), docs[A].number)
    assert [(x.engagement, x.service) for x in shown.lines] == [
        ("C1", "VMH"),
        ("P1", "HOURS"),
        ("P1", "HOURS"),
    ]
    assert shown.buyer_reference == A  # two order references (on the lines): the member's number
    assert shown.summary.due_on == date(2025, 3, 3)


def test_an_open_period_cannot_be_invoiced_and_an_invoiced_one_not_twice(engine: Engine, tmp_path: Path) -> None:
    small.registry(engine, tmp_path)
    small.month(engine, tmp_path, "2025-01")
    with pytest.raises(Conflict, match="not closed"):
        billing.issue_period_invoices(unit_of_work(engine), JAN, date(2025, 2, 1))
    close_period(unit_of_work(engine), JAN)
    billing.issue_period_invoices(unit_of_work(engine), JAN, date(2025, 2, 1))
    with pytest.raises(Conflict, match="already issued"):
        billing.issue_period_invoices(unit_of_work(engine), JAN, date(2025, 2, 2))
    assert len(billing.list_documents(unit_of_work(engine), period=JAN)) == 2


def test_an_issued_document_never_changes_and_a_correction_is_a_new_document(closed_year: Engine) -> None:
    billing.issue_period_invoices(unit_of_work(closed_year), JAN, date(2025, 2, 1))
    before = billing.document_ubl(unit_of_work(closed_year), "2025-000001")
    correction = billing.issue_correction(unit_of_work(closed_year), "2025-000001", "wrong order", date(2025, 2, 5))
    assert correction.documents[0].number == "2025-000003"
    assert correction.documents[0].kind.value == "credit_note"
    assert billing.document_ubl(unit_of_work(closed_year), "2025-000001") == before
    shown = billing.show_document(unit_of_work(closed_year), "2025-000003")
    assert shown.refers_to == ("2025-000001",) and shown.summary.purpose.value == "correction"
    assert b"<cbc:ID>2025-000001</cbc:ID>" in billing.document_ubl(unit_of_work(closed_year), "2025-000003")
    with pytest.raises(Conflict, match="already issued"):
        billing.issue_correction(unit_of_work(closed_year), "2025-000001", "again", date(2025, 2, 6))


def test_documents_are_issued_in_date_order_within_a_year(closed_year: Engine) -> None:
    billing.issue_period_invoices(unit_of_work(closed_year), JAN, date(2025, 3, 5))
    with pytest.raises(Conflict, match="already issued on 2025-03-05"):
        billing.issue_period_invoices(unit_of_work(closed_year), Period(2025, 2), date(2025, 3, 4))


def test_invoices_minus_credit_notes_equal_each_members_actual_cost_share(closed_year: Engine) -> None:
    results = billing.issue_year(unit_of_work(closed_year), 2025)
    assert len(results) == 13
    true_up_docs = results[-1].documents
    assert {d.member for d in true_up_docs} <= {A, B}
    net = billing.net_billed_by_member(unit_of_work(closed_year), 2025)
    with closed_year.connect() as c:
        actual = dict(
            c.execute(
                select(registry_db.members.c.enterprise_number, func.sum(charging_db.true_up_shares.c.actual))
                .join(registry_db.members, registry_db.members.c.id == charging_db.true_up_shares.c.member_id)
                .group_by(registry_db.members.c.enterprise_number)
            ).all()
        )
    assert net == actual  # sums of the cents columns come back as Decimal euros
    # each true-up document refers to the member's twelve invoices
    for d in true_up_docs:
        shown = billing.show_document(unit_of_work(closed_year), d.number)
        assert len(shown.refers_to) == 12


def test_numbers_are_gapless_per_year_and_every_issue_is_audited(closed_year: Engine) -> None:
    billing.issue_year(unit_of_work(closed_year), 2025)
    docs = billing.list_documents(unit_of_work(closed_year), year=2025)
    by_year: dict[int, list[int]] = {}
    for d in docs:
        year, seq = d.number.split("-")
        by_year.setdefault(int(year), []).append(int(seq))
    for seqs in by_year.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))
    assert set(by_year) == {2025, 2026}  # December and the true-up are issued in January
    with closed_year.connect() as c:
        audited = c.execute(
            select(func.count()).select_from(schema.audit_log).where(schema.audit_log.c.action == "issue")
        ).scalar_one()
    assert audited == len(docs)


def test_concurrent_issuing_leaves_no_gap_and_no_duplicate(closed_year: Engine, backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite serialises writers; the row lock that matters is PostgreSQL's")
    errors: list[BaseException] = []

    def run(period: Period) -> None:
        try:
            billing.issue_period_invoices(unit_of_work(closed_year), period, date(2025, 6, 1))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in months_of(2025)[:5]]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    with closed_year.connect() as c:
        seqs = sorted(
            c.execute(select(tb.billing_documents.c.sequence).where(tb.billing_documents.c.year == 2025)).scalars()
        )
    assert seqs == list(range(1, 11))


def test_the_focus_export_totals_equal_the_close_to_the_cent(closed_year: Engine) -> None:
    billing.issue_year(unit_of_work(closed_year), 2025)
    export = billing.focus_export(unit_of_work(closed_year), 2025)
    with closed_year.connect() as c:
        charged = c.execute(select(func.sum(charging_db.charges.c.amount))).scalar_one()
        cost = c.execute(select(func.sum(charging_db.true_up_shares.c.actual))).scalar_one()
    assert export.billed_total == charged == cost
    january = billing.focus_export(unit_of_work(closed_year), 2025, JAN)
    assert january.billed_total == Decimal("3824.25")
    assert {r["InvoiceId"] for r in january.rows} == {"2025-000001", "2025-000002"}
    assert sum((Decimal(r["EffectiveCost"]) for r in export.rows), ZERO) == export.billed_total


def test_the_statement_and_invoice_pdfs_are_rendered_in_the_members_language(closed_year: Engine) -> None:
    from mutua.billing.documents import pdf as pdf_documents
    from mutua.charging.service.reporting import member_statement

    billing.issue_period_invoices(unit_of_work(closed_year), JAN, date(2025, 2, 1))
    loaded = billing.load_documents(unit_of_work(closed_year), period=JAN)
    by_member = {d.draft.member: d for d in loaded.documents}
    dutch = pdf_documents.invoice_html(by_member[A], loaded.association, loaded.members[A])
    french = pdf_documents.invoice_html(by_member[B], loaded.association, loaded.members[B])
    assert "Factuur 2025-000001" in dutch and "Te betalen" in dutch and "€\xa01.574,00" in dutch
    assert "Facture 2025-000002" in french and "Montant à payer" in french and "2\u202f250,25\xa0€" in french
    assert by_member[A].payment_reference in dutch
    statement = billing.statement_pdf(
        unit_of_work(closed_year), B, JAN, member_statement(unit_of_work(closed_year), B, JAN)
    )
    invoice = billing.invoice_pdf(unit_of_work(closed_year), "2025-000001")
    assert statement.startswith(b"%PDF") and invoice.startswith(b"%PDF")


def test_the_database_itself_refuses_to_change_or_delete_an_issued_document(closed_year: Engine) -> None:
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    billing.issue_period_invoices(unit_of_work(closed_year), JAN, date(2025, 2, 1))
    d, ln = tb.billing_documents, tb.billing_lines
    for statement in (
        update(d).where(d.c.number == "2025-000001").values(total=Decimal("1.00")),
        delete(d).where(d.c.number == "2025-000001"),
        update(ln).values(amount=Decimal("0.00")),
    ):
        with pytest.raises(DBAPIError, match="immutable"), closed_year.begin() as c:
            c.execute(statement)
    assert billing.show_document(unit_of_work(closed_year), "2025-000001").summary.total == Decimal("1574.00")


def test_the_statement_shows_the_same_figures_as_the_members_invoice(closed_year: Engine) -> None:
    from mutua.charging.service.reporting import member_statement

    billing.issue_year(unit_of_work(closed_year), 2025)
    for period in (JAN, Period(2025, 6)):
        for doc in billing.list_documents(unit_of_work(closed_year), period=period):
            statement = member_statement(unit_of_work(closed_year), doc.member, period).as_json()
            assert Decimal(statement["period_total"]) == doc.total
            invoice_lines = billing.show_document(unit_of_work(closed_year), doc.number).lines
            statement_lines = [ln for e in statement["engagements"] for ln in e["lines"]]
            assert sorted(x.amount for x in invoice_lines) == sorted(Decimal(x["amount"]) for x in statement_lines)
    # December's statement holds the month's invoice and the true-up document together
    december = billing.list_documents(unit_of_work(closed_year), period=Period(2025, 12))
    for member in (A, B):
        statement = member_statement(unit_of_work(closed_year), member, Period(2025, 12)).as_json()
        signed = sum((d.signed_total for d in december if d.member == member), ZERO)
        assert Decimal(statement["period_total"]) == signed


def test_issuing_the_same_period_twice_at_once_issues_it_once(closed_year: Engine, backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite serialises writers; the race that matters is PostgreSQL's")
    outcomes: list[str] = []
    barrier = threading.Barrier(3)

    def run() -> None:
        barrier.wait()
        try:
            billing.issue_period_invoices(unit_of_work(closed_year), JAN, date(2025, 2, 1))
            outcomes.append("issued")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=run) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["conflict", "conflict", "issued"]
    docs = billing.list_documents(unit_of_work(closed_year), period=JAN)
    assert [d.number for d in docs] == ["2025-000001", "2025-000002"]


def test_members_not_on_peppol_get_the_pdf_rendering_beside_the_ubl(closed_year: Engine, tmp_path: Path) -> None:
    billing.issue_period_invoices(unit_of_work(closed_year), JAN, date(2025, 2, 1))
    billing.set_channel(unit_of_work(closed_year), B, "pdf")
    written = {p.name for p in billing.export_documents(unit_of_work(closed_year), tmp_path / "default", period=JAN)}
    assert written == {"2025-000001.xml", "2025-000002.xml", "2025-000002.pdf"}  # B is 2025-000002
    none = {
        p.name for p in billing.export_documents(unit_of_work(closed_year), tmp_path / "none", period=JAN, pdf=False)
    }
    assert none == {"2025-000001.xml", "2025-000002.xml"}
    billing.set_channel(unit_of_work(closed_year), B, "peppol")
    assert billing.pdf_members(unit_of_work(closed_year)) == set()
    with pytest.raises(Conflict, match="unknown channel"):
        billing.set_channel(unit_of_work(closed_year), B, "fax")


def test_a_true_up_credit_note_renders_in_french_with_its_references(closed_year: Engine) -> None:
    from mutua.billing.documents import pdf as pdf_documents

    billing.issue_year(unit_of_work(closed_year), 2025)
    loaded = billing.load_documents(unit_of_work(closed_year), period=Period(2025, 12))
    true_ups = [d for d in loaded.documents if d.draft.purpose.value == "true_up" and d.draft.member == B]
    assert len(true_ups) == 1
    html = pdf_documents.invoice_html(true_ups[0], loaded.association, loaded.members[B])
    title = "Facture" if true_ups[0].kind.value == "invoice" else "Note de crédit"
    assert f"{title} {true_ups[0].number}" in html
    assert "Régularisation annuelle 2025" in html
    assert all(r.number in html for r in true_ups[0].draft.references)


def test_a_months_invoices_are_issued_after_the_month(closed_year: Engine) -> None:
    with pytest.raises(Conflict, match="after the month"):
        billing.issue_period_invoices(unit_of_work(closed_year), JAN, date(2025, 1, 31))
    assert billing.issue_period_invoices(unit_of_work(closed_year), JAN, date(2025, 2, 1)).documents
