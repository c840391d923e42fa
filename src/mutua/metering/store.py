"""Metering's storage adapter: the :class:`~mutua.metering.ports.EventStore` port on the files of a
data dir (Parquet segments, claimed keys and rollups: ``eventstore.py``; the write-ahead store of
the HTTP path: ``wal.py``), read and written with DuckDB."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TypeVar

import duckdb

from mutua.costing.domain.meters import Meter
from mutua.kernel.periods import Period
from mutua.kernel.problems import Problem, Rejected
from mutua.metering.aggregation import AggregationInputs, aggregate_inputs
from mutua.metering.catalogue import Catalogue
from mutua.metering.domain import IngestResult, StoreStats, Total
from mutua.metering.duck import connect
from mutua.metering.eventstore import EventStore, StagedBatch
from mutua.metering.loading import load_file, load_pending
from mutua.metering.manifest import metering_root
from mutua.metering.ports import ProgressFn
from mutua.metering.views import RollupUsage
from mutua.metering.wal import WriteAhead

T = TypeVar("T")
Aggregator = Callable[[AggregationInputs], list[Total]]
"""Runs one period's aggregation (``aggregation.sql``) over its inputs."""

FLUSH_CHUNK = 1_000_000
"""Events read from the write-ahead store into one Parquet segment at most."""


