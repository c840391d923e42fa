"""Scenarios on in-memory repositories (issue 13, item 3): a year under another model, method or the
proposed tariffs against the adopted model, per centre, service and member; nothing written by a
comparison; saved, shown and adopted from a date with the decision's reference."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fakes import FakeUnitOfWork
from tests.fakes.scenarios import FakeScenarios
from tests.small_model import MODEL
from tests.unit.charging.small import association, import_month
from tests.unit.modelgen import models

from mutua.charging.domain import Drivers, UsageQuantity
from mutua.charging.service import close as closing
from mutua.costing.domain.centres import SupportMethod
from mutua.costing.domain.model import build_cost_model
from mutua.kernel.access import Action, permission_of
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period, months_of
from mutua.kernel.problems import Conflict, Rejected
from mutua.registry.domain import Engagement, EngagementKind
from mutua.scenarios import service
from mutua.scenarios.domain import Basis, YearBooks, compare

# HR's cost shared otherwise: half to DEV, half to VM, nothing to SEC.
OTHER_KEYS = MODEL.replace("weights: {DEV: 3, SEC: 1, VM: 1}", "weights: {DEV: 1, SEC: 0, VM: 1}").replace(
    'version: "1"', 'version: "1-keys"'
)


def closed_months(n: int, year: int = 2025) -> FakeUnitOfWork:
    uow = association()
    uow.scenarios = FakeScenarios()  # type: ignore[attr-defined]
    uow._names.append("scenarios")
    for p in months_of(year)[:n]:
        import_month(uow, str(p))
        closing.close_period(uow, p)
    return uow


def state(uow: FakeUnitOfWork) -> dict[str, object]:
    return {n: copy.deepcopy(getattr(uow, n).__dict__) for n in uow._names}


def test_the_adopted_model_as_a_scenario_changes_nothing() -> None:
    uow = closed_months(3)
    proposed = service.scenario_model(uow, 2025, model_text=MODEL, source="same.yaml")
    c = service.compare_scenario(uow, 2025, proposed)
    assert c.unchanged and c.basis is Basis.MODEL and len(c.periods) == 3
    tables = (c.centres, c.services, c.members, c.service_charges, c.member_charges)
    assert all(d.change == 0 and d.change_pct == 0 for t in tables for d in t)
    assert c.adopted.zero_result and c.scenario.zero_result
    assert c.adopted.total_cost == sum(uow.charging.direct_costs_by_centre([p.key for p in c.periods]).values())
    assert {d.code for d in c.members} == {"0203430576", "0406798006"}


def test_other_keys_move_cost_between_centres_services_and_members_but_not_the_total() -> None:
    uow = closed_months(3)
    c = service.compare_scenario(uow, 2025, service.scenario_model(uow, 2025, model_text=OTHER_KEYS))
    assert not c.unchanged
    centres = {d.code: d for d in c.centres}
    assert centres["SEC"].change < 0 and centres["DEV"].change < 0 and centres["VM"].change > 0  # 3:1:1 -> 1:0:1
    assert sum(d.change for d in c.centres) == sum(d.change for d in c.services) == ZERO
    assert sum(d.change for d in c.members) == ZERO  # cost moves between members, the total stays
    assert c.scenario.zero_result and c.adopted.zero_result
    sec = centres["SEC"]
    assert sec.change_pct == (sec.change * 100 / sec.adopted).quantize(Decimal("0.01"))
    assert all(d.change == 0 for d in c.member_charges)  # same tariffs: the same charges
    assert c.scenario_version == "1-keys" and c.adopted_version == "1"


def test_a_comparison_writes_nothing() -> None:
    uow = closed_months(2)
    before = state(uow)
    commits = uow.commits
    service.compare_scenario(uow, 2025, service.scenario_model(uow, 2025, model_text=OTHER_KEYS))
    service.compare_scenario(uow, 2025, service.scenario_model(uow, 2025, method=SupportMethod.DIRECT))
    assert state(uow) == before and uow.commits == commits


def test_another_method_is_the_adopted_model_with_that_method() -> None:
    uow = closed_months(1)
    proposed = service.scenario_model(uow, 2025, method=SupportMethod.RECIPROCAL)
    assert proposed.basis is Basis.METHOD and proposed.model.support_method is SupportMethod.RECIPROCAL
    assert proposed.model.centres == uow.costing.cost_model()[1].centres
    c = service.compare_scenario(uow, 2025, proposed)
    assert c.scenario.method is SupportMethod.RECIPROCAL and c.adopted.method is SupportMethod.STEP_DOWN
    assert c.unchanged  # one support centre: every method allocates it alike


def test_a_year_without_a_closed_month_is_compared_on_what_is_booked() -> None:
    uow = closed_months(0)
    import_month(uow, "2025-01")
    before = state(uow)
    c = service.compare_scenario(uow, 2025, service.scenario_model(uow, 2025, model_text=OTHER_KEYS))
    assert len(c.periods) == 12 and not c.unchanged and c.scenario.zero_result
    assert c.adopted.total_charged > 0
    assert state(uow) == before


def test_exactly_one_kind_of_scenario_is_asked_for() -> None:
    uow = closed_months(1)
    with pytest.raises(Rejected):
        service.scenario_model(uow, 2025, model_text=MODEL, method=SupportMethod.DIRECT)
    with pytest.raises(Rejected):
        service.scenario_model(uow, 2025)


def test_the_proposed_tariffs_as_a_scenario_show_their_effect_per_member() -> None:
    uow = closed_months(12)
    closing.true_up(uow, 2025)
    proposed = service.scenario_model(uow, 2025, tariffs=True)
    assert proposed.basis is Basis.TARIFFS and proposed.tariff_year == 2026
    c = service.compare_scenario(uow, 2025, proposed)
    assert c.tariff_year == 2026
    assert all(d.change == 0 for d in (*c.centres, *c.services, *c.members))  # the cost is the cost
    assert any(d.change != 0 for d in c.member_charges)
    # the proposed tariffs recover the year's actual cost (to the rounding of the tariffs)
    assert abs(c.scenario.total_charged - c.scenario.total_cost) < abs(c.adopted.total_charged - c.adopted.total_cost)


def test_save_show_and_adopt_from_a_date_with_the_decision() -> None:
    uow = closed_months(3)
    proposed = service.scenario_model(uow, 2025, model_text=OTHER_KEYS)
    saved, c = service.save_scenario(uow, "keys 2025", 2025, proposed, "HR by headcount")
    assert saved.name == "keys 2025" and not c.unchanged and uow.scenarios.locks_taken == 1
    assert [s.name for s in service.list_scenarios(uow)] == ["keys 2025"]
    assert uow.audit.recorded[-1]["action"] == "save"
    with pytest.raises(Conflict):
        service.save_scenario(uow, "keys 2025", 2025, proposed)
    shown, again = service.show_scenario(uow, "keys 2025")
    assert shown == saved and again.as_json() == c.as_json()

    with pytest.raises(Rejected):
        service.adopt_scenario(uow, "keys 2025", date(2025, 4, 15), "CA 2025/12")
    with pytest.raises(Rejected):
        service.adopt_scenario(uow, "keys 2025", date(2025, 4, 1), " ")
    with pytest.raises(Conflict):  # March is closed
        service.adopt_scenario(uow, "keys 2025", date(2025, 3, 1), "CA 2025/12")
    versions = len(uow.costing.versions)
    adopted = service.adopt_scenario(uow, "keys 2025", date(2025, 6, 1), "CA 2025/12")
    assert adopted.adoption is not None and adopted.adoption.decision == "CA 2025/12"
    assert len(uow.costing.versions) == versions + 1
    model_id = adopted.adoption.model_id
    assert uow.costing.cost_model(date(2025, 5, 31))[0] != model_id  # not yet in force
    assert uow.costing.cost_model(date(2025, 6, 1))[0] == model_id
    assert uow.audit.recorded[-1]["action"] == "adopt"
    with pytest.raises(Conflict):
        service.adopt_scenario(uow, "keys 2025", date(2025, 7, 1), "CA 2025/13")
    # April and May close with the model in force then; June with the adopted one
    for month in (4, 5, 6):
        import_month(uow, f"2025-{month:02d}")
        closing.close_period(uow, Period(2025, month))
    assert uow.charging.closed[202505] != model_id and uow.charging.closed[202506] == model_id


def test_permissions() -> None:
    assert permission_of(service.compare_scenario).action is Action.CLOSE
    assert permission_of(service.save_scenario).action is Action.CLOSE
    assert permission_of(service.adopt_scenario).action is Action.CLOSE
    assert permission_of(service.show_scenario).action is Action.READ_ASSOCIATION
    assert permission_of(service.list_scenarios).action is Action.READ_ASSOCIATION


# -- random models ----------------------------------------------------------------------------------


def _books(model_data: dict, costs: list[int], usage: list[int]) -> tuple[object, YearBooks]:
    model, problems = build_cost_model(model_data)
    assert model is not None, problems
    members = {f"M{i}": f"member {i}" for i in range(3)}
    engagements = tuple(
        Engagement(f"E{i}-{s.code}", f"M{i}", EngagementKind.SERVICE, "e", None, Decimal(1000), date(2025, 1, 1))
        for i in range(3)
        for s in model.services
    )
    direct = {c.code: Decimal(costs[i % len(costs)]) / 100 for i, c in enumerate(model.centres)}
    january = Drivers(
        tuple(
            UsageQuantity(e.code, e.code.split("-", 1)[1], Decimal(usage[j % len(usage)]))
            for j, e in enumerate(engagements)
        ),
        (),
        (),
    )
    charged: dict[tuple[str, str], Decimal] = {}
    months = ((Period(2025, 1), january),)
    books = YearBooks(2025, (Period(2025, 1),), engagements, january, direct, charged, members, months)
    from mutua.scenarios.domain import charges_at_tariffs

    charged, problems = charges_at_tariffs(model, books, 2025)
    assert not problems
    return model, replace(books, charged=charged)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    models(),
    st.sampled_from(list(SupportMethod)),
    st.lists(st.integers(min_value=0, max_value=10_000_000), min_size=1, max_size=8),
    st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=8),
)
def test_random_models_agree_with_themselves_and_add_up_under_any_method(
    data: dict, method: SupportMethod, costs: list[int], usage: list[int]
) -> None:
    from mutua.scenarios.domain import with_method

    model, books = _books(data, costs, usage)
    same, problems = compare(model, model, books, basis=Basis.MODEL)  # type: ignore[arg-type]
    assert same is not None, problems
    assert same.unchanged and same.adopted.zero_result
    other, problems = compare(model, with_method(model, method), books, basis=Basis.METHOD)  # type: ignore[arg-type]
    assert other is not None, problems
    assert other.scenario.zero_result and other.adopted.zero_result
    total = sum(books.direct_costs.values(), ZERO)
    for table in (other.centres, other.services, other.members):
        assert sum((d.scenario for d in table), ZERO) == total == sum((d.adopted for d in table), ZERO)
    assert all(d.change == 0 for d in other.member_charges)  # the method does not change the tariffs
