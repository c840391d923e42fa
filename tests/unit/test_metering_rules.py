from datetime import UTC, datetime
from decimal import Decimal

import duckdb

from mutua.costing.domain.meters import Aggregation, Meter
from mutua.kernel.periods import Period
from mutua.metering.domain import (
    Fraction128,
    Rejection,
    Sample,
    ValidEvent,
    aggregate,
    charge_period,
    event_key,
    period_bounds_us,
    time_weighted_average,
    to_quantity,
    validate_event,
)

APRIL = Period(2025, 4)
STORAGE = Meter("storage_gb", "be.mutua.storage.used", Aggregation.TIME_WEIGHTED_AVERAGE, "gb", (), "STAAS")
API = Meter("api_calls", "be.mutua.api.call", Aggregation.COUNT, None, (), "APIGW", divide_by=Decimal(1000))
METERS = {"be.mutua.storage.used": [STORAGE], "be.mutua.api.call": [API]}
SUBJECTS = {"0200791978": ("0200791978", "SVC-1"), "SVC-1": ("0200791978", "SVC-1")}
NOW = datetime(2025, 4, 30, 12, 0, tzinfo=UTC)


def _at(day: int, gb: int) -> Sample:
    start, _ = period_bounds_us(APRIL)
    return Sample(start + (day - 1) * 86_400_000_000, gb * 1_000_000)


def test_a_gauge_that_doubles_halfway_through_april_averages_one_and_a_half_times_its_start() -> None:
    # 100 GB for days 1-15, 200 GB for days 16-30: (100 x 15 + 200 x 15) / 30 = 150
    assert time_weighted_average([_at(16, 200), _at(1, 100)], APRIL) == Decimal(150)


def test_a_gauge_counts_as_zero_before_its_first_sample() -> None:
    # nothing stored until day 21, then 300 GB for 10 of April's 30 days: 100 GB-month
    assert time_weighted_average([_at(21, 300)], APRIL) == Decimal(100)
    fraction = aggregate(Aggregation.TIME_WEIGHTED_AVERAGE, [_at(21, 300)], APRIL)
    assert to_quantity(STORAGE, fraction) == Decimal("100.000000")


def test_count_is_converted_to_thousands_of_calls_and_rounded_once() -> None:
    samples = [Sample(i) for i in range(1500)]
    assert to_quantity(API, aggregate(Aggregation.COUNT, samples, APRIL)) == Decimal("1.500000")


def test_latest_takes_the_newest_sample_and_max_the_largest() -> None:
    samples = [_at(3, 50), _at(9, 20), _at(5, 70)]
    assert aggregate(Aggregation.LATEST, samples, APRIL) == Fraction128(20_000_000)
    assert aggregate(Aggregation.MAX, samples, APRIL) == Fraction128(70_000_000)
    assert aggregate(Aggregation.SUM, samples, APRIL) == Fraction128(140_000_000)


def test_unique_count_counts_distinct_values() -> None:
    samples = [Sample(1, value_text="vm-a"), Sample(2, value_text="vm-b"), Sample(3, value_text="vm-a")]
    assert aggregate(Aggregation.UNIQUE_COUNT, samples, APRIL) == Fraction128(2_000_000)


def test_an_event_of_a_locked_month_is_charged_in_the_first_open_month_after_it() -> None:
    assert charge_period(Period(2025, 3), {202503, 202504}) == Period(2025, 5)
    assert charge_period(Period(2025, 3), {202502}) == Period(2025, 3)


def _event(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "e1",
        "source": "/s",
        "type": "be.mutua.storage.used",
        "subject": "0200791978",
        "time": "2025-04-03T10:00:00Z",
        "data": {"gb": "12.5"},
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def _verdict(**changes: object) -> ValidEvent | Rejection:
    return validate_event(_event(**changes), 0, meters=METERS, subjects=SUBJECTS, now=NOW)


def test_each_kind_of_bad_event_is_rejected_with_its_own_reason() -> None:
    cases = {
        "missing field id": _verdict(id=None),
        "unknown event type": _verdict(type="be.mutua.unknown"),
        "unknown member or engagement": _verdict(subject="0999999999"),
        "is negative": _verdict(data={"gb": -1}),
        "is not a number": _verdict(data={"gb": "lots"}),
        "in the future": _verdict(time="2025-05-30T10:00:00Z"),
        "missing value gb": _verdict(data={}),
        "before 1970": _verdict(time="1969-12-31T23:00:00Z"),
    }
    for words, verdict in cases.items():
        assert isinstance(verdict, Rejection), words
        assert words in verdict.reason, (words, verdict.reason)
    fields = {v.field for v in cases.values() if isinstance(v, Rejection)}
    assert fields == {"id", "type", "subject", "data.gb", "time"}


def test_a_member_written_with_dots_resolves_to_its_engagement() -> None:
    verdict = _verdict(subject="0200.791.978")
    assert isinstance(verdict, ValidEvent)
    assert (verdict.member, verdict.engagement) == ("0200791978", "SVC-1")
    assert verdict.time_us == period_bounds_us(APRIL)[0] + (2 * 86400 + 36000) * 1_000_000


def test_the_event_key_is_duckdbs_md5_number_split_in_two_halves() -> None:
    hi, lo = event_key("/gateway/ehealth", "evt-42")
    row = duckdb.execute("SELECT md5_number('/gateway/ehealth' || chr(0) || 'evt-42')").fetchone()
    assert row is not None
    assert int(row[0]) == hi << 64 | lo
    assert event_key("/a", "b") != event_key("/ab", "")  # the separator keeps (source, id) apart
