"""The usage view: exact quantities from the daily rollups, the materialised total where the
rollups cannot give one, and its JSON as the command line prints it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.fakes.metering import FakeEventStore, metering_uow, subscription

from mutua.kernel.periods import Period
from mutua.metering.service import usage_view
from mutua.metering.views import RollupUsage

MEMBER, OTHER = "0123456749", "0987654312"
MARCH = Period(2025, 3)


def rollup(
    meter: str, aggregation: str, *, member: str = MEMBER, engagement: str = "SVC-1", **values: int
) -> RollupUsage:
    return RollupUsage(
        member,
        engagement,
        meter,
        aggregation,
        MARCH.key,
        False,
        values.get("events", 1),
        values.get("sum_micro", 0),
        values.get("max_micro", 0),
        values.get("last_micro", 0),
        date(2025, 3, 10),
    )


def test_counts_and_sums_come_exactly_from_the_rollups_in_the_service_unit() -> None:
    uow, events = metering_uow(subscription("SVC-1", MEMBER)), FakeEventStore()
    events.rollups[MARCH.key] = [
        rollup("api_calls", "count", events=1500),
        rollup("vm_hours", "sum", events=2, sum_micro=5400 * 1_000_000),
    ]

    view = usage_view(uow, events, MARCH)

    assert [(ln.meter, ln.service, ln.unit, ln.quantity, ln.basis) for ln in view.lines] == [
        ("api_calls", "APIGW", "1000 calls", Decimal("1.500000"), "rollups"),
        ("vm_hours", "VMAAS", "VM-hour", Decimal("1.500000"), "rollups"),
    ]
    assert view.closed is False


def test_a_time_weighted_average_shows_the_total_last_materialised_or_nothing() -> None:
    uow, events = metering_uow(subscription("SVC-1", MEMBER), subscription("SVC-2", OTHER)), FakeEventStore()
    events.rollups[MARCH.key] = [
        rollup("storage_gb", "time_weighted_average"),
        rollup("storage_gb", "time_weighted_average", member=OTHER, engagement="SVC-2"),
    ]
    uow.charging.replace_metered_usage(MARCH, {("SVC-1", "STAAS", MARCH.key): Decimal("12.500000")}, 1)

    view = usage_view(uow, events, MARCH)

    assert [(ln.engagement, ln.quantity, ln.basis) for ln in view.lines] == [
        ("SVC-1", Decimal("12.500000"), "materialised service total"),
        ("SVC-2", None, "materialised service total"),
    ]


def test_one_members_usage_of_a_closed_month_reads_as_the_command_line_prints_it() -> None:
    uow, events = metering_uow(subscription("SVC-1", MEMBER), closed=[MARCH.key]), FakeEventStore()
    events.rollups[MARCH.key] = [
        rollup("api_calls", "count", events=20),
        rollup("api_calls", "count", member=OTHER, engagement="SVC-2"),
    ]

    view = usage_view(uow, events, MARCH, MEMBER)

    assert view.as_json() == {
        "period": "2025-03",
        "closed": True,
        "member": MEMBER,
        "lines": [
            {
                "member": MEMBER,
                "engagement": "SVC-1",
                "meter": "api_calls",
                "aggregation": "count",
                "service": "APIGW",
                "unit": "1000 calls",
                "origin_period": "2025-03",
                "late": False,
                "events": 20,
                "quantity": "0.020000",
                "basis": "rollups",
                "last_day": "2025-03-10",
            }
        ],
    }


def test_a_meter_the_model_no_longer_has_shows_no_service_and_no_quantity() -> None:
    uow, events = metering_uow(subscription("SVC-1", MEMBER)), FakeEventStore()
    events.rollups[MARCH.key] = [rollup("retired", "sum", sum_micro=7)]

    (line,) = usage_view(uow, events, MARCH).lines

    assert (line.service, line.unit, line.quantity, line.basis) == (None, None, None, "materialised service total")


def test_a_meter_that_carries_a_balance_shows_the_total_last_materialised_not_one_months_rollups() -> None:
    from dataclasses import replace

    from tests.fakes.metering import demo_model

    model = demo_model()
    recurring = tuple(replace(m, recurring=True) if m.code == "vm_hours" else m for m in model.meters)
    uow, events = metering_uow(subscription("SVC-1", MEMBER), model=replace(model, meters=recurring)), FakeEventStore()
    events.rollups[MARCH.key] = [rollup("vm_hours", "sum", sum_micro=3600 * 1_000_000)]
    uow.charging.replace_metered_usage(MARCH, {("SVC-1", "VMAAS", MARCH.key): Decimal("7.000000")}, 1)

    (line,) = usage_view(uow, events, MARCH).lines

    assert (line.quantity, line.basis) == (Decimal("7.000000"), "materialised service total")
