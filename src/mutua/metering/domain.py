"""Metering rules: which raw usage events count, once, for which engagement, period and meter.

Pure rules, no framework. The adapters apply the same rules vectorised (DuckDB, Spark); the
functions here are the definition and the reference the tests compare them with.

Definitions:

- **Identity.** An event is identified by its CloudEvents ``(source, id)`` for as long as it is
  kept. :func:`event_key` is the 128-bit MD5 of ``source + NUL + id`` read as a little-endian
  number (exactly DuckDB's ``md5_number``), as two unsigned 64-bit halves ``(hi, lo)``. 128 bits:
  at 10^9 events a month a 64-bit key would collide.
- **Subject.** ``subject`` names an engagement (its code) or a member (its 10-digit enterprise
  number, dots allowed). A member stands for its *shared-cloud engagement*: among its engagements
  of kind ``service``, the one whose service is charged by fixed share (the subscription, MONITOR
  in the demo); if none is, its only ``service`` engagement; else the lowest code of those. A member
  without a service engagement is an unknown subject.
- **Period.** An event's month (``origin period``) is the UTC calendar month of its ``time``. If
  that month is locked (closed, or already materialised for the close), the event is *late*: it is
  kept, and charged in the first open month after it (:func:`charge_period`); a locked period never
  changes. Late samples of a gauge are averaged over their own month, as an adjustment.
- **Values** are kept as integer micro-units (6 decimals, like the ``usage`` table); sums are
  exact integers, never floats.
- **Time-weighted average** (gauges: GB stored). Over a period ``[start, end)`` the gauge is a step
  function: each sample's value holds from its time until the next sample's time (the last one
  until ``end``); before the first sample it is 0. The average is the integral divided by
  ``end - start`` (:func:`time_weighted_average`). GB-month = the month's time-weighted average GB.
- **Latest**: the value of the sample with the greatest time; ties broken by the greatest
  ``(source, id)``.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any, NamedTuple, cast

from mutua.costing.domain.catalogue import Charging
from mutua.costing.domain.meters import Aggregation, Meter
from mutua.costing.domain.model import CostModel
from mutua.kernel.periods import Period
from mutua.registry.domain import Engagement, EngagementKind

MICRO = 1_000_000
QUANTITY_PLACES = Decimal("0.000001")
FUTURE_TOLERANCE = timedelta(minutes=5)
"""An event more than this ahead of the receiving clock is "in the future"."""
REQUIRED_FIELDS = ("id", "source", "type", "subject", "time")
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
END_OF_TIME = datetime(2101, 1, 1, tzinfo=UTC)
"""Times are taken from 1970 to 2100 (the periods the store maps)."""
_DIGITS = re.compile(r"^\d{10}$")


_HALVES = struct.Struct("<QQ").unpack
_md5 = hashlib.md5


def event_digest(source: str, event_id: str) -> bytes:
    """The event's 128-bit identity as 16 bytes: the MD5 digest of ``source + NUL + id``.

    Read as one little-endian number it is DuckDB's ``md5_number(source || chr(0) || id)``."""
    return _md5((source + "\x00" + event_id).encode(), usedforsecurity=False).digest()


def event_key(source: str, event_id: str) -> tuple[int, int]:
    """The identity as (hi, lo) unsigned 64-bit integers (the digest's last and first 8 bytes)."""
    lo, hi = _HALVES(event_digest(source, event_id))
    return hi, lo


def charge_period(origin: Period, closed: Iterable[int]) -> Period:
    """The period an event of ``origin`` is charged in: its own, or the first open one after it."""
    locked = set(closed)
    period = origin
    while period.key in locked:
        period = period.next()
    return period


def subject_key(subject: str) -> str:
    """A member subject without dots and spaces (``0406.798.006`` -> ``0406798006``)."""
    return subject.replace(".", "").replace(" ", "")


