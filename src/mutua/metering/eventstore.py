"""The event store: append-only Parquet segments partitioned by period, claimed keys, rollups per origin month.

Ingestion, one commit per input batch (the temp table ``raw``, see ``loading.py``): stage and
validate it (``staging.py``), find its keys not yet claimed (``keyclaims.py``), write the new
events and the rollups (``segments.py``) and the key runs, then commit them together by
replacing the manifest (``manifest.py``, which also describes the layout on disk). The reading
side is ``reading.py``.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mutua.metering import dedup
from mutua.metering.catalogue import Catalogue
from mutua.metering.domain import IngestResult, Rejection
from mutua.metering.duck import one, one_column
from mutua.metering.keyclaims import claim, first_occurrences, pending_contains
from mutua.metering.manifest import fsync_parents
from mutua.metering.ports import ProgressFn
from mutua.metering.reading import StoreReader
from mutua.metering.segments import LATE, by_period, write_events, write_rollups
from mutua.metering.staging import rejections, stage


@dataclass(frozen=True)
class StagedBatch:
    """A batch staged in its connection (the temp tables ``m`` and ``badidx``), with its keys.

    Attributes:
        closed: the closed periods it was staged with (:meth:`EventStore.store_staged` stages it
            again if the store sealed another since).
        rejected: its bad events, each with its reason; ``bad``: their positions.
        hi, lo, idx, in_file: its good events' keys, once each, with the first position bearing
            each; and the later positions repeating one (``keyclaims.first_occurrences``).
        started: when its ingestion started (``time.perf_counter``).
    """

    con: duckdb.DuckDBPyConnection
    source: str
    line_offset: int | None
    trusted: bool
    closed: frozenset[int]
    received: int
    rejected: list[Rejection]
    bad: list[int]
    hi: dedup.U64
    lo: dedup.U64
    idx: npt.NDArray[np.int64]
    in_file: npt.NDArray[np.int64]
    started: float


def _no_progress(what: str, done: float) -> None:
    """No one is told how an ingestion goes."""


class EventStore(StoreReader):
    """The files of the metering store under ``root``, and their single writer."""

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
        batch = self.stage_batch(con, catalogue, source, line_offset=line_offset, trusted=trusted, progress=progress)
        return self.store_staged(batch, catalogue, manifest, progress=progress, wal_seq=wal_seq)

    def stage_batch(
        self,
        con: duckdb.DuckDBPyConnection,
        catalogue: Catalogue,
        source: str,
        *,
        line_offset: int | None,
        trusted: bool = False,
        progress: ProgressFn | None = None,
    ) -> StagedBatch:
        """Validate the batch in ``raw`` and find its keys (``staging.py``, ``keyclaims.py``):
        the part of an ingestion that needs neither the store's lock nor its state, so that a
        batch can be staged while the one before is being stored (:meth:`store_staged`)."""
        started = time.perf_counter()
        step = progress or _no_progress
        received = int(one(con, "SELECT count(*) FROM raw"))
        step("validating", 0.1)
        stage(con, catalogue, trusted)
        rejected = rejections(con, catalogue, line_offset)
        step("deduplicating", 0.3)
        bad = one_column(con, "SELECT idx FROM badidx")
        hi, lo, idx, in_file = first_occurrences(con, skip_bad=bool(bad))
        step("waiting", 0.35)
        return StagedBatch(
            con, source, line_offset, trusted, catalogue.closed, received, rejected, bad, hi, lo, idx, in_file, started
        )

    def store_staged(
        self,
        batch: StagedBatch,
        catalogue: Catalogue,
        manifest: dict[str, Any],
        *,
        progress: ProgressFn | None = None,
        wal_seq: int | None = None,
    ) -> IngestResult:
        """Inside :meth:`writer`: drop the staged batch's events already taken, write the rest
        with their rollups and keys, and commit. A period sealed since the batch was staged
        (a materialisation in between) is closed to it: the batch is staged again first."""
        sealed = {int(p) for p in manifest.get("sealed", [])}
        if not sealed <= batch.closed:
            catalogue = replace(catalogue, closed=catalogue.closed | sealed)
            batch = self.stage_batch(
                batch.con, catalogue, batch.source, line_offset=batch.line_offset, trusted=batch.trusted
            )
        con, source, trusted = batch.con, batch.source, batch.trusted
        received, rejected, bad, started = batch.received, batch.rejected, batch.bad, batch.started
        hi, lo, idx, in_file = batch.hi, batch.lo, batch.idx, batch.in_file
        step = progress or _no_progress
        step("deduplicating", 0.4)
        taken = self.key_index().contains(hi, lo)
        if not trusted:  # a file: its events acknowledged over HTTP, not yet flushed, are duplicates
            taken |= pending_contains(self.root / "wal.sqlite", int(manifest.get("wal_seq", 0)), hi, lo)
        duplicate_indexes = sorted([*in_file.tolist(), *idx[taken].tolist()])
        accepted = int(idx.shape[0]) - int(np.count_nonzero(taken))

        def result(late: int = 0, segment: str | None = None) -> IngestResult:
            return IngestResult(
                source,
                received,
                accepted,
                len(duplicate_indexes),
                rejected,
                late,
                segment,
                time.perf_counter() - started,
                duplicate_indexes,
            )

        if accepted == 0:
            if wal_seq is not None and wal_seq > int(manifest.get("wal_seq", 0)):
                manifest["wal_seq"] = wal_seq
                self.commit(manifest)
            return result()
        step("writing", 0.5)
        segment = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}"
        skip = np.asarray([*duplicate_indexes, *bad], dtype=np.int64)
        con.register("skip_arrow", pa.table({"idx": skip}))
        con.execute("CREATE OR REPLACE TEMP TABLE skip AS SELECT idx FROM skip_arrow")
        con.unregister("skip_arrow")
        # the key runs are written (NumPy, fsyncs: mostly without the GIL) while DuckDB writes the
        # events and rollups; both are only files until the commit below names them
        with ThreadPoolExecutor(1) as pool:
            claiming = pool.submit(
                claim, self.root, segment, hi[~taken], lo[~taken], manifest["keys"], manifest.get("filter")
            )
            files = write_events(con, self.root, segment)
            late = 0
            if catalogue.closed:  # only an event of a locked month can be late
                late = int(one(con, f"SELECT count(DISTINCT idx) FROM m ANTI JOIN skip USING (idx) WHERE {LATE}"))  # noqa: S608 (the constant LATE)
            step("rollups", 0.7)
            rollups = write_rollups(con, self.root, segment, files, manifest)
            step("claiming keys", 0.85)
            claims = claiming.result()  # (leaving the pool waits for it, also when the writing failed)
        written = [*files, *(self.root / f for run in claims.runs.values() for f in dedup.run_files(run))]
        written.extend(self.root / f for f in claims.filter_written)
        written += [self.root / n for names in rollups.values() for n in names]
        written.extend(self.root / f for run in claims.merged for f in dedup.run_files(run))
        fsync_parents(self.root, written)
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
                "events": accepted,
                "files": by_period(self.root, files),
            }
        )
        manifest["keys"] = claims.keys
        manifest["filter"] = claims.store_filter
        manifest["rollups"] = {**manifest["rollups"], **rollups}
        if wal_seq is not None:
            manifest["wal_seq"] = max(wal_seq, int(manifest.get("wal_seq", 0)))
        step("committing", 0.95)
        self.commit(manifest)  # <- the commit point
        for run in claims.replaced:
            for f in dedup.run_files(run):
                (self.root / f).unlink(missing_ok=True)
        for name in replaced_rollups:
            (self.root / name).unlink(missing_ok=True)
        for name in claims.filter_replaced:
            (self.root / name).unlink(missing_ok=True)
        return result(late, segment)
