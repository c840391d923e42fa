"""The event store: append-only Parquet segments partitioned by period, claimed keys, daily rollups.

Layout under the data dir's ``metering/`` folder::

    manifest.json                         the commit point: names every file that counts
    events/period=YYYYMM/<segment>_*.parquet   one row per event and meter (EVENT_COLUMNS)
    keys/bNN/<segment>.{hi,lo}.npy        claimed identities, sorted runs per bucket (dedup.py)
    rollups/period=YYYYMM/<segment>.parquet    daily rollups per member, engagement, meter and
                                          day: one file per commit, merged into one when a period
                                          has more than MAX_ROLLUPS (so a view reads few files)
    wal.sqlite                            events acknowledged over HTTP, not yet in a segment

**Commit.** A segment's event files, key runs and rollups are written under new names and
fsynced; then ``manifest.json`` is replaced atomically (write, fsync, rename, fsync the folder).
Before the rename nothing of the segment counts (its files are orphans, removed by the next
writer); after it, all of it does. Identity claims and stored events therefore change together.
One writer at a time holds ``lock`` (``flock``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mutua.costing.domain.model import Aggregation, Meter
from mutua.kernel.periods import Period
from mutua.metering import dedup
from mutua.metering.domain import (
    FUTURE_TOLERANCE,
    Rejection,
    ValidEvent,
    charge_period,
    period_bounds_us,
    validate_event,
)
from mutua.metering.sqltext import Parameters, identifier, json_pointer
from mutua.metering.wal import Batch

EVENT_COLUMNS = (
    "source",
    "id",
    "member",
    "engagement",
    "meter",
    "agg",
    "dims",
    "time_us",
    "day",
    "value_micro",
    "value_text",
    "period",
    "origin_period",
    "period_end_us",
    "period_len_us",
    "late",
    "family",
)
NUMERIC = ("sum", "max", "latest", "time_weighted_average")
FAMILIES = (0, 1, 2)
"""Aggregation families, stored apart: 0 sum, count, max; 1 unique count; 2 latest, time-weighted."""
MAX_ROLLUPS = 4
ProgressFn = Callable[[str, float], None]


@dataclass(frozen=True)
class Catalogue:
    """What validation needs to know: meters, subjects, locked periods and the clock.

    Attributes:
        meters: the cost model's meters.
        subjects: subject -> (member, engagement), see ``domain.metering.resolve_subjects``.
        closed: the locked periods (YYYYMM).
        now_us: the receiving clock, microseconds since the epoch.
    """

    meters: tuple[Meter, ...]
    subjects: Mapping[str, tuple[str, str]]
    closed: frozenset[int]
    now_us: int

    def by_type(self) -> dict[str, list[Meter]]:
        result: dict[str, list[Meter]] = {}
        for m in self.meters:
            result.setdefault(m.event_type, []).append(m)
        return result


@dataclass
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


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def connect(threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")
    if threads:
        con.execute("SET threads = $1", [int(threads)])
    limit = memory_limit or os.environ.get("MUTUA_METERING_MEMORY")
    if limit:
        con.execute("SET memory_limit = $1", [limit])
    return con


class EventStore:
    """The files of the metering store under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.manifest_path = root / "manifest.json"
        self._index: tuple[tuple[int, int, int], dedup.KeyIndex, dict[str, Any]] | None = None

    # -- manifest -----------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {"version": 0, "segments": [], "keys": {}, "rollups": {}}
        return data

    def _commit(self, manifest: dict[str, Any]) -> None:
        manifest["version"] = int(manifest.get("version", 0)) + 1
        tmp = self.root / f"manifest.{uuid.uuid4().hex}.tmp"
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(manifest, f, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(self.manifest_path)
        _fsync_dir(self.root)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """The single-writer lock (released by the OS if the process dies)."""
        with (self.root / "lock").open("a+") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    def referenced(self, manifest: Mapping[str, Any]) -> set[str]:
        names: set[str] = set()
        for seg in manifest["segments"]:
            for files in seg["files"].values():
                names.update(files)
        for runs in manifest["keys"].values():
            for run in runs:
                names.update(dedup.run_files(run))
        for files in manifest["rollups"].values():
            names.update(files)
        return names

    def remove_orphans(self, manifest: Mapping[str, Any]) -> int:
        """Delete files no commit names (left by a writer that died before its commit)."""
        keep = self.referenced(manifest)
        removed = 0
        for folder in ("events", "keys", "rollups"):
            base = self.root / folder
            if not base.exists():
                continue
            for path in base.rglob("*"):
                if path.is_file() and str(path.relative_to(self.root)) not in keep:
                    path.unlink()
                    removed += 1
        for tmp in self.root.glob("manifest.*.tmp"):
            tmp.unlink()
        return removed

    # -- reading ------------------------------------------------------------------------------

    def event_files(self, period: Period | None = None, manifest: Mapping[str, Any] | None = None) -> list[Path]:
        m = manifest or self.manifest()
        files: list[Path] = []
        for seg in m["segments"]:
            for key, names in seg["files"].items():
                if period is None or int(key) == period.key:
                    files.extend(self.root / name for name in names)
        return files

    def periods(self) -> list[int]:
        return sorted({int(k) for seg in self.manifest()["segments"] for k in seg["files"]})

    def sealed(self) -> set[int]:
        """Periods materialised for the close: new events for them are charged in the next open one."""
        return {int(p) for p in self.manifest().get("sealed", [])}

    def seal(self, period_key: int) -> None:
        """Seal a period (a commit of its own; a writer in progress finishes first)."""
        with self.lock():
            manifest = self.manifest()
            sealed = set(manifest.get("sealed", []))
            if period_key not in sealed:
                manifest["sealed"] = sorted(sealed | {period_key})
                self._commit(manifest)

    def rollup_files(self, period: Period) -> list[Path]:
        return [self.root / name for name in self.manifest()["rollups"].get(str(period.key), [])]

    def manifest_stamp(self) -> tuple[int, int, int]:
        """Changes with every commit (each one is a new file renamed into place)."""
        try:
            st = self.manifest_path.stat()
        except FileNotFoundError:
            return (0, 0, 0)
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def key_index(self) -> dedup.KeyIndex:
        """The claimed keys (cached until the manifest changes)."""
        return self.key_index_and_manifest()[0]

    def key_index_and_manifest(self) -> tuple[dedup.KeyIndex, dict[str, Any]]:
        """The claimed keys and the manifest they come from (one read, consistent)."""
        stamp = self.manifest_stamp()
        if self._index is None or self._index[0] != stamp:
            for attempt in range(10):
                manifest = self.manifest()
                try:
                    index = dedup.KeyIndex(self.root, manifest["keys"])
                    break
                except FileNotFoundError:  # a writer merged runs away just after our read: read again
                    if attempt == 9:
                        raise
                    time.sleep(0.01)
            self._index = (stamp, index, manifest)
        return self._index[1], self._index[2]

    def stored_events(self) -> int:
        return sum(int(seg["events"]) for seg in self.manifest()["segments"])

    # -- writing ------------------------------------------------------------------------------

    def ingest(
        self,
        con: duckdb.DuckDBPyConnection,
        catalogue: Catalogue,
        source: str,
        *,
        line_offset: int | None,
        trusted: bool = False,
        progress: ProgressFn | None = None,
    ) -> IngestResult:
        """Validate, deduplicate and durably store the events of the temp table ``raw``.

        ``raw`` has ``idx`` (0-based position) and the CloudEvents columns ``source, id, type,
        subject, time, data`` (``data`` as JSON text or a struct); with ``trusted`` (a flush of
        events acknowledged earlier) it also has ``member`` and ``engagement``.
        """
        with self.writer() as manifest:
            return self.ingest_locked(
                con, catalogue, source, manifest, line_offset=line_offset, trusted=trusted, progress=progress
            )

    @contextmanager
    def writer(self) -> Iterator[dict[str, Any]]:
        """The single writer's turn: the lock, and the manifest as it stands (orphans removed)."""
        with self.lock():
            manifest = self.manifest()
            self.remove_orphans(manifest)
            yield manifest

    def ingest_locked(
        self,
        con: duckdb.DuckDBPyConnection,
        catalogue: Catalogue,
        source: str,
        manifest: dict[str, Any],
        *,
        line_offset: int | None,
        trusted: bool = False,
        progress: ProgressFn | None = None,
        wal_seq: int | None = None,
    ) -> IngestResult:
        """:meth:`ingest` inside :meth:`writer`. ``wal_seq``: the write-ahead batches up to this
        one are in ``raw``; it is recorded in the same commit (even when they were all duplicates)."""
        started = time.perf_counter()
        step = progress or (lambda what, done: None)
        result = IngestResult(source)
        result.received = int(_one(con, "SELECT count(*) FROM raw"))
        step("validating", 0.1)
        _stage(con, catalogue, trusted)
        result.rejected = _rejections(con, catalogue, line_offset)
        step("deduplicating", 0.3)
        bad = _one_column(con, "SELECT idx FROM badidx")
        hi, lo, idx, in_file = _first_occurrences(con, skip_bad=bool(bad))
        taken = self.key_index().contains(hi, lo)
        result.duplicate_indexes = sorted([*in_file.tolist(), *idx[taken].tolist()])
        result.duplicates = len(result.duplicate_indexes)
        result.accepted = int(idx.shape[0]) - int(np.count_nonzero(taken))
        if result.accepted == 0:
            if wal_seq is not None and wal_seq > int(manifest.get("wal_seq", 0)):
                manifest["wal_seq"] = wal_seq
                self._commit(manifest)
            result.seconds = time.perf_counter() - started
            return result
        step("writing", 0.5)
        segment = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}"
        skip = np.asarray([*result.duplicate_indexes, *bad], dtype=np.int64)
        con.register("skip_arrow", pa.table({"idx": skip}))
        con.execute("CREATE OR REPLACE TEMP TABLE skip AS SELECT idx FROM skip_arrow")
        con.unregister("skip_arrow")
        files = self._write_events(con, segment)
        if catalogue.closed:  # only an event of a locked month can be late
            result.late = int(_one(con, "SELECT count(DISTINCT idx) FROM m ANTI JOIN skip USING (idx) WHERE late"))
        step("rollups", 0.7)
        rollups = self._write_rollups(con, segment, files, manifest)
        step("claiming keys", 0.85)
        runs = dedup.write_runs(self.root, segment, hi[~taken], lo[~taken], presorted=True)
        written = [*files, *(self.root / f for run in runs.values() for f in dedup.run_files(run))]
        written += [self.root / n for names in rollups.values() for n in names]
        replaced: list[str] = []
        keys_manifest: dict[str, list[str]] = {k: list(v) for k, v in manifest["keys"].items()}
        for bucket, run in runs.items():
            keys_manifest.setdefault(str(bucket), []).append(run)
        touched = sorted({str(b) for b in runs})
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:  # NumPy sorts and fsync waits release the GIL
            compacted = list(
                pool.map(
                    lambda name: dedup.compact(self.root, int(name), keys_manifest[name], f"{segment}-merged"),
                    touched,
                )
            )
        for name, (current, gone, new) in zip(touched, compacted, strict=True):
            keys_manifest[name] = current
            replaced.extend(gone)
            written.extend(self.root / f for run in new for f in dedup.run_files(run))
        _fsync_parents(self.root, written)
        replaced_rollups = [
            name
            for period, names in manifest["rollups"].items()
            if period in rollups
            for name in names
            if name not in rollups[period]
        ]
        manifest["segments"].append(
            {
                "id": segment,
                "source": source[-300:],
                "events": result.accepted,
                "files": _by_period(self.root, files),
            }
        )
        manifest["keys"] = keys_manifest
        manifest["rollups"] = {**manifest["rollups"], **rollups}
        if wal_seq is not None:
            manifest["wal_seq"] = max(wal_seq, int(manifest.get("wal_seq", 0)))
        step("committing", 0.95)
        self._commit(manifest)  # <- the commit point
        for run in replaced:
            for f in dedup.run_files(run):
                (self.root / f).unlink(missing_ok=True)
        for name in replaced_rollups:
            (self.root / name).unlink(missing_ok=True)
        result.segment = segment
        result.seconds = time.perf_counter() - started
        return result

    def _write_events(self, con: duckdb.DuckDBPyConnection, segment: str) -> dict[Path, int]:
        periods = _one_column(con, "SELECT DISTINCT period FROM m WHERE period IS NOT NULL ORDER BY period")
        written: dict[Path, int] = {}
        for p in periods:
            for family in FAMILIES:  # one file per family, so a scan for one family skips the others
                path = self.root / "events" / f"period={p}" / f"{segment}-{family}.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                copied = _one(con, COPY_EVENTS, {"period": int(p), "family": family, "path": str(path)})
                if not copied:
                    path.unlink()
                    continue
                dedup.fsync_file(path)
                written[path] = int(p)
        return written

    def _write_rollups(
        self, con: duckdb.DuckDBPyConnection, segment: str, files: Mapping[Path, int], manifest: Mapping[str, Any]
    ) -> dict[str, list[str]]:
        """This commit's rollups per period: the period's files plus a new one, or all merged into one."""
        result: dict[str, list[str]] = {}
        for period in sorted(set(files.values())):
            old = list(manifest["rollups"].get(str(period), []))
            rel = f"rollups/period={period}/{segment}.parquet"
            target = self.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            con.execute(ROLLUP_FROM_EVENTS, {"period": int(period)})
            if len(old) + 1 > MAX_ROLLUPS:
                con.execute(COPY_MERGED_ROLLUP, {"older": [str(self.root / n) for n in old], "path": str(target)})
                old = []
            else:  # unordered: the merged rollup (every MAX_ROLLUPS commits) is ordered
                con.execute(COPY_FRESH_ROLLUP, {"path": str(target)})
            con.execute("DROP TABLE fresh_rollup")
            dedup.fsync_file(target)
            result[str(period)] = [rel, *old]
        return result


