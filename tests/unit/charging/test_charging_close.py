"""The close of a month on in-memory repositories: its stages, what it writes, what it refuses, and
the review that runs the same stages without writing anything."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.unit.charging.small import A, B, association, import_month

from mutua.charging.service import close as service
from mutua.charging.service import review
from mutua.kernel.access import Action, Forbidden, Permission, Role, User, permission_of
from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict, Rejected

JAN, FEB = Period(2025, 1), Period(2025, 2)
# P1: 11.6 h senior x 90 + 8 h junior x 60; S1: 2000 x 1.05; C1: 100 x 0.5; C2: 300.5 x 0.5
JANUARY_CHARGED = Decimal("1044.00") + Decimal("480.00") + Decimal("2100.00") + Decimal("50.00") + Decimal("150.25")


def test_closing_a_month_writes_its_charges_locks_it_and_audits_the_close() -> None:
    uow = association()
    import_month(uow, "2025-01")
    result = service.close_period(uow, JAN)
    assert result.total_charged == JANUARY_CHARGED
    assert result.direct_cost == Decimal("6505.00")  # 6,500 of costs + 105 VAT not deductible - 100 income
    assert list(result.timings) == ["load", "check", "charge", "validate", "write"]
    assert uow.charging.closed_periods() == {202501}
    written = {(c.engagement, c.detail): c.amount for _, kind, c in uow.charging.written if kind == "provisional"}
    assert written[("P1", "senior")] == Decimal("1044.00") and written[("S1", "")] == Decimal("2100.00")
    assert {c.member for _, _, c in uow.charging.written if c.engagement == "C2"} == {B}
    [run] = uow.charging.runs
    assert (run["kind"], run["total_charged"], run["total_cost"]) == ("close", JANUARY_CHARGED, Decimal("6505.00"))
    close = uow.audit.recorded[-1]
    assert (close["action"], close["entity"], close["entity_key"], close["actor"]) == (
        "close",
        "period",
        "2025-01",
        "ctrl",
    )


def test_a_month_is_closed_once_and_nothing_is_written_the_second_time() -> None:
    uow = association()
    import_month(uow, "2025-01")
    service.close_period(uow, JAN)
    before = list(uow.charging.written)
    with pytest.raises(Conflict, match="period 2025-01 is already closed"):
        service.close_period(uow, JAN)
    assert uow.charging.written == before and len(uow.charging.runs) == 1


def test_months_are_closed_in_order() -> None:
    uow = association()
    import_month(uow, "2025-02")
    with pytest.raises(Conflict, match="close 2025-01 first: periods are closed in order"):
        service.close_period(uow, FEB)
    assert uow.charging.closed_periods() == set()


def test_a_month_without_its_years_tariffs_is_refused_whole_and_rolled_back() -> None:
    uow = association()
    import_month(uow, "2026-01")  # the cost model has 2025's tariffs only
    with pytest.raises(Rejected) as refused:
        service.close_period(uow, Period(2026, 1))
    assert {str(p) for p in refused.value.problems} == {
        "cost model: tariffs: no 2026 tariff for service HOURS (Development)",
        "cost model: tariffs: no 2026 tariff for service SECOND (Secondment)",
        "cost model: tariffs: no 2026 tariff for service VMH (VM hours)",
    }
    assert uow.charging.closed_periods() == set() and uow.charging.written == [] and uow.charging.runs == []
    assert uow.audit.recorded == []  # nothing of the close was audited


def test_the_review_runs_the_close_stages_and_writes_nothing() -> None:
    uow = association()
    import_month(uow, "2025-01")
    preview = review.preview_close(uow, JAN)
    assert preview.can_lock and not preview.closed
    assert (preview.charges, preview.members, preview.total_charged) == (5, 2, JANUARY_CHARGED)
    assert [(s.service, s.lines, s.amount) for s in preview.by_service] == [
        ("HOURS", 2, Decimal("1524.00")),
        ("SECOND", 1, Decimal("2100.00")),
        ("VMH", 2, Decimal("200.25")),
    ]
    assert list(preview.timings) == ["load", "check", "charge", "validate"]
    assert uow.charging.written == [] and uow.charging.closed_periods() == set() and not uow.committed
    assert service.close_period(uow, JAN).total_charged == preview.total_charged


def test_the_review_lists_what_blocks_the_close_instead_of_refusing() -> None:
    uow = association()
    import_month(uow, "2025-02")
    preview = review.preview_close(uow, FEB)
    assert preview.blockers == ("close 2025-01 first: periods are closed in order",)
    assert not preview.can_lock and preview.total_charged == JANUARY_CHARGED  # February's books: same as January's
    assert preview.as_json()["can_lock"] is False and preview.as_json()["total_charged"] == str(JANUARY_CHARGED)


def test_the_close_status_says_which_months_are_closed_and_the_next_to_close() -> None:
    uow = association()
    import_month(uow, "2025-01")
    service.close_period(uow, JAN)
    status = service.close_status(uow, 2025)
    assert [p.status for p in status.periods][:3] == ["closed", "open", "open"]
    assert status.next_open == FEB and status.true_up is None
    assert status.as_json()["periods"][0] == {"period": "2025-01", "status": "closed"}


def test_closing_needs_the_close_permission_and_its_status_the_associations() -> None:
    controller = User("ctrl", Role.CONTROLLER)
    auditor = User("audit", Role.AUDITOR)
    holder = User("jan", Role.BUDGET_HOLDER, member=A)
    for use_case in (service.close_period, review.preview_close, service.true_up):
        assert permission_of(use_case) == Permission(Action.CLOSE)
        permission_of(use_case).check(controller)
        for refused in (auditor, holder):
            with pytest.raises(Forbidden):
                permission_of(use_case).check(refused)
    assert permission_of(service.close_status) == Permission(Action.READ_ASSOCIATION)
    permission_of(service.close_status).check(auditor)
    with pytest.raises(Forbidden):
        permission_of(service.close_status).check(holder)  # a budget holder does not read the association's close
