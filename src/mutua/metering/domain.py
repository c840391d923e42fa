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
- **Values** are kept as integer micro-units (6 decimals, like the ``usage`` table), rounded
  half away from zero (:data:`ROUNDING`, the one rule in Python, DuckDB and Spark); sums are
  exact integers, never floats. Negative values are taken only by a sum with ``corrections`` (a
  refund of usage) and by a gauge with ``increments``; a month's quantity never goes below 0.
- **Ordering**: samples are ordered by time, then by ``(source, id)`` (compared as text, by code
  point); the *latest* is the last. One ordering for the charged totals, the usage view's rollups
  and the carried levels.
- **Time-weighted average** (gauges: GB stored). Over a period ``[start, end)`` the gauge is a step
  function: each sample's level holds from its time until the next sample's time (the last one
  until ``end``); before the month's first sample it holds the level it had at ``start`` (the
  last sample before it, in any earlier month), 0 if it never had one. The average is the
  integral divided by ``end - start`` (:func:`aggregate`). GB-month = the month's time-weighted
  average GB: 100 GB sampled on 15 January bills 100 GB-month in February.
- **Latest**: the level of the latest sample; a month without samples keeps the level before it.
- **Increments** (a gauge's ``increments``): each value changes the level by that much (from the
  level carried in), instead of setting it.
- **Recurring**: a ``recurring`` sum is a running balance (every event up to the month's end); a
  ``recurring`` unique count counts the values active at some time in the month (added before
  the month and not removed before it, or added in it). Without ``recurring`` a unique count
  counts the distinct values its ``add`` events name in the month.
- **Late events** adjust their own month from themselves alone (no carried state), and enter the
  carried state of the month they are charged in.
- **Filters**: an event whose ``data.<property>`` is not in a meter's filter is stored (and
  claimed) but counts for that meter nowhere.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, cast

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
SPECVERSION = "1.0"
"""The CloudEvents version taken (``specversion``)."""
MAX_VALUE = 10**12
"""The largest value an event may carry, in absolute value (after rounding to 6 decimals): its
micro-units (at most 10^18) fit the store's 64-bit integers."""
NUMBER_PATTERN = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
"""A value written as text: ASCII decimal digits, an optional sign, point and exponent (no spaces,
no digits of other scripts, no ``_``, ``Infinity`` or ``NaN``). The same pattern is the rule in
DuckDB (``staging.py``: ``regexp_full_match``)."""
TIME_PATTERN = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
)
"""An RFC 3339 ``time`` as CloudEvents requires it: date, ``T``, time, and ``Z`` or an offset (the
same pattern in DuckDB). Fractions of a microsecond are cut off."""
_NUMBER = re.compile(NUMBER_PATTERN, re.ASCII)
_TIME = re.compile(TIME_PATTERN, re.ASCII)


_HALVES = struct.Struct("<QQ").unpack


class _Digest(Protocol):
    def digest(self) -> bytes: ...


_md5: Callable[[bytes], _Digest]
try:  # CPython's own MD5: on a key's few bytes a call costs a third of OpenSSL's (hashlib.md5)
    from _md5 import md5 as _builtin_md5  # type: ignore[import-not-found]

    _md5 = _builtin_md5
except ImportError:  # a build without it  # pragma: no cover
    _md5 = functools.partial(hashlib.md5, usedforsecurity=False)


def event_digest(source: str, event_id: str) -> bytes:
    """The event's 128-bit identity as 16 bytes: the MD5 digest of ``source + NUL + id``.

    Unambiguous because a ``source`` or ``id`` holding NUL is refused (:func:`validate_event`):
    otherwise ("s\\0x", "y") and ("s", "x\\0y") would be one event. Read as one little-endian
    number it is DuckDB's ``md5_number(source || chr(0) || id)``."""
    return _md5((source + "\x00" + event_id).encode()).digest()


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
    """An RFC 3339 time with ``Z`` or an offset (:data:`TIME_PATTERN`), or None."""
    if not _TIME.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:  # 2025-02-30
        return None