COPY_EVENTS = (
    f"COPY (SELECT {', '.join(EVENT_COLUMNS)} FROM m ANTI JOIN skip USING (idx) "  # noqa: S608 (the constant EVENT_COLUMNS)
    "WHERE period = $period AND family = $family) TO $path (FORMAT parquet, COMPRESSION snappy)"
)
"""One period's events of one family, as a Parquet file."""
ROLLUP_FROM_EVENTS = """
    CREATE OR REPLACE TEMP TABLE fresh_rollup AS
    SELECT any_value(member) AS member, engagement, meter, any_value(agg) AS agg, dims, day, period, origin_period,
           any_value(late) AS late,
           count(*)::BIGINT AS events,
           sum(value_micro)::DECIMAL(38, 0) AS sum_micro,
           max(value_micro) AS max_micro,
           max(time_us) AS last_us,
           arg_max(value_micro, time_us) AS last_micro
    FROM m ANTI JOIN skip USING (idx)
    WHERE period = $period
    GROUP BY engagement, meter, dims, day, period, origin_period
"""
"""This commit's daily rollups of one period (``fresh_rollup``)."""
COPY_FRESH_ROLLUP = "COPY fresh_rollup TO $path (FORMAT parquet, ROW_GROUP_SIZE 16384)"
COPY_MERGED_ROLLUP = """
    COPY (
        SELECT member, engagement, meter, agg, dims, day, period, origin_period, late,
               sum(events)::BIGINT AS events, sum(sum_micro)::DECIMAL(38, 0) AS sum_micro,
               max(max_micro) AS max_micro, max(last_us) AS last_us, arg_max(last_micro, last_us) AS last_micro
        FROM (SELECT * FROM fresh_rollup UNION ALL SELECT * FROM read_parquet($older))
        GROUP BY ALL
        ORDER BY member, meter, day
    ) TO $path (FORMAT parquet, ROW_GROUP_SIZE 16384)
"""
"""``fresh_rollup`` and the period's earlier rollup files (``$older``), merged into one file."""