def resolve_subjects(engagements: Sequence[Engagement], model: CostModel) -> dict[str, tuple[str, str]]:
    """Every valid subject -> (member enterprise number, engagement code), by the rule above."""
    result: dict[str, tuple[str, str]] = {e.code: (e.member, e.code) for e in engagements}
    by_member: dict[str, list[Engagement]] = {}
    for e in engagements:
        if e.kind is EngagementKind.SERVICE:
            by_member.setdefault(e.member, []).append(e)
    for member, candidates in by_member.items():
        subscriptions = [
            e for e in candidates if (s := model.service(e.service or "")) and s.charging is Charging.FIXED_SHARE
        ]
        chosen = sorted(subscriptions or candidates, key=lambda e: e.code)[0]
        result.setdefault(member, (member, chosen.code))
    return result


def meters_by_type(model: CostModel) -> dict[str, list[Meter]]:
    result: dict[str, list[Meter]] = {}
    for m in model.meters:
        result.setdefault(m.event_type, []).append(m)
    return result


def dims_text(meter: Meter, data: Mapping[str, Any]) -> str:
    """The meter's dimensions as canonical text, ``size=large;zone=a`` ('' when none)."""
    return ";".join(f"{k}={_scalar_text(data.get(k))}" for k in meter.group_by)


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why one event was not taken.

    Attributes:
        index: the event's 0-based position in its batch or file.
        line: the line in the file (JSON lines: index + 1; CSV: index + 2), None for HTTP.
        field: the field at fault (``time``, ``data.gb``) or None.
        reason: what is wrong, in plain words.
        event_id: the event's id, when it has one.
    """

    index: int
    line: int | None
    field: str | None
    reason: str
    event_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "line": self.line,
            "field": self.field,
            "reason": self.reason,
            "id": self.event_id,
        }


class ValidEvent(NamedTuple):
    """An event that passed validation (one per event; it may feed several meters). A named tuple:
    built for every event of every HTTP batch, it must be cheap.

    Attributes:
        position: its 0-based position in its batch.
        source, event_id, type, subject: the CloudEvents attributes.
        time: the ``time`` attribute as given (RFC 3339).
        time_us: microseconds since 1970-01-01 UTC.
        data: the ``data`` object.
        member, engagement: who is charged.
        key: the 128-bit identity, as the 16-byte digest (:func:`event_digest`).
    """

    position: int
    source: str
    event_id: str
    type: str
    subject: str
    time: str
    time_us: int
    data: Mapping[str, Any]
    member: str
    engagement: str
    key: bytes


def parse_time(text: str) -> datetime | None:
    """An RFC 3339 time (``Z`` or an offset; no offset means UTC), or None."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def to_micro(raw: Any) -> int | None:
    """A numeric value as integer micro-units (rounded half-even to 6 places), or None if not a number."""
    if isinstance(raw, bool) or raw is None or isinstance(raw, (dict, list)):
        return None
    try:
        value = Decimal(str(raw).strip())
        if not value.is_finite():
            return None
        return int((value * MICRO).to_integral_value(ROUND_HALF_EVEN))
    except ArithmeticError:  # not a number, or one too large for the decimal context (1e999999999)
        return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


