"""The portal's close page opens on the year a controller is closing: the latest closed month's
until that year is closed and trued up, then the next year (the demo leaves the association there)."""

from __future__ import annotations

from tests.unit.charging.small import association, import_month

from mutua.charging.service import association as association_views
from mutua.charging.service import close as service
from mutua.kernel.periods import months_of


def test_the_close_page_moves_to_next_year_once_december_is_closed_and_trued_up() -> None:
    uow = association()
    for p in months_of(2025):
        import_month(uow, str(p))
        service.close_period(uow, p)
        assert association_views.closing_year(uow) == 2025
    service.true_up(uow, 2025)
    assert association_views.closing_year(uow) == 2026


def test_closed_months_report_from_the_model_their_close_used_whatever_is_imported_later() -> None:
    from tests.small_model import MODEL, A

    from mutua.charging.service import reporting
    from mutua.costing.modelfile import parse_cost_model
    from mutua.kernel.periods import Period

    uow = association()
    for p in months_of(2025)[:3]:
        import_month(uow, str(p))
        service.close_period(uow, p)
    before = (reporting.association_report(uow, 2025).as_json(), reporting.member_statement(uow, A, Period(2025, 2)))
    other = MODEL.replace("name: Small association", "name: Renamed").replace("{DEV: 3, SEC: 1, VM: 1}", "{DEV: 1}")
    uow.costing.add_cost_model(parse_cost_model(other, "other.yaml"), other, "")
    after = (reporting.association_report(uow, 2025).as_json(), reporting.member_statement(uow, A, Period(2025, 2)))
    assert after == before and before[0]["association"] == "Small association"
    import_month(uow, "2025-04")  # the next close uses the model in force, and the year reports from it
    service.close_period(uow, Period(2025, 4))
    assert reporting.association_report(uow, 2025).association == "Renamed"
