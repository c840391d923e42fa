"""Writing a segment: the staged events not skipped (``m`` minus ``skip``) as Parquet files per
period and aggregation family, and each period's rollups (per origin month). Files are written under new
names and fsynced; they count only once the manifest names them (``manifest.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

from mutua.metering import dedup
from mutua.metering.duck import one, one_column

EVENT_COLUMNS = (
    "source",
    "id",
    "member",
    "engagement",
    "meter",
    "agg",
    "dims",
    "time_us",
    "value_micro",
    "period",
    "origin_period",
    "family",
)
"""The columns of every event file."""
FAMILIES = (0, 1, 2)
"""Aggregation families, stored apart: 0 sum, count, max; 1 unique count; 2 latest, time-weighted."""
FAMILY_COLUMNS = {
    0: EVENT_COLUMNS,
    1: (*EVENT_COLUMNS, "value_text", "op"),
    2: (*EVENT_COLUMNS, "period_end_us", "period_len_us"),
}
"""An event file's columns, by family: beside the event's own, only the columns its family's
aggregation reads (a unique count's value and operation, ``op``: 1 add, -1 remove, read as an
add where empty; a latest or time-weighted meter's origin month's end and length). The readers
take a column a file lacks as empty (``aggregation.py``), as the columns of the other families
are. Files written before have every column (``day`` and ``late`` too, which only the rollups
need, and work out): they read the same. Each column costs the Parquet writer the encoding of
every row, whether or not anything reads it."""
MAX_ROLLUPS = 4
LATE = "period <> origin_period"
"""SQL: a staged row is late, charged in a later period than its origin month (that one locked)."""


def write_events(con: duckdb.DuckDBPyConnection, root: Path, segment: str) -> dict[Path, int]:
    """This segment's event files under ``root``, each with its period."""
    periods = one_column(con, "SELECT DISTINCT period FROM m WHERE period IS NOT NULL ORDER BY period")
    written: dict[Path, int] = {}
    for p in periods:
        for family in FAMILIES:  # one file per family, so a scan for one family skips the others
            path = root / "events" / f"period={p}" / f"{segment}-{family}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            copied = one(con, COPY_EVENTS[family], {"period": int(p), "path": str(path)})
            if not copied:
                path.unlink()
                continue
            dedup.fsync_file(path)
            written[path] = int(p)
    return written


def write_rollups(
    con: duckdb.DuckDBPyConnection, root: Path, segment: str, files: Mapping[Path, int], manifest: Mapping[str, Any]
) -> dict[str, list[str]]:
    """This commit's rollups per period: the period's files plus a new one, or all merged into one."""
    result: dict[str, list[str]] = {}
    for period in sorted(set(files.values())):
        old = list(manifest["rollups"].get(str(period), []))
        rel = f"rollups/period={period}/{segment}.parquet"
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(ROLLUP_FROM_EVENTS, {"period": int(period)})
        if len(old) + 1 > MAX_ROLLUPS:
            con.execute(COPY_MERGED_ROLLUP, {"older": [str(root / n) for n in old], "path": str(target)})
            old = []
        else:  # unordered: the merged rollup (every MAX_ROLLUPS commits) is ordered
            con.execute(COPY_FRESH_ROLLUP, {"path": str(target)})
        con.execute("DROP TABLE fresh_rollup")
        dedup.fsync_file(target)
        result[str(period)] = [rel, *old]
    return result


EVENT_FILE_OPTIONS = "FORMAT parquet, COMPRESSION snappy, PARQUET_VERSION v2, DICTIONARY_SIZE_LIMIT 1000"
"""How an event file is written: Parquet 2 (delta encodings: times and values as differences,
ids as lengths and bytes), and a dictionary for a text column only while it has at most 1,000
distinct values in a row group: a sender's ``source`` (a few per file) is a dictionary column,
an ``id`` gives up after its first 1,000 (a dictionary of unique ids was built and thrown away for
each row group); names kept as codes (members, meters) are dictionary columns all the same. One
2.5 M-event file, one thread: 1.38 to 1.11 s of CPU, 44.8 to 38.3 MB without any dictionary for
text (limit 1), then the sums and counts' file 0.77-0.84 to 0.66-0.72 s, ``source`` 1.5 to 0.36 MB
with the sources' dictionary. DuckDB, Arrow and Spark read every version, so files written before
read alike."""
COPY_EVENTS = {
    family: f"COPY (SELECT {', '.join(columns)} FROM m ANTI JOIN skip USING (idx) "  # noqa: S608 (the constant columns)
    f"WHERE period = $period AND family = {family} AND counted) TO $path ({EVENT_FILE_OPTIONS})"
    for family, columns in FAMILY_COLUMNS.items()
}
"""One period's events of one family, as a Parquet file (the rows a meter's filters let through)."""
_ROLLUP_GROUP = """
        SELECT any_value(member) AS member, engagement, meter, any_value(agg) AS agg, dims,
               CAST(make_timestamp(max(time_us)) AS DATE) AS day, period, origin_period,
               {late} AS late,
               count(*)::BIGINT AS events,
               sum(value_micro)::DECIMAL(38, 0) AS sum_micro,
               max(value_micro) AS max_micro,
               max(time_us) AS last_us{last}
        FROM m ANTI JOIN skip USING (idx)
        WHERE period = $period AND counted AND family {family}
        GROUP BY engagement, meter, dims, period, origin_period"""