def _by_period(root: Path, files: Mapping[Path, int]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for path, period in sorted(files.items()):
        result.setdefault(str(period), []).append(str(path.relative_to(root)))
    return result


def _fsync_parents(root: Path, paths: Sequence[Path]) -> None:
    """Make the new files' directory entries durable: each folder written into, and the folders
    above it up to ``root`` (a folder may be new)."""
    folders: set[Path] = set()
    for path in paths:
        folder = path.parent
        while folder != root and folder not in folders and root in folder.parents:
            folders.add(folder)
            folder = folder.parent
    for folder in sorted(folders, key=lambda f: -len(f.parts)):
        _fsync_dir(folder)
    _fsync_dir(root)


KEYS_OF_BATCH = (
    "SELECT (h >> 64)::UBIGINT AS hi, (h & 18446744073709551615::UHUGEINT)::UBIGINT AS lo, idx FROM m ORDER BY h, idx"
)
KEYS_OF_GOOD_EVENTS = (
    "SELECT (h >> 64)::UBIGINT AS hi, (h & 18446744073709551615::UHUGEINT)::UBIGINT AS lo, idx "
    "FROM m ANTI JOIN badidx USING (idx) ORDER BY h, idx"
)


def _first_occurrences(
    con: duckdb.DuckDBPyConnection, *, skip_bad: bool
) -> tuple[dedup.U64, dedup.U64, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The batch's keys, once each, sorted, with the position of the first event bearing each;
    and the positions of the later events that repeat a key of the batch (``m`` holds one row
    per event and meter, so an event's own rows share its key and position). ``skip_bad``: leave
    out the events in ``badidx``."""
    rows = con.execute(KEYS_OF_GOOD_EVENTS if skip_bad else KEYS_OF_BATCH).fetchnumpy()
    hi = np.asarray(rows["hi"], dtype=np.uint64)
    lo = np.asarray(rows["lo"], dtype=np.uint64)
    idx = np.asarray(rows["idx"], dtype=np.int64)
    if hi.shape[0] == 0:
        return hi, lo, idx, idx
    new_key = np.ones(hi.shape[0], dtype=bool)
    new_key[1:] = (hi[1:] != hi[:-1]) | (lo[1:] != lo[:-1])
    starts = np.flatnonzero(new_key)
    first_idx = idx[starts][np.cumsum(new_key) - 1]  # each row's first position of its key
    repeats = np.unique(idx[idx != first_idx])
    return hi[starts], lo[starts], idx[starts], repeats


def _one(con: duckdb.DuckDBPyConnection, sql: str, parameters: object = None) -> Any:
    row = con.execute(sql, parameters).fetchone()
    assert row is not None
    return row[0]


def _one_column(con: duckdb.DuckDBPyConnection, sql: str) -> list[int]:
    return [int(r[0]) for r in con.execute(sql).fetchall()]


# -- the vectorised validation (same rules as domain.metering.validate_event) -------------------


def _column_types(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE raw").fetchall()}


def _data_fields(con: duckdb.DuckDBPyConnection) -> set[str] | None:
    """The field names of ``raw.data`` when it is a STRUCT (as read from Parquet), None when it is
    JSON text, and none at all when ``raw`` has no ``data``."""
    raw = con.table("raw")
    if "data" not in raw.columns:
        return set()
    data_type = raw.types[raw.columns.index("data")]
    if data_type.id != "struct":
        return None
    return {str(name) for name, _ in data_type.children}


def _extract(prop: str, fields: set[str] | None, params: Parameters) -> str:
    """A ``data`` property as text: a struct field by its quoted name, a JSON key by a bound pointer."""
    if fields is None:
        return f"json_extract_string(r.data, {params.add(json_pointer(prop))})"
    if prop not in fields:
        return "CAST(NULL AS VARCHAR)"
    return f"CAST(r.data.{identifier(prop)} AS VARCHAR)"


def _number(prop: str, fields: set[str] | None, params: Parameters) -> str:
    """A ``data`` property as DECIMAL(38, 6), NULL when missing or not a number (typed struct
    fields are cast directly, without a detour through text)."""
    if fields is None or prop not in fields:
        return f"TRY_CAST({_extract(prop, fields, params)} AS DECIMAL(38, 6))"
    return f"TRY_CAST(r.data.{identifier(prop)} AS DECIMAL(38, 6))"


def _blank(column: str) -> str:
    """SQL: the text is missing, empty or only spaces (trim only when it starts with a space)."""
    return f"({column} IS NULL OR {column} = '' OR (ascii({column}) IN (9, 10, 13, 32) AND trim({column}) = ''))"


NUMERIC_SQL = ", ".join(f"'{a}'" for a in NUMERIC)
"""The numeric aggregations as a SQL list of literals (from the constant NUMERIC)."""


def _stage(con: duckdb.DuckDBPyConnection, catalogue: Catalogue, trusted: bool) -> None:
    """Build ``m`` (one row per event and meter, ``row_bad`` on rows that break a rule) in one pass,
    and ``badidx``: the events with any bad row.

    The cost model's names never reach the SQL text as they are: a meter's value property and
    dimensions are numbered (``meters_arrow.prop_no``, ``dimset_no``), a struct field is written
    with :func:`identifier`, and JSON pointers and dimension labels are bound parameters."""
    types = _column_types(con)
    fields = _data_fields(con)
    meters = catalogue.meters
    props = sorted({m.value_property for m in meters if m.value_property})
    prop_no = {p: i for i, p in enumerate(props)}
    dimsets = sorted({m.group_by for m in meters if m.group_by})
    dimset_no = {g: i for i, g in enumerate(dimsets)}
    con.register(
        "meters_arrow",
        pa.table(
            {
                "type": [m.event_type for m in meters],
                "meter": [m.code for m in meters],
                "agg": [m.aggregation.value for m in meters],
                "prop_no": [prop_no[m.value_property] if m.value_property else None for m in meters],
                "dimset_no": [dimset_no[m.group_by] if m.group_by else None for m in meters],
            },
            schema=pa.schema(
                [
                    ("type", pa.string()),
                    ("meter", pa.string()),
                    ("agg", pa.string()),
                    ("prop_no", pa.int32()),
                    ("dimset_no", pa.int32()),
                ]
            ),
        ),
    )
    params = Parameters()
    text_props = sorted({m.value_property for m in meters if m.value_property and m.aggregation.value not in NUMERIC})
    num_props = sorted({m.value_property for m in meters if m.value_property and m.aggregation.value in NUMERIC})
    text_cases = " ".join(f"WHEN {prop_no[p]} THEN {_extract(p, fields, params)}" for p in text_props)
    value_expr = (
        f"CASE WHEN mt.agg = 'unique_count' THEN CASE mt.prop_no {text_cases} END END"
        if text_cases
        else "CAST(NULL AS VARCHAR)"
    )
    num_cases = " ".join(f"WHEN {prop_no[p]} THEN {_number(p, fields, params)}" for p in num_props)
    number_expr = (
        f"CASE WHEN mt.agg IN ({NUMERIC_SQL}) THEN CASE mt.prop_no {num_cases} END END"
        if num_cases
        else "CAST(NULL AS DECIMAL(38, 6))"
    )
    dims_cases = " ".join(
        f"WHEN {dimset_no[g]} THEN concat_ws(';', "
        + ", ".join(f"{params.add(k + '=')} || coalesce({_extract(k, fields, params)}, '')" for k in g)
        + ")"
        for g in dimsets
    )
    dims_expr = f"CASE mt.dimset_no {dims_cases} ELSE '' END" if dims_cases else "''"
    if trusted:
        who = "r.member AS member, r.engagement AS engagement"
        join = ""
    else:
        subjects = catalogue.subjects
        con.register(
            "subjects_arrow",
            pa.table(
                {
                    "subject": list(subjects),
                    "member": [v[0] for v in subjects.values()],
                    "engagement": [v[1] for v in subjects.values()],
                },
                schema=pa.schema([("subject", pa.string()), ("member", pa.string()), ("engagement", pa.string())]),
            ),
        )
        who = "s.member AS member, s.engagement AS engagement"
        join = (
            "LEFT JOIN subjects_arrow s ON s.subject = "
            "CASE WHEN r.subject LIKE '%.%' OR r.subject LIKE '% %' "
            "THEN replace(replace(r.subject, '.', ''), ' ', '') ELSE r.subject END"
        )
    mapping = []
    for year in range(1970, 2101):
        for month in range(1, 13):
            origin = Period(year, month)
            target = charge_period(origin, catalogue.closed)
            start, end = period_bounds_us(origin)
            mapping.append((origin.key, target.key, target.key != origin.key, end, end - start))
    con.register(
        "pmap_arrow",
        pa.table(
            {
                "origin_period": [x[0] for x in mapping],
                "period": [x[1] for x in mapping],
                "late": [x[2] for x in mapping],
                "period_end_us": [x[3] for x in mapping],
                "period_len_us": [x[4] for x in mapping],
            },
            schema=pa.schema(
                [
                    ("origin_period", pa.int32()),
                    ("period", pa.int32()),
                    ("late", pa.bool_()),
                    ("period_end_us", pa.int64()),
                    ("period_len_us", pa.int64()),
                ]
            ),
        ),
    )
    limit_us = params.add(catalogue.now_us + int(FUTURE_TOLERANCE.total_seconds() * 1_000_000))
    ttype = types.get("time", "VARCHAR").upper()
    time_expr = "r.time" if ttype.startswith("TIMESTAMP") else "TRY_CAST(r.time AS TIMESTAMPTZ)"
    stage_sql = f"""
        CREATE OR REPLACE TEMP TABLE m AS
        WITH x AS (
            SELECT r.idx, CAST(r.source AS VARCHAR) AS source, CAST(r.id AS VARCHAR) AS id,
                   CAST(r.type AS VARCHAR) AS type, {who}, mt.meter, mt.agg,
                   epoch_us({time_expr}) AS time_us,
                   {value_expr} AS raw_value,
                   {number_expr} AS dec,
                   {dims_expr} AS dims
            FROM raw r {join}
            LEFT JOIN meters_arrow mt ON mt.type = r.type
        ), y AS (
            SELECT *,
                   CAST(year(make_timestamp(time_us)) * 100 + month(make_timestamp(time_us)) AS INTEGER) AS origin
            FROM x
        )
        SELECT y.idx, y.source, y.id, y.member, y.engagement, y.meter, y.agg, y.dims, y.time_us,
               CAST(make_timestamp(y.time_us) AS DATE) AS day,
               CASE WHEN y.agg IN ({NUMERIC_SQL}) THEN CAST(y.dec * 1000000 AS BIGINT) END AS value_micro,
               CASE WHEN y.agg = 'unique_count' THEN y.raw_value END AS value_text,
               p.period, p.origin_period, p.period_end_us, p.period_len_us, p.late,
               CAST(CASE y.agg WHEN 'unique_count' THEN 1 WHEN 'latest' THEN 2 WHEN 'time_weighted_average' THEN 2
                    ELSE 0 END AS TINYINT) AS family,
               md5_number(y.source || chr(0) || y.id) AS h,
               ({_blank("y.source")} OR {_blank("y.id")} OR y.type IS NULL
                OR y.meter IS NULL OR y.member IS NULL OR y.time_us IS NULL OR y.time_us > {limit_us}
                OR p.period IS NULL
                OR (y.agg IN ({NUMERIC_SQL}) AND (y.dec IS NULL OR y.dec < 0))
                OR (y.agg = 'unique_count' AND {_blank("y.raw_value")})) AS row_bad
        FROM y LEFT JOIN pmap_arrow p ON p.origin_period = y.origin
        """  # noqa: S608 (fragments written above: names through identifier(), values bound as parameters)
    con.execute(stage_sql, params.values)
    con.execute("CREATE OR REPLACE TEMP TABLE badidx AS SELECT DISTINCT idx FROM m WHERE row_bad")


def _rejections(con: duckdb.DuckDBPyConnection, catalogue: Catalogue, line_offset: int | None) -> list[Rejection]:
    """The reason of each bad event, in the domain's words (validate_event on the raw record)."""
    bad = _one_column(con, "SELECT idx FROM badidx ORDER BY idx")
    if not bad:
        return []
    by_type = catalogue.by_type()
    now = _from_us(catalogue.now_us)
    types = _column_types(con)
    con.register("bad_arrow", pa.table({"idx": np.asarray(bad, dtype=np.int64)}))
    cols = [c for c in ("source", "id", "type", "subject", "time", "data") if c in types]
    select = ", ".join(
        "to_json(r.data)::VARCHAR AS data" if c == "data" else f"CAST(r.{identifier(c)} AS VARCHAR) AS {identifier(c)}"
        for c in cols
    )
    rows = con.execute(
        f"SELECT r.idx, {select} FROM raw r SEMI JOIN bad_arrow b ON r.idx = b.idx ORDER BY r.idx"  # noqa: S608 (the fixed columns above)
    ).fetchall()
    con.unregister("bad_arrow")
    result = []
    for row in rows:
        index = int(row[0])
        raw: dict[str, Any] = dict(zip(cols, row[1:], strict=True))
        if "data" in raw and isinstance(raw["data"], str):
            with contextlib.suppress(ValueError):
                raw["data"] = json.loads(raw["data"])
        if "time" in raw and isinstance(raw["time"], str) and " " in raw["time"] and "T" not in raw["time"]:
            raw["time"] = raw["time"].replace(" ", "T")
        line = None if line_offset is None else index + line_offset
        verdict = validate_event(raw, index, meters=by_type, subjects=catalogue.subjects, now=now, line=line)
        if isinstance(verdict, ValidEvent):
            verdict = Rejection(index, line, None, "the event could not be read as a CloudEvent", raw.get("id"))
        result.append(verdict)
    return result


def _from_us(us: int) -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


# -- reading files into ``raw`` -----------------------------------------------------------------


def load_file(con: duckdb.DuckDBPyConnection, path: Path) -> int | None:
    """Read a JSON lines, CSV or Parquet file of CloudEvents into ``raw``; returns the line offset."""
    name = path.name.lower()
    if name.endswith(".parquet"):  # a view (read as it streams): DuckDB's relation API writes the file name
        parquet = con.read_parquet(str(path), file_row_number=True)
        parquet.select("file_row_number AS idx, * EXCLUDE (file_row_number)").create_view("raw", replace=True)
        return None
    if name.endswith((".csv", ".csv.gz")):
        con.execute(
            "CREATE OR REPLACE TEMP TABLE raw0 AS SELECT * FROM read_csv($path, header = true, all_varchar = true)",
            {"path": str(path)},
        )
        con.execute("CREATE OR REPLACE TEMP TABLE raw AS SELECT rowid AS idx, * FROM raw0")
        con.execute("DROP TABLE raw0")
        return 2
    con.execute(
        "CREATE OR REPLACE TEMP TABLE raw0 AS SELECT * FROM read_json($path, format = 'newline_delimited', "
        "columns = {'id': 'VARCHAR', 'source': 'VARCHAR', 'type': 'VARCHAR', 'subject': 'VARCHAR', "
        "'time': 'VARCHAR', 'data': 'JSON'})",
        {"path": str(path)},
    )
    con.execute("CREATE OR REPLACE TEMP TABLE raw AS SELECT rowid AS idx, * FROM raw0")
    con.execute("DROP TABLE raw0")
    return 1


def load_pending(con: duckdb.DuckDBPyConnection, batches: Sequence[Batch], folder: Path) -> None:
    """Put the batches acknowledged over HTTP (who is charged, the CloudEvents) into ``raw``.

    The batches' JSON arrays (events, and who is charged) are joined into one array each, in
    scratch files that DuckDB's JSON reader streams and joins by position."""
    tag = uuid.uuid4().hex
    events_path, who_path = folder / f"flush-{tag}.events.json", folder / f"flush-{tag}.who.json"
    try:
        _join_arrays(events_path, (b.events for b in batches))
        _join_arrays(who_path, (b.who for b in batches))
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE raw AS
            SELECT row_number() OVER () - 1 AS idx, w.json[1] AS member, w.json[2] AS engagement, r.*
            FROM read_json($events, format = 'array',
                           columns = {'source': 'VARCHAR', 'id': 'VARCHAR', 'type': 'VARCHAR', 'subject': 'VARCHAR',
                                      'time': 'VARCHAR', 'data': 'JSON'}) r
            POSITIONAL JOIN read_json($who, format = 'array', records = 'false', columns = {'json': 'VARCHAR[]'}) w
            """,
            {"events": str(events_path), "who": str(who_path)},
        )
    finally:
        events_path.unlink(missing_ok=True)
        who_path.unlink(missing_ok=True)


def _join_arrays(path: Path, arrays: Iterable[bytes]) -> None:
    """Write JSON arrays (as orjson writes them: ``[`` ... ``]``) as one array, without copying them."""
    with path.open("wb") as f:
        f.write(b"[")
        first = True
        for array in arrays:
            inner = memoryview(array)[1:-1]
            if len(inner):
                if not first:
                    f.write(b",")
                f.write(inner)
                first = False
        f.write(b"]")


def is_count(meter: Meter) -> bool:
    return meter.aggregation is Aggregation.COUNT
