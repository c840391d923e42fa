"""Writing a month's metered totals into the close's usage: flushed first, sealed, replaced whole,
refused once the month is locked."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from tests.fakes import FakeUnitOfWork
from tests.fakes.metering import FakeEventStore, audit_trail, metering_uow, subscription

from mutua.costing.domain.meters import Meter
from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict
from mutua.metering.domain import Total
from mutua.metering.service import flush, materialise

MEMBER, OTHER = "0123456749", "0987654312"
MARCH, APRIL = Period(2025, 3), Period(2025, 4)


def call(i: int | str, subject: str = MEMBER, time: str = "2025-03-10T12:00:00Z") -> dict[str, Any]:
    return {"id": f"c{i}", "source": "/gateway", "type": "be.mutua.api.call", "subject": subject, "time": time}


def vm(i: int | str, seconds: int) -> dict[str, Any]:
    return {
        "id": f"vm{i}",
        "source": "/hypervisor",
        "type": "be.mutua.vm.usage",
        "subject": MEMBER,
        "time": "2025-03-02T00:00:00Z",
        "data": {"seconds": seconds, "size": "L"},
    }


def test_the_totals_are_written_in_each_service_unit_under_one_batch_and_audited() -> None:
    uow, events = metering_uow(subscription("SVC-1", MEMBER)), FakeEventStore()
    events.acknowledge([call(1), call(2), call(3), vm(1, 5400)])

    done = materialise(uow, events, MARCH)

    assert uow.charging.usage[MARCH.key] == {
        ("SVC-1", "APIGW", MARCH.key): (Decimal("0.003000"), 1),  # 3 calls, per 1000
        ("SVC-1", "VMAAS", MARCH.key): (Decimal("1.500000"), 1),  # 5400 seconds, per hour
    }
    assert uow.batches.batches == [("metering", "metering 2025-03", "-", 2)]
    assert (done.rows, done.events, done.late_rows, done.pending, done.batch_id) == (2, 4, 0, 0, 1)
    assert [a[:3] for a in audit_trail(uow)] == [
        ("flush", "metering_segment", "segment-1"),  # the acknowledged events first
        ("materialise", "metering_period", "2025-03"),
    ]
    assert audit_trail(uow)[-1][3] == {"rows": 2, "events": 4}


def test_the_month_is_sealed_so_a_later_event_for_it_is_charged_next_month_as_late() -> None:
    uow, events = metering_uow(subscription("SVC-1", MEMBER)), FakeEventStore()
    events.acknowledge([call(1), call(2)])
    materialise(uow, events, MARCH)
    events.acknowledge([call(3)])  # for March, after its totals were taken

    again = materialise(uow, events, MARCH)
    april = materialise(uow, events, APRIL)

    assert MARCH.key in events.sealed()
    assert (again.rows, again.events, again.batch_id) == (1, 2, 2)  # replaced: the same total, a new batch
    assert uow.charging.usage[MARCH.key] == {("SVC-1", "APIGW", MARCH.key): (Decimal("0.002000"), 2)}
    assert (april.rows, april.late_rows) == (1, 1)
    assert uow.charging.usage[APRIL.key] == {("SVC-1", "APIGW", MARCH.key): (Decimal("0.001000"), 3)}


def test_a_locked_month_is_refused_before_anything_is_flushed_sealed_or_written() -> None:
    uow, events = metering_uow(subscription("SVC-1", MEMBER), closed=[MARCH.key]), FakeEventStore()
    events.acknowledge([call(1)])

    with pytest.raises(Conflict, match="closed"):
        materialise(uow, events, MARCH)

    assert events.pending_http_events() == 1 and events.sealed() == set()
    assert uow.charging.usage == {} and uow.batches.batches == [] and uow.audit.recorded == []


class ClosedMeanwhile(FakeEventStore):
    """A close that locks the month while its totals are being taken."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        super().__init__()
        self.uow = uow

    def aggregate(self, period: Period, meters: Sequence[Meter] = ()) -> list[Total]:
        self.uow.charging.closed.add(period.key)
        return super().aggregate(period, meters)


def test_a_month_locked_while_its_totals_were_taken_is_refused_and_nothing_is_written() -> None:
    uow = metering_uow(subscription("SVC-1", MEMBER))
    events = ClosedMeanwhile(uow)
    events.acknowledge([call(1)])

    with pytest.raises(Conflict, match="closed"):
        materialise(uow, events, MARCH)

    assert uow.charging.usage == {} and uow.batches.batches == []
    assert [a[0] for a in audit_trail(uow)] == ["flush"]


def test_usage_of_an_engagement_no_longer_registered_is_left_out() -> None:
    uow = metering_uow(subscription("SVC-1", MEMBER), subscription("SVC-2", OTHER))
    events = FakeEventStore()
    events.acknowledge([call(1), call(2, subject=OTHER)])
    flush(uow, events)
    uow.registry.items = [e for e in uow.registry.items if e.code != "SVC-2"]

    done = materialise(uow, events, MARCH)

    assert (done.rows, done.events) == (1, 2)
    assert list(uow.charging.usage[MARCH.key]) == [("SVC-1", "APIGW", MARCH.key)]


def test_without_flushing_first_the_acknowledged_events_are_told_as_pending() -> None:
    uow, events = metering_uow(subscription("SVC-1", MEMBER)), FakeEventStore()
    events.acknowledge([call(1)])

    done = materialise(uow, events, MARCH, flush_first=False)

    assert (done.rows, done.pending) == (0, 1)
    assert uow.charging.usage[MARCH.key] == {}