def to_micro(raw: Any) -> int | None:
    """A numeric value (:data:`NUMBER_PATTERN`, or a JSON number) as integer micro-units, rounded to
    6 decimals half away from zero (DuckDB's cast, which reads only the 7th decimal), or None if
    it is not a number or far too large (above 10^30). No bound here: see :func:`value_problem`."""
    if isinstance(raw, bool) or raw is None or isinstance(raw, (dict, list)):
        return None
    text = raw if isinstance(raw, str) else str(raw)
    if len(text) > 400 or not _NUMBER.fullmatch(text):
        return None
    try:
        value = Decimal(text)
        if value.adjusted() > 30:  # far out of any bound: not worked out (1e999999 would cost time)
            return None
        if value.adjusted() < -8:  # below half a micro-unit
            return 0
        return int(value.scaleb(6).to_integral_value(ROUND_HALF_UP))
    except (ArithmeticError, InvalidOperation):  # too large for the decimal context (1e999999999)
        return None


def decode_data_base64(text: Any) -> Mapping[str, Any] | str:
    """A ``data_base64`` attribute as the JSON object it holds, or what is wrong with it."""
    if not isinstance(text, str):
        return "data_base64 must be text (base64)"
    try:
        data = json.loads(base64.b64decode(text, validate=True).decode("utf-8"))
    except (binascii.Error, ValueError):
        return "data_base64 must be the base64 of a UTF-8 JSON object"
    if not isinstance(data, dict):
        return "data_base64 must hold a JSON object"
    return data


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_TIME_FULLMATCH = _TIME.fullmatch
_FROMISOFORMAT = datetime.fromisoformat
_NEW_TUPLE = tuple.__new__


