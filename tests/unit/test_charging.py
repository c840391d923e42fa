from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from mutua.charging.domain import (
    DirectCost,
    Drivers,
    TimeQuantity,
    UsageQuantity,
    allocate_actual,
    charged_by_engagement,
    provisional_charges,
)
from mutua.costing.domain.allocation import allocate_support
from mutua.costing.domain.model import build_cost_model
from mutua.costing.modelfile import parse_cost_model
from mutua.kernel.money import ZERO
from mutua.kernel.periods import Period, months_of
from mutua.registry.domain import Engagement, EngagementKind
from tests.unit.modelgen import models

MODEL = parse_cost_model(
    """
name: small
version: "1"
association: {name: A, enterprise_number: "0406798006", iban: BE71096123456769}
support_allocation: {method: reciprocal}
centres:
  - {code: HR, name: HR, kind: support, key: {basis: weights, weights: {DEV: 3, SEC: 1, VM: 1, OPS: 1}}}
  - {code: FIN, name: FIN, kind: support, key: {basis: direct_cost}}
  - {code: DEV, name: DEV, kind: operational}
  - {code: SEC, name: SEC, kind: operational}
  - {code: VM, name: VM, kind: service}
  - {code: OPS, name: OPS, kind: service}
accounts: [{prefix: "6", name: costs}]
services:
  - {code: HOURS, name: dev, centre: DEV, activity: development, charging: time, unit: hour, unit_code: HUR}
  - {code: SECOND, name: sec, centre: SEC, activity: secondment, charging: real_cost, unit: EUR, unit_code: C62}
  - {code: VMH, name: vm, centre: VM, activity: infrastructure, charging: usage, unit: VM-hour, unit_code: HUR}
  - {code: RACK, name: rack, centre: VM, activity: infrastructure, charging: reserved_capacity, unit: rack,
     unit_code: C62}
  - {code: MON, name: mon, centre: OPS, activity: infrastructure, charging: fixed_share, unit: month, unit_code: MON}
  - {code: DESK, name: desk, centre: OPS, activity: infrastructure, charging: even_split, unit: month,
     unit_code: MON}
tariffs:
  - {year: 2025, service: HOURS, grades: {junior: "60.00", senior: "90.00"}}
  - {year: 2025, service: SECOND, markup: "0.05"}
  - {year: 2025, service: VMH, price: "0.123"}
  - {year: 2025, service: RACK, price: "1500"}
  - {year: 2025, service: MON, annual: "1200.01"}
  - {year: 2025, service: DESK, annual: "100.00"}
""",
    "small.yaml",
)

A, B = "0203430576", "0406798006"
ENGAGEMENTS = [
    Engagement("P1", A, EngagementKind.PROJECT, "project", "HOURS", Decimal(1000), date(2025, 1, 1)),
    Engagement("S1", B, EngagementKind.SECONDMENT, "secondment", "SECOND", Decimal(1000), date(2025, 1, 1)),
    Engagement("C1", A, EngagementKind.SERVICE, "cloud A", "MON", Decimal(1000), date(2025, 1, 1), weight=Decimal(2)),
    Engagement("C2", B, EngagementKind.SERVICE, "cloud B", "MON", Decimal(1000), date(2025, 3, 1), weight=Decimal(1)),
    Engagement("D1", A, EngagementKind.SERVICE, "desk A", "DESK", Decimal(100), date(2025, 1, 1)),
    Engagement("D2", B, EngagementKind.SERVICE, "desk B", "DESK", Decimal(100), date(2025, 1, 1), date(2025, 6, 30)),
]


def test_provisional_charges_apply_each_charging_method() -> None:
    drivers = Drivers(
        usage=(UsageQuantity("C1", "VMH", Decimal("100.5")), UsageQuantity("C2", "RACK", Decimal(2))),
        time=(TimeQuantity("P1", "junior", Decimal("7.5")), TimeQuantity("P1", "senior", Decimal(10))),
        direct=(DirectCost("S1", Decimal("1000.00")),),
    )
    charges, problems = provisional_charges(MODEL, Period(2025, 3), ENGAGEMENTS, drivers)
    assert problems == []
    got = {(c.engagement, c.service, c.detail): c.amount for c in charges}
    assert got[("C1", "VMH", "")] == Decimal("12.36")  # 100.5 x 0.123 = 12.3615
    assert got[("C2", "RACK", "")] == Decimal("3000.00")
    assert got[("P1", "HOURS", "junior")] == Decimal("450.00")
    assert got[("P1", "HOURS", "senior")] == Decimal("900.00")
    assert got[("S1", "SECOND", "")] == Decimal("1050.00")
    # 1200.01 a year: March gets 100.00 (January took the extra cent); split 2:1 between C1 and C2
    assert got[("C1", "MON", "")] + got[("C2", "MON", "")] == Decimal("100.00")
    assert got[("C1", "MON", "")] == Decimal("66.67")
    # 100.00 a year: 8.34 in January-April (the 4 cents left over), 8.33 after; split evenly
    assert got[("D1", "DESK", "")] == got[("D2", "DESK", "")] == Decimal("4.17")
    charges_july, _ = provisional_charges(MODEL, Period(2025, 7), ENGAGEMENTS, Drivers())
    assert [c.amount for c in charges_july if c.service == "DESK"] == [Decimal("8.33")]