class DuckEventStore:
    """The event store of the data dir ``data_dir`` (its ``metering/`` folder)."""

    def __init__(self, data_dir: Path, aggregator: Aggregator | None = None) -> None:
        """``aggregator`` runs the monthly aggregation (default: DuckDB here; ``spark.py``'s
        :class:`~mutua.metering.spark.SparkAggregator` on a Spark cluster)."""
        self.root = metering_root(data_dir)
        self.files = EventStore(self.root)
        self.wal_path = self.root / "wal.sqlite"
        self.aggregator: Aggregator = aggregator or aggregate_inputs

    def ingest_file(self, catalogue: Catalogue, path: Path, progress: ProgressFn | None = None) -> IngestResult:
        """:meth:`ingest_files` of one file."""
        results = self.ingest_files(catalogue, [path], lambda _: progress)
        try:
            return next(results)
        finally:
            results.close()

    def ingest_files(
        self,
        catalogue: Catalogue,
        paths: Sequence[Path],
        progress: Callable[[Path], ProgressFn | None] = lambda _: None,
    ) -> Generator[IngestResult]:
        """Each file in turn, one commit each, its result given once committed; the next file is
        read and staged (validated, its keys found) while the one before is stored, on a
        connection of its own. A file that cannot be read stops the run there (the files before
        it are committed)."""
        ticks = [progress(p) for p in paths]
        with ThreadPoolExecutor(1) as pool:
            staging: Future[StagedBatch] | None = None
            try:
                for i, path in enumerate(paths):
                    batch = (staging or pool.submit(self._stage_file, catalogue, path, ticks[i])).result()
                    staging = None
                    if i + 1 < len(paths):
                        staging = pool.submit(self._stage_file, catalogue, paths[i + 1], ticks[i + 1])
                    try:
                        with self.files.writer() as manifest:
                            store = partial(self.files.store_staged, batch, catalogue, manifest, progress=ticks[i])
                            result = self._readable(path, store)
                    finally:
                        batch.con.close()
                    yield result
            finally:  # stopped early (an error, or no more results wanted): the file being staged is let go
                if staging is not None and not staging.cancel():
                    with contextlib.suppress(Exception):
                        staging.result().con.close()

    def _stage_file(self, catalogue: Catalogue, path: Path, progress: ProgressFn | None) -> StagedBatch:
        con = connect()
        try:
            if progress:
                progress("reading", 0.0)
            return self._readable(
                path,
                lambda: self.files.stage_batch(
                    con, catalogue, str(path), line_offset=load_file(con, path), progress=progress
                ),
            )
        except BaseException:
            con.close()
            raise

    @staticmethod
    def _readable(path: Path, work: Callable[[], T]) -> T:
        """``work`` on the file ``path``; DuckDB's failure to read it refuses the file whole."""
        try:
            return work()
        except Exception as exc:
            if type(exc).__module__.startswith(("duckdb", "_duckdb")):
                raise Rejected(
                    [Problem(str(path), None, None, f"cannot be read: {exc}".splitlines()[0])], "ingest"
                ) from exc
            raise

    def flush(self, catalogue: Catalogue) -> Iterator[IngestResult]:
        """Each segment's commit records the last write-ahead batch it holds (``wal_seq``); only
        then are those batches dropped, and the segment's result given. Safe to repeat, and safe
        beside running servers and file ingestion. Without a write-ahead store, nothing to do.

        A flush moves the batches there when it starts (up to the last ``seq`` it reads first),
        then returns: batches appended meanwhile wait for the next flush, so a flush (and a
        materialisation) ends under steady traffic."""
        if not self.wal_path.exists():
            return
        wal = WriteAhead(self.wal_path)
        try:
            target = wal.last_seq()
            while True:
                with self.files.writer() as manifest:
                    after = int(manifest.get("wal_seq", 0))
                    batches = wal.read(after, limit_events=FLUSH_CHUNK, up_to=target) if after < target else []
                    if not batches:
                        break
                    con = connect()
                    try:
                        load_pending(con, batches, self.root)
                        result = self.files.ingest_locked(
                            con, catalogue, "http", manifest, line_offset=None, trusted=True, wal_seq=batches[-1].seq
                        )
                    finally:
                        con.close()
                wal.forget(batches[-1].seq)  # after the commit that holds them
                yield result
            wal.forget(int(self.files.manifest().get("wal_seq", 0)))  # left by a flush that stopped after its commit
        finally:
            wal.close()

    def pending_http_events(self) -> int:
        if not self.wal_path.exists():
            return 0
        after = int(self.files.manifest().get("wal_seq", 0))
        wal = WriteAhead(self.wal_path)
        try:
            return wal.count(after=after)
        finally:
            wal.close()

    def sealed(self) -> set[int]:
        return self.files.sealed()

    def seal(self, period: Period) -> None:
        self.files.seal(period.key)

    def aggregate(self, period: Period, meters: Sequence[Meter] = ()) -> list[Total]:
        return self.aggregator(self.files.aggregation_inputs(period, meters))

    def usage(self, period: Period, member: str | None = None, meter: str | None = None) -> list[RollupUsage]:
        paths = self.files.rollup_files(period)
        if not paths:
            return []
        rows = (
            view_connection()
            .execute(USAGE_FROM_ROLLUPS, {"files": [str(p) for p in paths], "member": member, "meter": meter})
            .fetchall()
        )
        return [
            RollupUsage(
                str(r[0]),
                str(r[1]),
                str(r[2]),
                str(r[3]),
                int(r[4]),
                bool(r[5]),
                int(r[6]),
                int(r[7] or 0),
                int(r[8] or 0),
                int(r[9] or 0),
                r[10],
            )
            for r in rows
        ]

    def stats(self) -> StoreStats:
        manifest = self.files.manifest()
        return StoreStats(
            segments=len(manifest["segments"]),
            stored_events=self.files.stored_events(),
            claimed_keys=self.files.key_index().count(),
            pending_http_events=self.pending_http_events(),
            periods=tuple(Period.from_key(p) for p in self.files.periods()),
        )


USAGE_FROM_ROLLUPS = """
    SELECT member, engagement, meter, agg, origin_period, bool_or(late), sum(events)::BIGINT,
           sum(sum_micro)::DECIMAL(38,0), max(max_micro),
           arg_max(last_micro, (last_us, coalesce(last_source, ''), coalesce(last_id, ''))), max(day)
    FROM read_parquet($files, union_by_name = true)
    WHERE ($member IS NULL OR member = $member) AND ($meter IS NULL OR meter = $meter)
    GROUP BY ALL
    ORDER BY member, meter, origin_period
"""
"""A period's usage per member, meter and origin period from its rollup files; ``$member`` and
``$meter`` narrow it (None: all). The latest value is the one ordering's: time, then (source, id)
(rollups written before they kept (source, id) compare as '')."""

_VIEWS = threading.local()


def view_connection() -> duckdb.DuckDBPyConnection:
    """One DuckDB connection per thread for the views (opening one costs more than the query)."""
    con: duckdb.DuckDBPyConnection | None = getattr(_VIEWS, "con", None)
    if con is None:
        con = connect(threads=1)
        _VIEWS.con = con
    return con