def validate_event(
    raw: Any,
    index: int,
    *,
    meters: Mapping[str, Sequence[Meter]],
    subjects: Mapping[str, tuple[str, str]],
    now: datetime,
    line: int | None = None,
    latest: datetime | None = None,
    require_specversion: bool = False,
) -> ValidEvent | Rejection:
    """Check one CloudEvents JSON object; the first problem found is its reason. The one rule for
    every way in: HTTP, files (``staging.py`` applies it vectorised, and asks it for the reasons)
    and flushes.

    ``specversion``, when given, must be "1.0"; ``require_specversion`` (HTTP, JSON lines files)
    refuses an event without it (CSV and Parquet files may leave the column out). ``data_base64``
    (CloudEvents' binary data in JSON) is decoded: it must hold a JSON object. ``latest`` (``now``
    + the tolerance) may be passed by callers validating many events."""
    if type(raw) is not dict and not isinstance(raw, Mapping):
        return Rejection(index, line, None, "an event must be a JSON object")
    get = raw.get
    specversion = get("specversion")
    if specversion != SPECVERSION and (specversion is not None or require_specversion):
        event_id_text = get("id") if isinstance(get("id"), str) else None
        if specversion is None:
            return Rejection(index, line, "specversion", "missing field specversion", event_id_text)
        return Rejection(
            index, line, "specversion", f"specversion must be {SPECVERSION!r}, not {specversion!r}", event_id_text
        )
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
    if TYPE_CHECKING:  # from here on the five are text (told the type checker only: a cast is a call)
        event_id, source, event_type = cast(str, event_id), cast(str, source), cast(str, event_type)
        subject, time_text = cast(str, subject), cast(str, time_text)
    if "\x00" in source or "\x00" in event_id:
        name = "source" if "\x00" in source else "id"
        return Rejection(index, line, name, f"field {name} must not contain NUL (U+0000)", event_id.replace("\x00", ""))
    type_meters = meters.get(event_type)
    if not type_meters:
        return Rejection(index, line, "type", f"unknown event type {event_type!r} (no meter reads it)", event_id)
    resolved = subjects.get(subject) or subjects.get(subject_key(subject))
    if resolved is None:
        return Rejection(index, line, "subject", f"unknown member or engagement {subject!r}", event_id)
    when: datetime | None = None  # parse_time, inline (a call per event costs)
    if _TIME_FULLMATCH(time_text):
        try:  # noqa: SIM105 (contextlib.suppress: a context manager per event costs)
            when = _FROMISOFORMAT(time_text)
        except ValueError:  # 2025-02-30
            pass
    if when is None:
        reason = f"not an RFC 3339 time with Z or an offset (2025-03-10T12:00:00Z): {time_text!r}"
        return Rejection(index, line, "time", reason, event_id)
    if when > (latest or now + FUTURE_TOLERANCE):
        return Rejection(index, line, "time", f"time {time_text} is in the future", event_id)
    if not EARLIEST <= when < END_OF_TIME:
        return Rejection(index, line, "time", f"time {time_text} is before 1970 or after 2100", event_id)
    data = get("data")
    encoded = get("data_base64")
    if encoded is not None:
        if data is not None:
            return Rejection(index, line, "data_base64", "data and data_base64 are both given", event_id)
        decoded = decode_data_base64(encoded)
        if isinstance(decoded, str):
            return Rejection(index, line, "data_base64", decoded, event_id)
        data = decoded
    if data is None:
        data = {}
    elif type(data) is not dict and not isinstance(data, Mapping):  # a dict is one: no ABC check
        return Rejection(index, line, "data", "data must be a JSON object", event_id)
    for meter in type_meters:
        if meter.operation_property is not None and (op := operation_problem(meter, data)) is not None:
            return Rejection(index, line, f"data.{meter.operation_property}", op, event_id)
        if meter.value_property is None:
            continue
        problem = value_problem(meter, data.get(meter.value_property))
        if problem is not None:
            return Rejection(index, line, f"data.{meter.value_property}", problem, event_id)
    return _NEW_TUPLE(  # ValidEvent(...) without its Python-level __new__
        ValidEvent,
        (
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
            _md5((source + "\x00" + event_id).encode()).digest(),  # event_digest, inline
        ),
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
    if micro is None and isinstance(raw, (str, int, float)) and _NUMBER.fullmatch(str(raw)):
        micro = MAX_VALUE * MICRO + 1  # a number far out of bounds
    if micro is None:
        shown = repr(raw) if len(repr(raw)) <= 60 else repr(raw)[:57] + "..."
        return f"{meter.value_property} is not a number written in ASCII digits (12, 12.5, 1.25e3): {shown}"
    if abs(micro) > MAX_VALUE * MICRO:
        return f"{meter.value_property} is out of bounds: at most {MAX_VALUE:,} in absolute value, not {raw}"
    if micro < 0 and not meter.signed:  # a sum's corrections and a gauge's increments may be negative
        return f"{meter.value_property} is negative: {raw}"
    return None


OPERATIONS = {"add": 1, "remove": -1}
"""A unique count's operations (its ``operation_property``): a value added, or removed."""


def operation_problem(meter: Meter, data: Mapping[str, Any]) -> str | None:
    """What is wrong with a unique count's operation in an event (missing means ``add``), or None."""
    raw = data.get(meter.operation_property or "")
    if raw is None or (isinstance(raw, str) and raw in OPERATIONS):
        return None
    return f"{meter.operation_property} must be add or remove, not {raw!r} (meter {meter.code})"


# -- aggregation semantics (the reference the engines are tested against) ----------------------

ROUNDING = ROUND_HALF_UP
"""The one rounding rule of metering: half away from zero. A value is rounded so to 6 decimals
(micro-units) when it is taken (DuckDB's and Spark's DECIMAL casts do the same, reading only the
7th decimal: 0.0000005 is 0.000001, 0.00000049999 is 0), and a meter's monthly quantity so to its
``decimals`` when its ``rounding`` is ``round``."""
_ROUNDING_MODES = {"round": ROUNDING, "ceil": ROUND_CEILING, "floor": ROUND_FLOOR}


@dataclass(frozen=True, slots=True)
class Sample:
    """One event as a meter sees it.

    Attributes:
        time_us: microseconds since the epoch (UTC).
        value_micro: the value in micro-units (None for count / unique count).
        value_text: the value as text (unique count).
        tie: (source, id), to order samples with the same time.
        op: a unique count's operation: 1 add, -1 remove.
    """

    time_us: int
    value_micro: int | None = None
    value_text: str | None = None
    tie: tuple[str, str] = ("", "")
    op: int = 1

    @property
    def order(self) -> tuple[int, str, str]:
        """The one ordering of samples: by time, then by (source, id); the last is the latest."""
        return (self.time_us, *self.tie)


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


def gauge_steps(
    samples: Sequence[Sample], start_us: int, carried: Sequence[Sample] = (), *, increments: bool = False
) -> list[tuple[int, int]]:
    """A gauge as steps (from time, level), in the one ordering. With ``carried`` (its samples
    before ``start_us``) the first step is the level it had then, from ``start_us``; without, it
    is 0 until its first sample. With ``increments`` each value changes the level by that much."""
    steps: list[tuple[int, int]] = []
    level = 0
    if carried:
        ordered_before = sorted(carried, key=lambda s: s.order)
        level = sum(s.value_micro or 0 for s in carried) if increments else ordered_before[-1].value_micro or 0
        steps.append((start_us, level))
    for s in sorted(samples, key=lambda s: s.order):
        level = level + (s.value_micro or 0) if increments else (s.value_micro or 0)
        steps.append((s.time_us, level))
    return steps


def time_weighted_integral(samples: Sequence[Sample], end_us: int) -> int:
    """Sum of value x how long it held (micro-units x microseconds); see the module docstring."""
    return steps_integral(gauge_steps(samples, 0), end_us)


def steps_integral(steps: Sequence[tuple[int, int]], end_us: int) -> int:
    total = 0
    for i, (time_us, level) in enumerate(steps):
        until = steps[i + 1][0] if i + 1 < len(steps) else end_us
        total += level * (until - time_us)
    return total


def time_weighted_average(samples: Sequence[Sample], period: Period) -> Decimal:
    """The gauge's time-weighted average over ``period`` (exact, in the value's unit)."""
    start, end = period_bounds_us(period)
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(time_weighted_integral(samples, end)) / MICRO / (end - start)


def aggregate(
    aggregation: Aggregation,
    samples: Sequence[Sample],
    period: Period,
    *,
    carried: Sequence[Sample] = (),
    recurring: bool = False,
    increments: bool = False,
) -> Fraction128:
    """A meter's aggregate over one period's samples, as an exact fraction of micro-units.

    ``carried``: the samples before the period (same member, engagement, meter and dimensions) of a
    meter whose state goes on (a gauge's level; a ``recurring`` sum's balance, a ``recurring``
    unique count's values added and not removed). Late adjustments are computed without."""
    if aggregation is Aggregation.COUNT:
        return Fraction128(len(samples) * MICRO)
    if aggregation is Aggregation.UNIQUE_COUNT:
        active: set[str | None] = set()
        if recurring:
            last_op: dict[str | None, int] = {}
            for s in sorted(carried, key=lambda s: s.order):
                last_op[s.value_text] = s.op
            active = {v for v, op in last_op.items() if op > 0}
        return Fraction128(len(active | {s.value_text for s in samples if s.op > 0}) * MICRO)
    values = [s.value_micro or 0 for s in samples]
    if aggregation is Aggregation.SUM:
        return Fraction128(sum(values) + (sum(s.value_micro or 0 for s in carried) if recurring else 0))
    if aggregation is Aggregation.MAX:
        return Fraction128(max(values, default=0))
    start, end = period_bounds_us(period)
    steps = gauge_steps(samples, start, carried, increments=increments)
    if aggregation is Aggregation.LATEST:
        return Fraction128(steps[-1][1] if steps else 0)
    return Fraction128(steps_integral(steps, end), end - start)


@dataclass(frozen=True, slots=True)
class StoredSample:
    """One event as the store keeps it for one meter (a row of the event files).

    Attributes:
        period, origin_period: charged in, happened in (YYYYMM).
        member, engagement, meter, agg, dims: what it is about.
        sample: its time, value, (source, id) and operation.
    """

    period: int
    origin_period: int
    member: str
    engagement: str
    meter: str
    agg: str
    dims: str
    sample: Sample


def monthly_totals(period: Period, meters: Mapping[str, Meter], stored: Iterable[StoredSample]) -> list[Total]:
    """The reference of ``aggregation.sql``: ``period``'s totals from every stored sample charged in
    it or before. A group of a meter that carries its state (:attr:`Meter.carries`) takes along its
    samples before the period's start; such a group is there even without an event in the month
    (``events`` 0). A group whose total is 0 without events is left out."""
    start, _ = period_bounds_us(period)
    groups: dict[tuple[int, str, str, str, str, str], list[Sample]] = {}
    before: dict[tuple[str, str, str, str, str], list[Sample]] = {}
    for row in stored:
        if row.period > period.key:
            continue
        if row.period == period.key:
            groups.setdefault((row.origin_period, row.member, row.engagement, row.meter, row.agg, row.dims), []).append(
                row.sample
            )
        meter = meters.get(row.meter)
        if meter is not None and meter.aggregation.value != row.agg:  # its aggregation changed: none of its options
            meter = None
        if meter is not None and meter.carries and row.sample.time_us < start:
            before.setdefault((row.member, row.engagement, row.meter, row.agg, row.dims), []).append(row.sample)
    for key in before:
        groups.setdefault((period.key, *key), [])
    totals = []
    for (origin, member, engagement, code, agg, dims), samples in groups.items():
        meter = meters.get(code)
        if meter is not None and meter.aggregation.value != agg:
            meter = None
        on_time = origin == period.key and meter is not None and meter.carries
        fraction = aggregate(
            Aggregation(agg),
            samples,
            Period.from_key(origin),
            carried=before.get((member, engagement, code, agg, dims), []) if on_time else (),
            recurring=meter is not None and meter.recurring,
            increments=meter is not None and meter.increments,
        )
        if samples or fraction.numerator != 0:
            totals.append(
                Total(
                    period.key,
                    origin,
                    member,
                    engagement,
                    code,
                    agg,
                    dims,
                    len(samples),
                    fraction.numerator,
                    fraction.denominator,
                )
            )
    return sorted(totals)


def to_quantity(meter: Meter, fraction: Fraction128) -> Decimal:
    """A meter's aggregate in its service's billing unit, exact then rounded once (:func:`billing_quantity`)."""
    return billing_quantity(meter, [fraction])


def billing_quantity(meter: Meter, fractions: Iterable[Fraction128]) -> Decimal:
    """Several aggregates of one meter (e.g. per dimension) summed, converted to the service's unit,
    never below 0 (corrections take a month's usage down to 0 at most), then rounded once: to the
    meter's ``decimals`` by its ``rounding`` (default: 6, half away from zero)."""
    with localcontext() as ctx:
        ctx.prec = 80
        total = sum(
            (Decimal(f.numerator) / Decimal(f.denominator) for f in fractions),
            Decimal(0),
        )
        value = max(total / MICRO * meter.multiply_by / meter.divide_by, Decimal(0))
        rounded = value.quantize(Decimal(1).scaleb(-meter.decimals), _ROUNDING_MODES[meter.rounding.value])
        return rounded.quantize(QUANTITY_PLACES)


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

    def counts(self) -> dict[str, Any]:
        """What came of the input, in numbers (an audit entry's details, a summary line's values)."""
        return {
            "source": self.source,
            "received": self.received,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "late": self.late,
        }

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