def test_engagements_outside_their_dates_share_nothing() -> None:
    charges, _ = provisional_charges(MODEL, Period(2025, 1), ENGAGEMENTS, Drivers())
    assert {c.engagement for c in charges if c.service == "MON"} == {"C1"}  # C2 starts in March
    charges, _ = provisional_charges(MODEL, Period(2025, 7), ENGAGEMENTS, Drivers())
    assert {c.engagement for c in charges if c.service == "DESK"} == {"D1"}  # D2 ended in June


def test_a_missing_grade_rate_is_a_problem_not_a_zero_charge() -> None:
    _, problems = provisional_charges(
        MODEL, Period(2025, 1), ENGAGEMENTS, Drivers(time=(TimeQuantity("P1", "intern", Decimal(1)),))
    )
    assert [p.message for p in problems] == ["no 2025 cost rate for grade 'intern'"]


def test_a_year_without_tariffs_cannot_be_charged() -> None:
    _, problems = provisional_charges(
        MODEL, Period(2026, 1), ENGAGEMENTS, Drivers(usage=(UsageQuantity("C1", "VMH", Decimal(1)),))
    )
    assert any("no 2026 tariff for service VMH" in p.message for p in problems)


quantities = st.integers(min_value=0, max_value=10**7).map(lambda q: Decimal(q) / 100)
costs = st.integers(min_value=0, max_value=10**10).map(lambda c: Decimal(c) / 100)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_after_the_true_up_the_year_ends_at_exactly_zero(data: st.DataObject) -> None:
    periods = list(months_of(2025))
    all_charges = []
    usage, time, direct = [], [], []
    for p in periods:
        month = Drivers(
            usage=tuple(
                UsageQuantity(e, s, data.draw(quantities))
                for e, s in (("C1", "VMH"), ("C2", "RACK"))
                if data.draw(st.booleans())
            ),
            time=(TimeQuantity("P1", data.draw(st.sampled_from(["junior", "senior"])), data.draw(quantities)),),
            direct=(DirectCost("S1", data.draw(costs)),),
        )
        charges, problems = provisional_charges(MODEL, p, ENGAGEMENTS, month)
        assert problems == []
        all_charges.extend(charges)
        usage.extend(month.usage)
        time.extend(month.time)
        direct.extend(month.direct)
    ledger = {c.code: data.draw(costs) for c in MODEL.centres}
    support = allocate_support(MODEL, ledger)
    allocation, problems = allocate_actual(
        MODEL,
        2025,
        periods,
        support.final,
        charged_by_engagement(all_charges),
        ENGAGEMENTS,
        Drivers(tuple(usage), tuple(time), tuple(direct)),
    )
    if problems:  # a centre with cost but no driver at all is refused, never silently dropped
        assert all("nothing to share it by" in p.message or "no usage" in p.message for p in problems)
        return
    assert allocation is not None
    total_cost = sum(ledger.values(), ZERO)
    charged = sum((c.amount for c in all_charges), ZERO)
    assert allocation.total_cost == total_cost
    assert sum((s.actual for s in allocation.shares), ZERO) == total_cost
    assert sum((s.charged for s in allocation.shares), ZERO) == charged
    settlement = sum((s.adjustment for s in allocation.shares), ZERO)
    assert charged + settlement - total_cost == ZERO


@settings(max_examples=60, deadline=None)
@given(models(), st.data())
def test_for_random_models_ledgers_and_usage_the_shares_equal_the_cost(data: dict, draw: st.DataObject) -> None:  # type: ignore[type-arg]
    model, problems = build_cost_model(data)
    assert model is not None, problems
    members = ["0203430576", "0406798006", "0200000092"]
    engagements = [
        Engagement(f"E{i}", members[i % 3], EngagementKind.SERVICE, "e", None, Decimal(0), date(2025, 1, 1))
        for i in range(draw.draw(st.integers(min_value=1, max_value=6)))
    ]
    periods = list(months_of(2025))[: draw.draw(st.integers(min_value=1, max_value=12))]
    charges, usage = [], []
    for p in periods:
        # every service is used at least once in the year, so every centre's cost has a driver
        month = tuple(
            UsageQuantity(e.code, s.code, draw.draw(quantities) + (1 if p == periods[0] else 0))
            for e in engagements
            for s in model.services
        )
        month_charges, problems = provisional_charges(model, p, engagements, Drivers(usage=month))
        assert problems == []
        charges.extend(month_charges)
        usage.extend(month)
    ledger = {c.code: draw.draw(costs) - draw.draw(costs) for c in model.centres}
    support = allocate_support(model, ledger)
    allocation, problems = allocate_actual(
        model, 2025, periods, support.final, charged_by_engagement(charges), engagements, Drivers(usage=tuple(usage))
    )
    assert problems == [] and allocation is not None
    assert sum((s.actual for s in allocation.shares), ZERO) == sum(ledger.values(), ZERO)
    per_member = allocation.by_member()
    assert sum((a for _, a in per_member.values()), ZERO) == sum(ledger.values(), ZERO)
    assert sum((c for c, _ in per_member.values()), ZERO) == sum((c.amount for c in charges), ZERO)
