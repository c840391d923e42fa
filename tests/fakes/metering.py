"""In-memory fakes of metering's ports (:mod:`mutua.metering.ports`): what metering reads and writes
of the costing, registry and charging contexts, and an event store that validates with the
domain's reference rules, takes each event once and aggregates with the domain's reference.

    events = FakeEventStore()
    uow = FakeUnitOfWork(costing=FakeCostingData(model), registry=FakeRegistryData(engagements),
                         charging=FakeChargingData())
    ingest_file(uow, events, path)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from mutua.costing.domain.meters import Meter
from mutua.costing.domain.model import CostModel
from mutua.costing.modelfile import parse_cost_model
from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict, Problem, Rejected
from mutua.metering.catalogue import Catalogue
from mutua.metering.domain import (
    OPERATIONS,
    IngestResult,
    Rejection,
    Sample,
    StoredSample,
    StoreStats,
    Total,
    ValidEvent,
    charge_period,
    dims_text,
    monthly_totals,
    to_micro,
    validate_event,
)
from mutua.metering.ports import ProgressFn, UsageKey
from mutua.metering.views import RollupUsage
from mutua.registry.domain import Engagement, EngagementKind
from tests.fakes import FakeUnitOfWork

# -- the other contexts' data ---------------------------------------------------------------------


class FakeCostingData:
    def __init__(self, model: CostModel | None = None) -> None:
        self.model = model

    def cost_model(self, on: object = None) -> tuple[int, CostModel]:
        if self.model is None:
            raise Conflict("no cost model has been imported yet")
        return 1, self.model


class FakeRegistryData:
    def __init__(self, engagements: Sequence[Engagement] = ()) -> None:
        self.items = list(engagements)

    def engagements(self, member: str | None = None, code: str | None = None) -> list[Engagement]:
        return sorted(
            (e for e in self.items if member in (None, e.member) and code in (None, e.code)), key=lambda e: e.code
        )


class FakeChargingData:
    """Closed periods, and the usage metering wrote per period: key -> (quantity, batch)."""

    def __init__(self, closed: Sequence[int] = ()) -> None:
        self.closed = set(closed)
        self.usage: dict[int, dict[UsageKey, tuple[Decimal, int]]] = {}

    def closed_periods(self) -> set[int]:
        return set(self.closed)

    def replace_metered_usage(self, period: Period, quantities: Mapping[UsageKey, Decimal], batch_id: int) -> None:
        self.usage[period.key] = {k: (q, batch_id) for k, q in quantities.items()}

    def metered_quantities(self, period: Period) -> dict[UsageKey, Decimal]:
        return {k: q for k, (q, _) in self.usage.get(period.key, {}).items()}


# -- the event store ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredEvent:
    event: ValidEvent
    meters: tuple[Meter, ...]
    origin: int
    period: int


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class FakeEventStore:
    """Events in memory, each taken once by its (source, id). Files are JSON lines.

    ``acknowledge`` stands for the HTTP path (events acknowledged, waiting for a flush);
    ``rollups`` holds what :meth:`usage` answers, per period key, as a test writes it."""

    def __init__(self) -> None:
        self.stored: dict[bytes, StoredEvent] = {}
        self.acknowledged: list[dict[str, Any]] = []
        self.sealed_periods: set[int] = set()
        self.commits: list[str] = []
        self.rollups: dict[int, list[RollupUsage]] = {}

    # the HTTP path, as a server would do it
    def acknowledge(self, events: Sequence[dict[str, Any]]) -> None:
        self.acknowledged.extend(events)

    def ingest_file(self, catalogue: Catalogue, path: Path, progress: ProgressFn | None = None) -> IngestResult:
        try:
            events = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
        except orjson.JSONDecodeError as exc:
            raise Rejected([Problem(str(path), None, None, f"cannot be read: {exc}")], "ingest") from exc
        return self._ingest(catalogue, events, str(path), line_offset=1)

    def ingest_files(
        self, catalogue: Catalogue, paths: Sequence[Path], progress: Callable[[Path], ProgressFn | None]
    ) -> Iterator[IngestResult]:
        for path in paths:
            yield self.ingest_file(catalogue, path, progress(path))

    def flush(self, catalogue: Catalogue) -> Iterator[IngestResult]:
        if self.acknowledged:
            result = self._ingest(catalogue, self.acknowledged, "http", line_offset=None)
            self.acknowledged = []
            yield result

    def pending_http_events(self) -> int:
        return len(self.acknowledged)

    def sealed(self) -> set[int]:
        return set(self.sealed_periods)

    def seal(self, period: Period) -> None:
        self.sealed_periods.add(period.key)

    def aggregate(self, period: Period, meters: Sequence[Meter] = ()) -> list[Total]:
        """The domain's reference (``monthly_totals``) over the stored events, as the store keeps
        them: one sample per event and meter whose filters it passes."""
        rows = []
        for s in self.stored.values():
            for meter in s.meters:
                if not meter.counts(s.event.data):
                    continue
                raw = s.event.data.get(meter.value_property or "")
                op = s.event.data.get(meter.operation_property or "") if meter.operation_property else None
                rows.append(
                    StoredSample(
                        s.period,
                        s.origin,
                        s.event.member,
                        s.event.engagement,
                        meter.code,
                        meter.aggregation.value,
                        dims_text(meter, s.event.data),
                        Sample(
                            s.event.time_us,
                            to_micro(raw) if raw is not None and meter.aggregation.value != "unique_count" else None,
                            None if raw is None else str(raw),
                            (s.event.source, s.event.event_id),
                            OPERATIONS.get(op or "add", 1),
                        ),
                    )
                )
        return monthly_totals(period, {m.code: m for m in meters}, rows)

    def usage(self, period: Period, member: str | None = None, meter: str | None = None) -> list[RollupUsage]:
        return [r for r in self.rollups.get(period.key, []) if member in (None, r.member) and meter in (None, r.meter)]

    def stats(self) -> StoreStats:
        return StoreStats(
            segments=len(self.commits),
            stored_events=len(self.stored),
            claimed_keys=len(self.stored),
            pending_http_events=len(self.acknowledged),
            periods=tuple(Period.from_key(p) for p in sorted({s.period for s in self.stored.values()})),
        )

    def _ingest(
        self, catalogue: Catalogue, events: Sequence[Any], source: str, line_offset: int | None
    ) -> IngestResult:
        now = _EPOCH + timedelta(microseconds=catalogue.now_us)
        by_type = catalogue.by_type()
        rejected: list[Rejection] = []
        duplicates: list[int] = []
        fresh: dict[bytes, StoredEvent] = {}
        late = 0
        for i, raw in enumerate(events):
            line = None if line_offset is None else i + line_offset
            verdict = validate_event(raw, i, meters=by_type, subjects=catalogue.subjects, now=now, line=line)
            if isinstance(verdict, Rejection):
                rejected.append(verdict)
                continue
            if verdict.key in self.stored or verdict.key in fresh:
                duplicates.append(i)
                continue
            when = _EPOCH + timedelta(microseconds=verdict.time_us)
            origin = Period(when.year, when.month)
            charged = charge_period(origin, catalogue.closed)
            late += charged != origin
            fresh[verdict.key] = StoredEvent(verdict, tuple(by_type[verdict.type]), origin.key, charged.key)
        segment = None
        if fresh:
            segment = f"segment-{len(self.commits) + 1}"
            self.commits.append(segment)
            self.stored.update(fresh)
        return IngestResult(source, len(events), len(fresh), len(duplicates), rejected, late, segment, 0.0, duplicates)


# -- a small association ----------------------------------------------------------------------------


@cache
def demo_model() -> CostModel:
    """The demo cost model: its meters (api_calls: count, per 1000 calls; vm_hours: sum of seconds
    per 3600; storage_gb: time-weighted average; ...) and its services."""
    text = resources.files("mutua.demo").joinpath("cost-model.yaml").read_text(encoding="utf-8")
    return parse_cost_model(text, "demo.yaml")


def subscription(code: str, member: str, service: str = "MONITOR") -> Engagement:
    """A member's service engagement (MONITOR is charged by fixed share: its shared cloud)."""
    return Engagement(code, member, EngagementKind.SERVICE, code, service, Decimal("1000.00"), date(2024, 1, 1))


def metering_uow(
    *engagements: Engagement, closed: Sequence[int] = (), model: CostModel | None = None
) -> FakeUnitOfWork:
    """A unit of work over the demo model (or ``model``), these engagements and closed periods."""
    return FakeUnitOfWork(
        costing=FakeCostingData(model or demo_model()),
        registry=FakeRegistryData(engagements),
        charging=FakeChargingData(closed),
    )


def audit_trail(uow: FakeUnitOfWork) -> list[tuple[str, str, str, dict[str, Any]]]:
    """What was audited, oldest first: (action, entity, key, detail)."""
    return [(a["action"], a["entity"], a["entity_key"], json.loads(a["detail"])) for a in uow.audit.recorded]