def validate_event(
    raw: Any,
    index: int,
    *,
    meters: Mapping[str, Sequence[Meter]],
    subjects: Mapping[str, tuple[str, str]],
    now: datetime,
    line: int | None = None,
    latest: datetime | None = None,
) -> ValidEvent | Rejection:
    """Check one CloudEvents JSON object; the first problem found is its reason.

    ``latest`` (``now`` + the tolerance) may be passed by callers validating many events."""
    if type(raw) is not dict and not isinstance(raw, Mapping):
        return Rejection(index, line, None, "an event must be a JSON object")
    get = raw.get
    event_id, source, event_type, subject, time_text = (
        get("id"),
        get("source"),
        get("type"),
        get("subject"),
        get("time"),
    )
    if not (
        type(event_id) is str
        and type(source) is str
        and type(event_type) is str
        and type(subject) is str
        and type(time_text) is str
        and event_id
        and source
        and event_type
        and subject
        and time_text
        and not (event_id.isspace() or source.isspace() or subject.isspace() or time_text.isspace())
    ):
        event_id_text = str(event_id) if isinstance(event_id, (str, int)) and not isinstance(event_id, bool) else None
        for name in REQUIRED_FIELDS:
            value = get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                return Rejection(index, line, name, f"missing field {name}", event_id_text)
            if not isinstance(value, str):
                return Rejection(index, line, name, f"field {name} must be text", event_id_text)
    event_id, source, event_type = cast(str, event_id), cast(str, source), cast(str, event_type)
    subject, time_text = cast(str, subject), cast(str, time_text)
    type_meters = meters.get(event_type)
    if not type_meters:
        return Rejection(index, line, "type", f"unknown event type {event_type!r} (no meter reads it)", event_id)
    resolved = subjects.get(subject) or subjects.get(subject_key(subject))
    if resolved is None:
        return Rejection(index, line, "subject", f"unknown member or engagement {subject!r}", event_id)
    when = parse_time(time_text)
    if when is None:
        return Rejection(index, line, "time", f"not an RFC 3339 time: {time_text!r}", event_id)
    if when > (latest or now + FUTURE_TOLERANCE):
        return Rejection(index, line, "time", f"time {time_text} is in the future", event_id)
    if not EARLIEST <= when < END_OF_TIME:
        return Rejection(index, line, "time", f"time {time_text} is before 1970 or after 2100", event_id)
    data = get("data")
    if data is None:
        data = {}
    elif not isinstance(data, Mapping):
        return Rejection(index, line, "data", "data must be a JSON object", event_id)
    for meter in type_meters:
        if meter.value_property is None:
            continue
        problem = value_problem(meter, data.get(meter.value_property))
        if problem is not None:
            return Rejection(index, line, f"data.{meter.value_property}", problem, event_id)
    return ValidEvent(
        index,
        source,
        event_id,
        event_type,
        subject,
        time_text,
        (when - _EPOCH) // _ONE_US,
        data,
        resolved[0],
        resolved[1],
        event_digest(source, event_id),
    )


def value_problem(meter: Meter, raw: Any) -> str | None:
    """What is wrong with a meter's value in an event, or None."""
    if meter.aggregation is Aggregation.COUNT or meter.value_property is None:
        return None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return f"missing value {meter.value_property} (meter {meter.code})"
    if meter.aggregation is Aggregation.UNIQUE_COUNT:
        return None if not isinstance(raw, (dict, list)) else f"{meter.value_property} must be a scalar"
    micro = to_micro(raw)
    if micro is None:
        return f"{meter.value_property} is not a number: {raw!r}"
    if micro < 0:
        return f"{meter.value_property} is negative: {raw}"
    return None


# -- aggregation semantics (the reference the engines are tested against) ----------------------


@dataclass(frozen=True, slots=True)
class Sample:
    """One event as a meter sees it.

    Attributes:
        time_us: microseconds since the epoch (UTC).
        value_micro: the value in micro-units (None for count / unique count).
        value_text: the value as text (unique count).
        tie: (source, id), to order samples with the same time.
    """

    time_us: int
    value_micro: int | None = None
    value_text: str | None = None
    tie: tuple[str, str] = ("", "")


@dataclass(frozen=True, slots=True)
class Fraction128:
    """An aggregate as an exact fraction of micro-units: quantity = numerator / 10^6 / denominator."""

    numerator: int
    denominator: int = 1


def period_bounds_us(period: Period) -> tuple[int, int]:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    start = datetime(period.year, period.month, 1, tzinfo=UTC)
    nxt = period.next()
    end = datetime(nxt.year, nxt.month, 1, tzinfo=UTC)
    return (start - epoch) // timedelta(microseconds=1), (end - epoch) // timedelta(microseconds=1)


def time_weighted_integral(samples: Sequence[Sample], end_us: int) -> int:
    """Sum of value x how long it held (micro-units x microseconds); see the module docstring."""
    ordered = sorted(samples, key=lambda s: (s.time_us, s.tie))
    total = 0
    for i, s in enumerate(ordered):
        until = ordered[i + 1].time_us if i + 1 < len(ordered) else end_us
        total += (s.value_micro or 0) * (until - s.time_us)
    return total


def time_weighted_average(samples: Sequence[Sample], period: Period) -> Decimal:
    """The gauge's time-weighted average over ``period`` (exact, in the value's unit)."""
    start, end = period_bounds_us(period)
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(time_weighted_integral(samples, end)) / MICRO / (end - start)


