"""Accessions and orders: who may join (the clause's scope, the reason when refused), the order's
life (draft, approved, placed, delivered partly and fully, invoiced, cancelled) and every refusal:
past the term, above a ceiling, outside the accession or the lot, over the engagement's budget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict, NotFound, Rejected
from mutua.purchasing.domain import Channel, OrderStatus
from mutua.purchasing.service import accessions, agreements, orders
from tests.small_model import A, B
from tests.unit.purchasing.world import REF, C, fake_uow, join, load, write

D = Decimal
JAN = date(2025, 1, 20)


@pytest.fixture
def uow(tmp_path: Path) -> Any:
    uow = fake_uow()
    load(uow, tmp_path)
    return uow


def _reasons(refused: pytest.ExceptionInfo[Rejected]) -> list[str]:
    return [p.message for p in refused.value.problems]


def test_members_in_the_clauses_scope_join_and_one_outside_it_is_refused_with_the_reason(uow: Any) -> None:
    join(uow, A)  # category A
    join(uow, B)  # the Walloon region
    with pytest.raises(Rejected) as refused:
        join(uow, C)
    assert _reasons(refused) == [
        f"member {C} (category C, region not known) is outside the scope of agreement {REF}: its clause opens it "
        "to members of category A; public bodies of the walloon region"
    ]
    with pytest.raises(Conflict, match="joined"):
        join(uow, A)
    seen = accessions.accessions(uow)  # every member sees who joined what
    assert [(x.accession.member, x.member_name, x.accession.decision_reference) for x in seen] == [
        (A, "Rijksdienst A", f"CR-{A[-4:]}"),
        (B, "Commune B", f"CR-{B[-4:]}"),
    ]
    (summary,) = agreements.agreements_overview(uow)
    assert (summary.lots, summary.members, summary.consumed) == (2, 2, D("0.00"))


def test_a_body_named_in_the_clause_joins_with_its_councils_decision_kept(uow: Any, tmp_path: Path) -> None:
    from mutua.purchasing.service.common import FileContent

    text = (
        (tmp_path / "agreement.yaml")
        .read_text()
        .replace(REF, "TEST-NAMED")
        .replace("categories: [A]", f'categories: [B]\n  bodies: ["{C}"]')
    )
    agreements.load_agreement(uow, write(tmp_path, "named.yaml", text))
    decision = FileContent.of("besluit.pdf", b"%PDF council decision")
    view = accessions.join_agreement_content(
        uow, C, "TEST-NAMED", date(2025, 2, 3), "GR-2025-17", decision, on=date(2025, 2, 4)
    )
    assert view.accession.document_sha256 == decision.sha256
    kept = agreements.agreement_detail(uow, "TEST-NAMED").documents
    assert [(d.kind.value, d.member, d.sha256) for d in kept if d.member] == [("council_decision", C, decision.sha256)]


def test_an_order_lives_from_draft_to_invoiced_and_counts_against_the_ceiling_from_its_approval(uow: Any) -> None:
    join(uow, A)
    view = orders.draft_order(uow, A, REF, 1, "ACME", [("LT-16", D(3)), ("DOCK", D(2))], on=JAN)
    order = view.order
    assert order.number == "PO-2025-000001" and order.status is OrderStatus.DRAFT
    assert [(ln.unit_price, ln.amount) for ln in order.lines] == [
        (D("1200.50"), D("3601.50")),
        (D("150.00"), D("300.00")),
    ]
    assert order.value == D("3901.50") and uow.purchasing.consumption() == {}
    orders.approve_order(uow, A, order.number, on=JAN)
    assert uow.purchasing.consumption() == {(REF, 1): D("3901.50")}
    orders.place_order(uow, A, order.number, on=date(2025, 1, 21))
    partly = orders.record_delivery(uow, A, order.number, {1: D(1)}, on=date(2025, 1, 30)).order
    assert partly.status is OrderStatus.PARTLY_DELIVERED and partly.lines[0].delivered == D(1)
    with pytest.raises(Rejected, match="1 problem"):
        orders.record_delivery(uow, A, order.number, {1: D(3)}, on=date(2025, 2, 1))  # 4 of 3
    done = orders.record_delivery(uow, A, order.number, on=date(2025, 2, 3))
    assert done.order.status is OrderStatus.DELIVERED and done.order.delivered_on == date(2025, 2, 3)
    invoiced = orders.record_invoice(uow, A, order.number, "INV-1", on=date(2025, 2, 10))
    assert [e.status for e in invoiced.events] == [
        OrderStatus.DRAFT,
        OrderStatus.APPROVED,
        OrderStatus.PLACED,
        OrderStatus.PARTLY_DELIVERED,
        OrderStatus.DELIVERED,
        OrderStatus.INVOICED,
    ]
    assert uow.charging.ledger == []  # goods: nothing for the close
    with pytest.raises(Conflict, match="it may become nothing, not cancelled"):
        orders.cancel_order(uow, A, order.number, "too late", on=date(2025, 2, 11))
    assert {e["action"] for e in uow.audit.recorded if e["entity"] == "order"} >= {"draft", "approved", "invoiced"}


def test_another_members_order_is_answered_as_an_unknown_one(uow: Any) -> None:
    join(uow, A)
    number = orders.draft_order(uow, A, REF, 1, "ACME", [("LT-14", D(1))], on=JAN).order.number
    for use in (orders.order_detail, orders.approve_order):
        with pytest.raises(NotFound, match=f"no order {number}"):
            use(uow, B, number)
    assert orders.member_orders(uow, B) == [] and [o.number for o in orders.member_orders(uow, A)] == [number]


def test_an_order_outside_the_accession_is_refused_with_the_reason(uow: Any) -> None:
    join(uow, B)
    with pytest.raises(Rejected) as refused:
        orders.draft_order(uow, A, REF, 1, "ACME", [("LT-14", D(1))], on=JAN)
    assert _reasons(refused) == [f"member {A} has not joined agreement {REF}: outside the accession"]
    with pytest.raises(Rejected) as early:  # joined on 2025-01-10: not before
        orders.draft_order(uow, B, REF, 1, "ACME", [("LT-14", D(1))], on=date(2025, 1, 9))
    assert _reasons(early) == [f"member {B} has not joined agreement {REF}: outside the accession"]


def test_an_order_past_the_term_is_refused_and_a_renewal_opens_it_again(uow: Any) -> None:
    join(uow, A)
    with pytest.raises(Rejected) as refused:
        orders.draft_order(uow, A, REF, 1, "ACME", [("LT-14", D(1))], on=date(2026, 1, 5))
    assert _reasons(refused) == [f"agreement {REF} ended on 2025-12-31: no order after its term"]
    draft = orders.draft_order(uow, A, REF, 1, "ACME", [("LT-14", D(1))], on=date(2025, 12, 30)).order
    with pytest.raises(Rejected, match="1 problem"):  # approved after the term: refused then too
        orders.approve_order(uow, A, draft.number, on=date(2026, 1, 2))
    agreements.renew_agreement(uow, REF, on=date(2025, 12, 31))
    assert orders.approve_order(uow, A, draft.number, on=date(2026, 1, 2)).order.status is OrderStatus.APPROVED


def test_an_order_above_a_ceiling_is_refused_with_the_consumption_named(uow: Any) -> None:
    join(uow, A)
    join(uow, B)
    first = orders.draft_order(uow, A, REF, 1, "ACME", [("LT-14", D(60))], on=JAN).order  # 54,000.00
    orders.approve_order(uow, A, first.number, on=JAN)
    with pytest.raises(Rejected) as refused:
        orders.draft_order(uow, B, REF, 1, "ACME", [("LT-14", D(7))], on=JAN)  # 6,300.00 more
    assert _reasons(refused) == [
        f"above the ceiling of lot 1 of {REF}: 54000.00 ordered of 60000.00, this order (6300.00) would bring it "
        "to 60300.00"
    ]
    second = orders.draft_order(
        uow, B, REF, 1, "ACME", [("LT-14", D(5)), ("DOCK", D(10))], on=JAN
    ).order  # to the ceiling
    third = orders.draft_order(uow, A, REF, 1, "ACME", [("DOCK", D(1))], on=JAN).order  # fits while drafts
    orders.approve_order(uow, B, second.number, on=JAN)
    with pytest.raises(Rejected, match="above the ceiling of lot 1"):  # checked again when approved
        orders.approve_order(uow, A, third.number, on=JAN)
    orders.cancel_order(uow, B, second.number, "budget moved", on=JAN)
    orders.approve_order(uow, A, third.number, on=JAN)  # a cancelled order no longer counts
    assert uow.purchasing.consumption() == {(REF, 1): D("54150.00")}


def test_an_order_outside_the_lot_or_against_the_cascade_is_refused(uow: Any) -> None:
    join(uow, A)
    with pytest.raises(Rejected) as other_lot:
        orders.draft_order(uow, A, REF, 1, "ACME", [("SENIOR", D(1))], on=JAN)
    assert _reasons(other_lot) == [f"line 1: item SENIOR is outside lot 1 of {REF} from ACME"]
    with pytest.raises(Rejected) as cascade:
        orders.draft_order(uow, A, REF, 1, "BETA", [("B-14", D(1))], on=JAN)
    assert _reasons(cascade) == [
        f"lot 1 of {REF} is a cascade: ask ACME (rank 1) first, or say why BETA (rank 2) is asked"
    ]
    why = "ACME cannot deliver within 30 days"
    order = orders.draft_order(uow, A, REF, 1, "BETA", [("B-14", D(1))], cascade_reason=why, on=JAN).order
    assert orders.approve_order(uow, A, order.number, on=JAN).events[0].note == f"cascade: {why}"


def test_a_consultancy_order_names_a_consultancy_engagement_within_its_budget(uow: Any) -> None:
    join(uow, A)
    with pytest.raises(Rejected) as unnamed:
        orders.draft_order(uow, A, REF, 2, "CONS1", [("SENIOR", D(5))], channel=Channel.ASSOCIATION, on=JAN)
    assert _reasons(unnamed) == ["lot 2 sells consultancy in man-days: name the engagement it feeds"]
    with pytest.raises(Rejected) as project:
        orders.draft_order(
            uow, A, REF, 2, "CONS1", [("SENIOR", D(5))], engagement="P1", channel=Channel.ASSOCIATION, on=JAN
        )
    assert _reasons(project) == ["engagement P1 is a project engagement, not a consultancy one"]
    with pytest.raises(Rejected) as direct:
        orders.draft_order(uow, A, REF, 2, "CONS1", [("SENIOR", D(5))], engagement="K1", on=JAN)
    assert "goes through the association" in _reasons(direct)[0]
    with pytest.raises(Rejected) as over:  # 12 x 800.00 = 9,600.00 > 9,000.00
        orders.draft_order(
            uow, A, REF, 2, "CONS1", [("SENIOR", D(12))], engagement="K1", channel=Channel.ASSOCIATION, on=JAN
        )
    assert _reasons(over) == [
        "beyond the budget of engagement K1: 0.00 ordered in 2025 of 9000.00, this order (9600.00) would bring it "
        "to 9600.00"
    ]
    with pytest.raises(Rejected, match="unknown engagement KB"):  # B's engagement
        orders.draft_order(
            uow, A, REF, 2, "CONS1", [("SENIOR", D(1))], engagement="KB", channel=Channel.ASSOCIATION, on=JAN
        )


def test_a_consultancy_orders_invoice_is_booked_on_its_engagement_for_the_close_at_cost(uow: Any) -> None:
    join(uow, A)
    number = orders.draft_order(
        uow, A, REF, 2, "CONS1", [("SENIOR", D("10.5"))], engagement="K1", channel=Channel.ASSOCIATION, on=JAN
    ).order.number
    orders.approve_order(uow, A, number, on=JAN)
    orders.place_order(uow, A, number, on=JAN)
    orders.record_delivery(uow, A, number, on=date(2025, 2, 28))
    uow.charging.closed[202502] = 1
    with pytest.raises(Conflict, match="2025-02 is closed"):
        orders.record_invoice(uow, A, number, "F-77", on=date(2025, 2, 28))
    orders.record_invoice(uow, A, number, "F-77", on=date(2025, 3, 3))
    ((batch, line),) = uow.charging.ledger
    assert (line.entry_id, line.period, line.account, line.centre, line.engagement) == (
        f"PO:{number}",
        Period(2025, 3),
        "613000",
        "SEC",  # the centre of the engagement's real-cost service (SECOND)
        "K1",
    )
    assert (line.amount, line.nd_vat) == (D("8400.00"), D("1764.00"))
    assert uow.batches.batches[batch - 1][0] == "purchasing_invoice"
    with pytest.raises(Rejected) as budget:  # 8,400.00 of 9,000.00 taken this year
        orders.draft_order(
            uow, A, REF, 2, "CONS1", [("SENIOR", D(1))], engagement="K1", channel=Channel.ASSOCIATION, on=JAN
        )
    assert "8400.00 ordered in 2025 of 9000.00" in _reasons(budget)[0]


def test_the_state_machine_refuses_a_step_out_of_order(uow: Any) -> None:
    join(uow, A)
    number = orders.draft_order(uow, A, REF, 1, "ACME", [("LT-14", D(1))], on=JAN).order.number
    with pytest.raises(Conflict, match="is draft: it may become approved, cancelled, not placed"):
        orders.place_order(uow, A, number, on=JAN)
    with pytest.raises(Rejected, match="1 problem"):
        orders.cancel_order(uow, A, number, " ", on=JAN)
    cancelled = orders.cancel_order(uow, A, number, "not needed", on=JAN).order
    assert cancelled.status is OrderStatus.CANCELLED and cancelled.cancelled_on == JAN
