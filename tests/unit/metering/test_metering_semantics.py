"""The meaning of a meter's monthly total, on the domain's reference (``monthly_totals``): the one
ordering of samples, the one rounding rule, state carried into the next month (gauges, recurring
sums and unique counts), property filters, per-meter rounding, add/remove operations, increments
and corrections. The engines are held to this reference in tests/integration."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from mutua.costing.domain.catalogue import Charging
from mutua.costing.domain.meters import Aggregation, Meter, Rounding, read_meters
from mutua.costing.domain.reading import Reader
from mutua.kernel.periods import Period
from mutua.metering.domain import (
    MICRO,
    Fraction128,
    Sample,
    StoredSample,
    billing_quantity,
    monthly_totals,
    period_bounds_us,
    to_micro,
    validate_event,
)

JAN, FEB, MAR = Period(2025, 1), Period(2025, 2), Period(2025, 3)
DAY = 86_400_000_000
STORAGE = Meter("storage_gb", "storage", Aggregation.TIME_WEIGHTED_AVERAGE, "gb", (), "STAAS")
ARCHIVE = Meter("archive_gb", "archive", Aggregation.LATEST, "gb", (), "ARCH")
SEATS = Meter("seats", "seat", Aggregation.UNIQUE_COUNT, "user", (), "ITSM", recurring=True, operation_property="op")
VMS = Meter("vms", "vm", Aggregation.UNIQUE_COUNT, "vm", (), "VMAAS", operation_property="op")
LICENCES = Meter("licences", "licence", Aggregation.SUM, "n", (), "APIGW", recurring=True, corrections=True)
DELTA = Meter("storage_delta", "delta", Aggregation.TIME_WEIGHTED_AVERAGE, "gb", (), "STAAS", increments=True)
TRANSFER = Meter("transfer", "transfer", Aggregation.SUM, "gb", (), "BAAS", corrections=True)
METERS = {m.code: m for m in (STORAGE, ARCHIVE, SEATS, VMS, LICENCES, DELTA, TRANSFER)}


def at(period: Period, day: int, hour: int = 0) -> int:
    return period_bounds_us(period)[0] + (day - 1) * DAY + hour * 3_600_000_000


def row(
    meter: Meter,
    time_us: int,
    value: str | None = None,
    *,
    text: str | None = None,
    op: int = 1,
    tie: tuple[str, str] = ("/s", "e"),
    charged: Period | None = None,
) -> StoredSample:
    """A stored sample of ``meter`` charged in its own month (or ``charged``: late)."""
    from datetime import UTC, datetime, timedelta

    when = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=time_us)
    origin = Period(when.year, when.month).key
    return StoredSample(
        (charged.key if charged else origin),
        origin,
        "0123456749",
        "SVC-1",
        meter.code,
        meter.aggregation.value,
        "",
        Sample(time_us, None if value is None else to_micro(value), text, tie, op),
    )


def total(
    period: Period, rows: Sequence[StoredSample], meter: Meter, origin: Period | None = None
) -> Fraction128 | None:
    found = [
        t
        for t in monthly_totals(period, METERS, rows)
        if t.meter == meter.code and t.origin_period == (origin or period).key
    ]
    assert len(found) <= 1
    return Fraction128(found[0].numerator, found[0].denominator) if found else None


def quantity(period: Period, rows: Sequence[StoredSample], meter: Meter) -> Decimal:
    found = total(period, rows, meter)
    return billing_quantity(meter, [found] if found else [])


# -- (3) one ordering -----------------------------------------------------------------------------


def test_latest_of_two_samples_at_the_same_time_is_the_one_with_the_highest_source_and_id() -> None:
    t = at(JAN, 10)
    rows = [
        row(ARCHIVE, t, "7", tie=("/a", "2")),
        row(ARCHIVE, t, "5", tie=("/b", "1")),
        row(ARCHIVE, t, "9", tie=("/a", "1")),
    ]
    assert total(JAN, rows, ARCHIVE) == Fraction128(5 * MICRO)
    # the time-weighted average holds the same sample from that time on
    assert total(
        JAN,
        [row(STORAGE, r.sample.time_us, "0", tie=r.sample.tie) for r in rows[:1]]
        + [row(STORAGE, t, "31", tie=("/b", "1"))],
        STORAGE,
    ) == Fraction128(31 * MICRO * (at(FEB, 1) - t), at(FEB, 1) - at(JAN, 1))


# -- (4) one rounding rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "micro"),
    [
        ("0.0000005", 1),
        ("0.0000015", 2),
        ("0.0000025", 3),  # half-even would give 2
        ("-0.0000005", -1),
        ("0.00000049999999999999", 0),
        ("0.00000050000000000001", 1),
        ("2.5e-6", 3),
        ("1.0000005", 1_000_001),
    ],
)
def test_a_value_is_rounded_to_the_micro_unit_half_away_from_zero(text: str, micro: int) -> None:
    assert to_micro(text) == micro


def test_the_monthly_quantity_is_rounded_half_away_from_zero_too() -> None:
    meter = Meter("m", "t", Aggregation.SUM, "v", (), "S", divide_by=Decimal(10))
    assert billing_quantity(meter, [Fraction128(25)]) == Decimal("0.000003")  # 0.0000025
    assert billing_quantity(meter, [Fraction128(15)]) == Decimal("0.000002")  # 0.0000015


# -- (12) state carried into the next month --------------------------------------------------------


def test_a_storage_level_sampled_on_15_january_bills_the_same_gb_month_in_february() -> None:
    rows = [row(STORAGE, at(JAN, 15), "100")]
    assert quantity(JAN, rows, STORAGE) == Decimal("54.838710")  # 100 GB for 17 of 31 days
    assert quantity(FEB, rows, STORAGE) == Decimal("100.000000")
    assert quantity(MAR, rows, STORAGE) == Decimal("100.000000")


def test_a_months_first_sample_is_not_the_level_before_it() -> None:
    rows = [row(STORAGE, at(JAN, 15), "100"), row(STORAGE, at(FEB, 15), "300")]
    # 100 GB for 14 days, 300 GB for 14 days (without carrying: 300 x 14 / 28 = 150)
    assert quantity(FEB, rows, STORAGE) == Decimal("200.000000")
    fraction = total(FEB, rows, STORAGE)
    assert fraction is not None and fraction.denominator == 28 * DAY


def test_latest_keeps_its_level_in_a_month_without_samples() -> None:
    rows = [row(ARCHIVE, at(JAN, 3), "40"), row(ARCHIVE, at(JAN, 20), "25")]
    assert total(FEB, rows, ARCHIVE) == Fraction128(25 * MICRO)
    (feb,) = monthly_totals(FEB, METERS, rows)
    assert feb.events == 0  # carried: no event of February


def test_a_recurring_unique_count_counts_the_seats_active_in_each_month() -> None:
    rows = [
        row(SEATS, at(JAN, 5), text="ann"),
        row(SEATS, at(JAN, 6), text="bob"),
        row(SEATS, at(FEB, 10), text="bob", op=-1),  # bob leaves in February: still counted then
        row(SEATS, at(MAR, 2), text="cas"),
    ]
    assert total(JAN, rows, SEATS) == Fraction128(2 * MICRO)
    assert total(FEB, rows, SEATS) == Fraction128(2 * MICRO)
    assert total(MAR, rows, SEATS) == Fraction128(2 * MICRO)  # ann (carried) and cas
    assert total(Period(2025, 4), rows, SEATS) == Fraction128(2 * MICRO)


def test_a_unique_count_that_is_not_recurring_counts_the_values_its_adds_name_in_the_month() -> None:
    rows = [
        row(VMS, at(JAN, 5), text="vm-1"),
        row(VMS, at(FEB, 2), text="vm-1", op=-1),
        row(VMS, at(FEB, 3), text="vm-2"),
    ]
    assert total(JAN, rows, VMS) == Fraction128(MICRO)
    assert total(FEB, rows, VMS) == Fraction128(MICRO)  # vm-2 only: nothing carried


def test_a_recurring_sum_is_a_running_balance_with_negative_corrections() -> None:
    rows = [row(LICENCES, at(JAN, 5), "10"), row(LICENCES, at(FEB, 9), "-3"), row(LICENCES, at(MAR, 1), "-20")]
    assert quantity(JAN, rows, LICENCES) == Decimal("10.000000")
    assert quantity(FEB, rows, LICENCES) == Decimal("7.000000")
    assert quantity(MAR, rows, LICENCES) == Decimal("0.000000")  # never below 0


def test_a_gauge_of_increments_adds_each_value_to_the_level_carried_in() -> None:
    rows = [row(DELTA, at(JAN, 1), "100"), row(DELTA, at(JAN, 31), "50"), row(DELTA, at(FEB, 15), "-30")]
    # February: 150 GB for 14 days, then 120 GB for 14 days
    assert quantity(FEB, rows, DELTA) == Decimal("135.000000")


def test_a_late_sample_adjusts_its_own_month_alone_and_is_carried_from_the_month_it_is_charged_in() -> None:
    rows = [row(STORAGE, at(JAN, 1), "10"), row(STORAGE, at(JAN, 16), "62", charged=FEB, tie=("/s", "late"))]
    # February's own group carries the late level; the late one is January's adjustment (16 of 31 days)
    assert quantity(FEB, rows, STORAGE) == Decimal("62.000000")
    adjustment = total(FEB, rows, STORAGE, origin=JAN)
    assert adjustment == Fraction128(62 * MICRO * 16 * DAY, 31 * DAY)


# -- (13) filters, rounding, corrections ------------------------------------------------------------


def test_corrections_take_a_sum_down_but_never_below_zero() -> None:
    rows = [row(TRANSFER, at(JAN, 2), "5"), row(TRANSFER, at(JAN, 3), "-2")]
    assert quantity(JAN, rows, TRANSFER) == Decimal("3.000000")
    assert quantity(JAN, [*rows, row(TRANSFER, at(JAN, 4), "-9", tie=("/s", "x"))], TRANSFER) == Decimal("0.000000")


@pytest.mark.parametrize(
    ("rounding", "decimals", "expected"),
    [
        (Rounding.CEIL, 0, "2.000000"),
        (Rounding.FLOOR, 0, "1.000000"),
        (Rounding.ROUND, 2, "1.250000"),  # 1.245 -> half away from zero
        (Rounding.FLOOR, 2, "1.240000"),
        (Rounding.ROUND, 6, "1.245000"),
    ],
)
def test_a_meters_rounding_is_applied_once_to_its_monthly_quantity(
    rounding: Rounding, decimals: int, expected: str
) -> None:
    meter = Meter("m", "t", Aggregation.SUM, "v", (), "S", rounding=rounding, decimals=decimals)
    # two dimensions, 0.6225 each: rounded once on the sum (ceil per part would give 2 x 1 = 2)
    assert billing_quantity(meter, [Fraction128(622_500), Fraction128(622_500)]) == Decimal(expected)


def test_a_filter_lets_only_the_listed_values_count() -> None:
    meter = Meter("eu", "t", Aggregation.COUNT, None, (), "S", filters=(("region", ("eu-central", "eu-west")),))
    assert meter.counts({"region": "eu-west"})
    assert not meter.counts({"region": "us-east"})
    assert not meter.counts({})


def _read(**fields: object) -> tuple[list[Meter], list[str]]:
    class Usage:
        charging = Charging.USAGE

    base: dict[str, object] = {"code": "m", "event_type": "t", "service": "S", "value_property": "v"}
    r = Reader("model.yaml")
    meters = read_meters(r, [{**base, **fields}], {"S": Usage()})  # type: ignore[dict-item]
    return meters, [f"{p.field}: {p.message}" for p in r.problems]


def test_the_model_file_reads_each_option_and_refuses_one_that_does_not_fit_the_aggregation() -> None:
    (meter,), problems = _read(
        aggregation="unique_count", recurring=True, operation_property="op", filter={"region": ["eu", 1]}
    )
    assert problems == []
    assert (meter.recurring, meter.operation_property, meter.filters) == (True, "op", (("region", ("1", "eu")),))
    for fields, words in [
        ({"aggregation": "max", "recurring": True}, "can be recurring"),
        ({"aggregation": "sum", "increments": True}, "can be increments"),
        ({"aggregation": "latest", "corrections": True}, "can be corrections"),
        ({"aggregation": "sum", "operation_property": "op"}, "operations"),
        ({"aggregation": "sum", "decimals": 7}, "from 0 to 6"),
        ({"aggregation": "sum", "rounding": "up"}, "is not one of"),
        ({"aggregation": "sum", "filter": {"region": []}}, "lists no value"),
    ]:
        meters, problems = _read(**fields)
        assert meters == [] and any(words in p for p in problems), (fields, problems)


def test_negative_values_are_taken_only_by_corrections_and_increments_and_operations_are_add_or_remove() -> None:
    from datetime import UTC, datetime

    plain = Meter("p", "plain", Aggregation.SUM, "v", (), "S")
    by_type = {"plain": [plain], "transfer": [TRANSFER], "delta": [DELTA], "seat": [SEATS]}
    subjects = {"SVC-1": ("0123456749", "SVC-1")}

    def verdict(type_: str, data: dict[str, object]) -> str | None:
        event = {"specversion": "1.0", "id": "1", "source": "/s", "type": type_, "subject": "SVC-1"}
        event |= {"time": "2025-01-02T00:00:00Z", "data": data}
        found = validate_event(event, 0, meters=by_type, subjects=subjects, now=datetime(2025, 2, 1, tzinfo=UTC))
        return getattr(found, "reason", None)

    assert "negative" in (verdict("plain", {"v": "-1"}) or "")
    assert verdict("transfer", {"gb": "-1"}) is None
    assert verdict("delta", {"gb": "-1"}) is None
    assert verdict("seat", {"user": "ann", "op": "remove"}) is None
    assert "add or remove" in (verdict("seat", {"user": "ann", "op": "delete"}) or "")
    assert "add or remove" in (verdict("seat", {"user": "ann", "op": ["add"]}) or "")
