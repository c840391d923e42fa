"""The files' reading of ``time`` (``staging.time_us_sql``: the usual shape by ``strptime``, the rest
by the pattern and the cast) is the domain's rule (``domain.parse_time``, the HTTP path's), time by
time, on fuzzed times around the usual shape and the other RFC 3339 forms."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import duckdb

from mutua.metering.domain import parse_time
from mutua.metering.sqltext import Parameters
from mutua.metering.staging import time_us_sql

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STORED = (datetime(1970, 1, 1, tzinfo=UTC), datetime(2101, 1, 1, tzinfo=UTC))
"""The times a store maps to periods: outside, an event is refused whatever its reading."""
BASES = (
    "2025-03-01T10:20:30.123456Z",
    "2025-03-01T10:20:30Z",
    "2025-03-01T10:20:30.1Z",
    "2025-03-01T23:59:59.999999999Z",
    "2025-03-01T10:20:30.123456+01:00",
    "2025-03-01T10:20:30-05:30",
    "2024-02-29T00:00:00.000000Z",
    "2025-02-28T24:00:00.000000Z",
    "1970-01-01T00:00:00.000000Z",
    "2100-12-31T23:59:59.999999Z",
)
SUBSTITUTES = (" ", "\t", "\n", "\x0b", "\xa0", "+", "-", "0", "1", "2", "3", "5", "6", "9", "a")
SUBSTITUTES += ("Z", "z", "T", "t", ".", ":", "\u0661", "\uff11", "/", "_")


def fuzzed(count: int) -> list[str]:
    rng = random.Random(20261130)
    times = set(BASES)
    while len(times) < count:
        chars = list(rng.choice(BASES))
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(chars) + 1)
            c = rng.choice(SUBSTITUTES)
            if i < len(chars) and rng.random() < 0.7:
                chars[i] = c  # mostly in place: the usual shape kept, a character changed
            elif rng.random() < 0.5 and i < len(chars):
                del chars[i]
            else:
                chars.insert(i, c)
        times.add("".join(chars))
    for _ in range(3000):  # the usual shape, every field in and out of its range
        times.add(
            f"{rng.randint(0, 9999):04d}-{rng.randint(0, 13):02d}-{rng.randint(0, 32):02d}T{rng.randint(0, 25):02d}:"
            f"{rng.randint(0, 61):02d}:{rng.randint(0, 61):02d}.{rng.randint(0, 999999):06d}Z"
        )
    start = datetime(1969, 12, 31, tzinfo=UTC)
    for _ in range(3000):  # real times in the usual shape, over the whole span a store maps
        when = start + timedelta(microseconds=rng.randrange(132 * 366 * 86_400 * 10**6))
        times.add(when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    return sorted(times)


def domain_us(text: str) -> int | None:
    when = parse_time(text)
    if when is None or not STORED[0] <= when < STORED[1]:
        return None
    return (when - EPOCH) // timedelta(microseconds=1)


def test_files_read_each_time_as_the_domain_rule_does() -> None:
    times = fuzzed(40_000)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE raw AS SELECT unnest($1::VARCHAR[]) AS time", [times])
    params = Parameters()
    sql = f"SELECT time, {time_us_sql('time', params)} FROM raw"
    lo, hi = ((t - EPOCH) // timedelta(microseconds=1) for t in STORED)
    read = {
        t: (us if us is not None and lo <= us < hi else None) for t, us in con.execute(sql, params.values).fetchall()
    }
    differ = [(t, read[t], domain_us(t)) for t in times if read[t] != domain_us(t)]
    assert differ == []
    usual = sum(1 for t in times if len(t) == 27 and t.endswith("Z") and domain_us(t) is not None)
    assert usual > 3000  # the fast path was taken often, and agreed
    assert sum(1 for t in times if domain_us(t) is not None) > usual  # and so was the other