def aggregate(aggregation: Aggregation, samples: Sequence[Sample], period: Period) -> Fraction128:
    """A meter's aggregate over one period's samples, as an exact fraction of micro-units."""
    if aggregation is Aggregation.COUNT:
        return Fraction128(len(samples) * MICRO)
    if aggregation is Aggregation.UNIQUE_COUNT:
        return Fraction128(len({s.value_text for s in samples}) * MICRO)
    values = [s.value_micro or 0 for s in samples]
    if aggregation is Aggregation.SUM:
        return Fraction128(sum(values))
    if aggregation is Aggregation.MAX:
        return Fraction128(max(values, default=0))
    if aggregation is Aggregation.LATEST:
        if not samples:
            return Fraction128(0)
        last = max(samples, key=lambda s: (s.time_us, s.tie))
        return Fraction128(last.value_micro or 0)
    start, end = period_bounds_us(period)
    return Fraction128(time_weighted_integral(samples, end), end - start)


def to_quantity(meter: Meter, fraction: Fraction128) -> Decimal:
    """A meter's aggregate in its service's billing unit, exact then rounded once to 6 places."""
    return billing_quantity(meter, [fraction])


def billing_quantity(meter: Meter, fractions: Iterable[Fraction128]) -> Decimal:
    """Several aggregates of one meter (e.g. per dimension) summed, converted, rounded once."""
    with localcontext() as ctx:
        ctx.prec = 80
        total = sum(
            (Decimal(f.numerator) / Decimal(f.denominator) for f in fractions),
            Decimal(0),
        )
        value = total / MICRO * meter.multiply_by / meter.divide_by
        return value.quantize(QUANTITY_PLACES, ROUND_HALF_EVEN)


# -- what the event store answers (the records its port speaks) --------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Total:
    """One monthly total as an exact fraction of micro-units (quantity = numerator / 10^6 / denominator).

    Attributes:
        period: the period charged (YYYYMM).
        origin_period: the period the usage happened in (differs for late events).
        member, engagement, meter, agg, dims: what it is about.
        events: how many events it counts.
        numerator, denominator: the exact aggregate.
    """

    period: int
    origin_period: int
    member: str
    engagement: str
    meter: str
    agg: str
    dims: str
    events: int
    numerator: int
    denominator: int


@dataclass(frozen=True)
class IngestResult:
    """What one file, flush or HTTP batch did.

    Attributes:
        source: the file or ``http``.
        received: events read.
        accepted: new events stored (each counted once).
        duplicates: events already taken (in the same batch, or earlier) that changed nothing.
        rejected: the events refused, each with its reason.
        late: accepted events whose month is locked (charged in the next open month).
        segment: the segment committed, or None if nothing new was stored.
        seconds: wall time.
        duplicate_indexes: the 0-based positions of the duplicates in the batch.
    """

    source: str
    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    late: int = 0
    segment: str | None = None
    seconds: float = 0.0
    duplicate_indexes: list[int] = field(default_factory=list)

    def plus(self, other: IngestResult) -> IngestResult:
        """This and ``other`` counted together (a flush of several segments); the last segment."""
        return IngestResult(
            self.source,
            self.received + other.received,
            self.accepted + other.accepted,
            self.duplicates + other.duplicates,
            [*self.rejected, *other.rejected],
            self.late + other.late,
            other.segment or self.segment,
            self.seconds + other.seconds,
        )

    def as_dict(self, limit: int | None = None) -> dict[str, Any]:
        rejected = self.rejected if limit is None else self.rejected[:limit]
        return {
            "source": self.source,
            "received": self.received,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected_count": len(self.rejected),
            "rejected": [r.as_dict() for r in rejected],
            "late": self.late,
            "segment": self.segment,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class StoreStats:
    """What the event store holds.

    Attributes:
        segments: committed segments.
        stored_events: events stored (each once).
        claimed_keys: identities claimed (an event taken is never taken again).
        pending_http_events: events acknowledged over HTTP, not yet in a segment.
        periods: the periods with stored events.
    """

    segments: int
    stored_events: int
    claimed_keys: int
    pending_http_events: int
    periods: tuple[Period, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "segments": self.segments,
            "stored_events": self.stored_events,
            "claimed_keys": self.claimed_keys,
            "pending_http_events": self.pending_http_events,
            "periods": [str(p) for p in self.periods],
        }
