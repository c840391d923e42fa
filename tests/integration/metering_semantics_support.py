"""Meters of every kind and option (carried gauges, recurring sums and unique counts, operations,
increments, corrections, filters, rounding) over the demo model, and a quarter of random events
for them, with ties at the same time and values on the rounding boundary; ingested into the real
store (DuckDB) and the domain's reference (the fake store) from the same catalogue, no database."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from mutua.costing.domain.model import CostModel
from mutua.costing.modelfile import parse_cost_model
from mutua.kernel.periods import Period
from mutua.metering.catalogue import Catalogue, build_catalogue
from mutua.metering.domain import period_bounds_us
from mutua.metering.store import DuckEventStore
from mutua.registry.domain import Engagement, EngagementKind
from tests.fakes.metering import FakeEventStore
from tests.integration.metering_support import MEMBERS, cost_model_text, event, write_jsonl

EXTRA_METERS = """\
  - {code: seats, event_type: be.mutua.seat, aggregation: unique_count, value_property: user, recurring: true,
     operation_property: op, service: VMAAS}
  - {code: vm_active, event_type: be.mutua.vm.active, aggregation: unique_count, value_property: vm,
     operation_property: op, service: VMAAS}
  - {code: licences, event_type: be.mutua.licence, aggregation: sum, value_property: n, recurring: true,
     corrections: true, service: APIGW}
  - {code: storage_delta, event_type: be.mutua.storage.delta, aggregation: time_weighted_average,
     value_property: gb, increments: true, service: STAAS}
  - {code: archive_delta, event_type: be.mutua.archive.delta, aggregation: latest, value_property: gb,
     increments: true, service: ARCH}
  - {code: eu_calls, event_type: be.mutua.api.call, aggregation: count, filter: {region: [eu-west, eu-central]},
     rounding: ceil, decimals: 0, service: APIGW, divide_by: 1000}
  - {code: transfer, event_type: be.mutua.transfer, aggregation: sum, value_property: gb, corrections: true,
     rounding: floor, decimals: 2, service: BAAS}
"""
QUARTER = (Period(2025, 1), Period(2025, 2), Period(2025, 3))
KINDS: dict[str, tuple[str | None, bool]] = {
    # type: (value property, may be negative)
    "be.mutua.vm.usage": ("seconds", False),
    "be.mutua.storage.used": ("gb", False),
    "be.mutua.backup.volume": ("gb", False),
    "be.mutua.archive.stored": ("gb", False),
    "be.mutua.vm.inventory": ("vm", False),
    "be.mutua.api.call": (None, False),
    "be.mutua.seat": ("user", False),
    "be.mutua.vm.active": ("vm", False),
    "be.mutua.licence": ("n", True),
    "be.mutua.storage.delta": ("gb", True),
    "be.mutua.archive.delta": ("gb", True),
    "be.mutua.transfer": ("gb", True),
}
BOUNDARY = ("0.0000005", "0.0000015", "0.0000025", "2.0000035", "7.00000049999")


def semantics_model_text() -> str:
    anchor = "service: APIGW, divide_by: 1000}\n"
    return cost_model_text().replace(anchor, anchor + EXTRA_METERS, 1)


def semantics_model() -> CostModel:
    return parse_cost_model(semantics_model_text(), "semantics.yaml")


def engagements() -> list[Engagement]:
    return [
        Engagement(
            f"SVC-{i}", m, EngagementKind.SERVICE, f"Shared cloud {i}", "MONITOR", Decimal("1000.00"), date(2024, 1, 1)
        )
        for i, m in enumerate(MEMBERS, start=1)
    ]


def catalogue(closed: set[int] | None = None) -> Catalogue:
    start, _ = period_bounds_us(Period(2025, 6))
    return build_catalogue(semantics_model(), engagements(), closed or set(), start)


def quarter_events(seed: int, count: int) -> list[dict[str, Any]]:
    """``count`` random events over January to March 2025 for every meter, a third of them at a
    time another event also has (ties, broken by (source, id)), and values on the boundary."""
    rng = random.Random(seed)
    start, _ = period_bounds_us(QUARTER[0])
    times: list[int] = []
    events = []
    for i in range(count):
        typ = rng.choice(list(KINDS))
        prop, signed = KINDS[typ]
        if times and rng.random() < 0.35:
            t = rng.choice(times)
        else:
            t = start + rng.randrange(0, 89 * 86400) * 1_000_000
            times.append(t)
        data: dict[str, Any] = {}
        if prop in ("vm", "user"):
            data[prop] = f"{prop}-{rng.randrange(6)}"
            if typ in ("be.mutua.seat", "be.mutua.vm.active") and rng.random() < 0.3:
                data["op"] = "remove"
        elif prop is not None:
            value = (
                rng.choice(BOUNDARY) if rng.random() < 0.2 else f"{rng.randrange(0, 5000)}.{rng.randrange(10**6):06d}"
            )
            data[prop] = f"-{value}" if signed and rng.random() < 0.3 else value
        if typ == "be.mutua.vm.usage":
            data["size"] = rng.choice(["S", "L"])
        if typ == "be.mutua.api.call":
            data["region"] = rng.choice(["eu-west", "eu-central", "us-east"])
        seconds = t // 1_000_000
        from datetime import UTC, datetime

        when = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        events.append(
            event(
                f"q{i}",
                type=typ,
                subject=rng.choice([*MEMBERS, "SVC-2"]),
                data=data,
                time=when,
                source=rng.choice(["/a", "/b"]),
            )
        )
    return events


def ingest_into(
    store: DuckEventStore, reference: FakeEventStore, path: Path, events: list[dict[str, Any]], cat: Catalogue
) -> None:
    """The events (written to ``path``) into the real store and into the reference."""
    write_jsonl(path, events)
    result = store.ingest_file(cat, path)
    expected = reference.ingest_file(cat, path)
    assert (result.accepted, result.duplicates, result.late, [r.reason for r in result.rejected]) == (
        expected.accepted,
        expected.duplicates,
        expected.late,
        [r.reason for r in expected.rejected],
    )