_LAST = """,
               max({'t': time_us, 's': source, 'i': id}) AS last,
               arg_max(value_micro, {'t': time_us, 's': source, 'i': id}) AS last_micro"""
_ROLLUP_FAMILY_2 = _ROLLUP_GROUP.format(family="= 2", last=_LAST, late=LATE)
_ROLLUP_OTHERS = _ROLLUP_GROUP.format(family="<> 2", last="", late=LATE)
ROLLUP_FROM_EVENTS = f"""
    CREATE OR REPLACE TEMP TABLE fresh_rollup AS
    SELECT member, engagement, meter, agg, dims, day, period, origin_period, late, events, sum_micro, max_micro,
           last_us, last_micro, last.s AS last_source, last.i AS last_id
    FROM ({_ROLLUP_FAMILY_2}
    )
    UNION ALL BY NAME{_ROLLUP_OTHERS}
"""  # noqa: S608 (fixed text: the two parts of the one query)
"""This commit's rollups of one period (``fresh_rollup``): one row per engagement, meter,
dimensions and origin month, with its last day (``day``, the day of its last time) and whether it
is late (charged in a later period than its origin month's). Rollups were daily before: a month's
groups are about 25 times fewer, so grouping a commit's events costs less than half (0.58 to 0.24 s
of CPU per 2.5 M events) and writing them next to nothing; the readers sum the rows of a group
and take its greatest day, which reads old and new rollups alike. For the latest and time-weighted
meters (family 2), the latest value by the one ordering (time, then (source, id)), and the
(source, id) that ordered it, to merge by it: the greatest (time, source, id) of a group is its
last event's (a group's events have distinct (source, id)). The other meters' groups (a meter is
of one family, so no group is in both parts) are counted apart, without carrying their events'
sources and ids through the aggregation (about 60 ms less per 2.5 M events), and leave ``last_micro``,
``last_source`` and ``last_id`` empty: nothing reads them (a view's latest value, a gauge's level
carried into the next month are family 2's; a recurring sum carries its balance, whichever row is
its last). Rollups written before keep them filled; they read the same."""
COPY_FRESH_ROLLUP = "COPY fresh_rollup TO $path (FORMAT parquet, ROW_GROUP_SIZE 16384)"
COPY_MERGED_ROLLUP = """
    COPY (
        SELECT member, engagement, meter, agg, dims, max(day) AS day, period, origin_period, late,
               sum(events)::BIGINT AS events, sum(sum_micro)::DECIMAL(38, 0) AS sum_micro,
               max(max_micro) AS max_micro, max(last_us) AS last_us,
               arg_max(last_micro, (last_us, coalesce(last_source, ''), coalesce(last_id, ''))) AS last_micro,
               arg_max(last_source, (last_us, coalesce(last_source, ''), coalesce(last_id, ''))) AS last_source,
               arg_max(last_id, (last_us, coalesce(last_source, ''), coalesce(last_id, ''))) AS last_id
        FROM (SELECT * FROM fresh_rollup UNION ALL BY NAME SELECT * FROM read_parquet($older, union_by_name = true))
        GROUP BY member, engagement, meter, agg, dims, period, origin_period, late
        ORDER BY member, meter, origin_period
    ) TO $path (FORMAT parquet, ROW_GROUP_SIZE 16384)
"""
"""``fresh_rollup`` and the period's earlier rollup files (``$older``), merged into one file: one row
per group and origin month (a store's daily rollups of before merge into it)."""


def by_period(root: Path, files: Mapping[Path, int]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for path, period in sorted(files.items()):
        result.setdefault(str(period), []).append(str(path.relative_to(root)))
    return result
