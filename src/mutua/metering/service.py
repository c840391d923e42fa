"""Metering use cases: ingest event files and HTTP batches exactly once, flush, aggregate a
period, write its totals into ``usage`` for the close, and show usage from the daily rollups."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, delete

from mutua.charging import db as charging_db
from mutua.costing.domain.model import CostModel
from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict, NotFound, Problem, Rejected
from mutua.legacy_store import Store
from mutua.metering import dedup
from mutua.metering.aggregation import Total, aggregate_files
from mutua.metering.catalogue import Catalogue, now_us
from mutua.metering.closing import MaterialiseResult, service_quantities
from mutua.metering.domain import (
    FUTURE_TOLERANCE,
    Rejection,
    ValidEvent,
    resolve_subjects,
    subject_key,
    validate_event,
)
from mutua.metering.duck import connect
from mutua.metering.eventstore import EventStore, IngestResult, ProgressFn
from mutua.metering.loading import load_file, load_pending
from mutua.metering.manifest import metering_root
from mutua.metering.views import cost_model, materialised_quantities, usage_lines
from mutua.metering.wal import WriteAhead, split_keys
from mutua.platform.db.engine import UnitOfWork

FLUSH_EVENTS = 1_000_000


def load_catalogue(engine: Engine, data_dir: Path | None = None) -> tuple[CostModel, Catalogue]:
    """The cost model's meters, the subjects and the periods no longer open to usage (locked by a
    close, or sealed by :func:`materialise`), as validation needs them."""
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection)
        _, model = store.cost_model()
        engagements = store.engagements()
        closed = store.closed_periods()
    subjects = resolve_subjects(engagements, model)
    subjects = {**subjects, **{subject_key(k): v for k, v in subjects.items()}}
    if data_dir is not None:
        closed |= EventStore(metering_root(data_dir)).sealed()
    return model, Catalogue(model.meters, subjects, frozenset(closed), now_us())


def _audit(engine: Engine, actor: str, result: IngestResult, what: str) -> None:
    with UnitOfWork(engine) as uow:
        Store(uow.connection, actor).audit(
            what,
            "metering_segment",
            result.segment or "-",
            source=result.source,
            received=result.received,
            accepted=result.accepted,
            duplicates=result.duplicates,
            rejected=len(result.rejected),
            late=result.late,
        )
        uow.commit()


def ingest_file(
    engine: Engine, data_dir: Path, path: Path, actor: str = "system", progress: ProgressFn | None = None
) -> IngestResult:
    """Ingest a JSON lines, CSV or Parquet file of CloudEvents: bad events are rejected one by one,
    duplicates (in the file or taken earlier) change nothing, the rest is stored durably once."""
    if not path.is_file():
        raise NotFound(f"no such file: {path}")
    _, catalogue = load_catalogue(engine, data_dir)
    store = EventStore(metering_root(data_dir))
    con = connect()
    try:
        if progress:
            progress("reading", 0.0)
        offset = load_file(con, path)
        result = store.ingest(con, catalogue, str(path), line_offset=offset, progress=progress)
    except Exception as exc:
        if type(exc).__module__.startswith("duckdb") or type(exc).__module__.startswith("_duckdb"):
            raise Rejected(
                [Problem(str(path), None, None, f"cannot be read: {exc}".splitlines()[0])], "ingest"
            ) from exc
        raise
    finally:
        con.close()
    _audit(engine, actor, result, "ingest")
    return result


FLUSH_CHUNK = 1_000_000
"""Events read from the write-ahead store into one Parquet segment at most."""


def flush(engine: Engine, data_dir: Path, actor: str = "system") -> IngestResult:
    """Move the events acknowledged over HTTP from the write-ahead store into Parquet segments.

    Each segment's commit records the last write-ahead batch it holds (``wal_seq``); only then are
    those batches dropped. Safe to repeat, and safe beside running servers and file ingestion."""
    root = metering_root(data_dir)
    store = EventStore(root)
    wal = WriteAhead(root / "wal.sqlite")
    total = IngestResult("http")
    try:
        _, catalogue = load_catalogue(engine, data_dir)
        while True:
            with store.writer() as manifest:
                after = int(manifest.get("wal_seq", 0))
                batches = wal.read(after, limit_events=FLUSH_CHUNK)
                if not batches:
                    break
                con = connect()
                try:
                    load_pending(con, batches, root)
                    result = store.ingest_locked(
                        con, catalogue, "http", manifest, line_offset=None, trusted=True, wal_seq=batches[-1].seq
                    )
                finally:
                    con.close()
            wal.forget(batches[-1].seq)  # after the commit that holds them
            _audit(engine, actor, result, "flush")
            total.received += result.received
            total.accepted += result.accepted
            total.duplicates += result.duplicates
            total.rejected += result.rejected
            total.late += result.late
            total.seconds += result.seconds
            total.segment = result.segment or total.segment
        wal.forget(int(store.manifest().get("wal_seq", 0)))  # left by a flush that stopped after its commit
    finally:
        wal.close()
    return total


@dataclass
class BatchAnswer:
    """The answer to one HTTP batch.

    Attributes:
        accepted: ids of events stored now (durably, before this answer).
        duplicates: ids of events that were already taken (changed nothing).
        rejected: each refused event with its reason.
    """

    accepted: list[str]
    duplicates: list[str]
    rejected: list[Rejection]

    def as_dict(self, *, with_accepted_ids: bool = False) -> dict[str, Any]:
        """Counts, the duplicates' ids and each rejection; every other event of the batch was taken."""
        data: dict[str, Any] = {
            "accepted": len(self.accepted),
            "duplicates": len(self.duplicates),
            "rejected": len(self.rejected),
            "duplicate_ids": self.duplicates,
            "rejections": [r.as_dict() for r in self.rejected],
        }
        if with_accepted_ids:
            data["accepted_ids"] = self.accepted
        return data


class HttpIngestor:
    """Takes batches of CloudEvents over HTTP: validated, claimed and stored in one commit, then answered.

    Any number of processes may run one over the same data dir. Under the write-ahead store's
    write lock a batch's keys are checked against the Parquet store's claimed keys and every
    pending batch (this process keeps their keys in memory, catching up on the batches other
    processes appended), then the new events are appended in one durable transaction."""

    def __init__(self, engine: Engine, data_dir: Path, actor: str = "http", flush_events: int = FLUSH_EVENTS) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self.actor = actor
        self.flush_events = flush_events
        self.store = EventStore(metering_root(data_dir))
        self.wal = WriteAhead(metering_root(data_dir) / "wal.sqlite")
        self.lock = threading.Lock()
        self.pending: set[bytes] = set()
        self.chunks: deque[tuple[int, list[bytes]]] = deque()
        self.seen_seq = 0
        self._flushing = threading.Lock()
        self.refresh()
        with self.lock, self.wal.writing() as cur:
            self._catch_up(cur)

    def refresh(self) -> None:
        _, self.catalogue = load_catalogue(self.engine, self.data_dir)
        self.by_type = self.catalogue.by_type()
        self.loaded_at = time.monotonic()

    def _catch_up(self, cur: Any) -> dedup.KeyIndex:
        """Inside the write lock: take in the batches appended since we last looked, then the
        Parquet store's keys; forget pending keys that a flush has committed there."""
        for seq, keys in WriteAhead.keys_after(cur, self.seen_seq):
            chunk = split_keys(keys)
            self.pending.update(chunk)
            self.chunks.append((seq, chunk))
            self.seen_seq = seq
        index, manifest = self.store.key_index_and_manifest()
        flushed = int(manifest.get("wal_seq", 0))
        while self.chunks and self.chunks[0][0] <= flushed:
            self.pending.difference_update(self.chunks.popleft()[1])
        return index

    def accept(self, events: Sequence[Any]) -> BatchAnswer:
        if time.monotonic() - self.loaded_at > 60:
            self.refresh()
        now = datetime.now(UTC)
        duplicates: list[str] = []
        rejected: list[Rejection] = []
        valid: list[ValidEvent] = []
        seen: set[bytes] = set()
        by_type, subjects = self.by_type, self.catalogue.subjects
        latest = now + FUTURE_TOLERANCE
        for i, raw in enumerate(events):
            verdict = validate_event(raw, i, meters=by_type, subjects=subjects, now=now, latest=latest)
            if isinstance(verdict, Rejection):
                rejected.append(verdict)
            elif verdict.key in seen:
                duplicates.append(verdict.event_id)
            else:
                seen.add(verdict.key)
                valid.append(verdict)
        accepted: list[str] = []
        if valid:
            digests = b"".join(v.key for v in valid)
            hi, lo = dedup.halves(digests)
            with self.lock:
                with self.wal.writing() as cur:
                    taken = self._catch_up(cur).contains(hi, lo)
                    pending = self.pending
                    fresh = [v for v, old in zip(valid, taken.tolist(), strict=True) if not (old or v.key in pending)]
                    if fresh:
                        chunk = [v.key for v in fresh]
                        seq = WriteAhead.append(
                            cur,
                            b"".join(chunk),
                            orjson.dumps([(v.member, v.engagement) for v in fresh]),
                            orjson.dumps([events[v.position] for v in fresh]),
                            len(fresh),
                        )
                # committed, durably (an exception above rolled it back and answers nothing)
                if fresh:
                    self.pending.update(chunk)
                    self.chunks.append((seq, chunk))
                    self.seen_seq = seq
            accepted = [v.event_id for v in fresh]
            if len(fresh) < len(valid):
                fresh_keys = {v.key for v in fresh}
                duplicates.extend(v.event_id for v in valid if v.key not in fresh_keys)
            if len(self.pending) >= self.flush_events and self._flushing.acquire(blocking=False):
                threading.Thread(target=self._flush_in_background, daemon=True).start()
        return BatchAnswer(accepted, duplicates, rejected)

    def _flush_in_background(self) -> None:
        try:
            flush(self.engine, self.data_dir, self.actor)
        finally:
            self._flushing.release()

    def flush(self) -> IngestResult:
        """Flush now (ingestion goes on meanwhile: the pending keys are dropped only once a
        committed segment holds them)."""
        with self._flushing:
            return flush(self.engine, self.data_dir, self.actor)

    def close(self) -> None:
        self.wal.close()


# -- aggregation and the close ----------------------------------------------------------------


def aggregate_period(data_dir: Path, period: Period) -> list[Total]:
    """The monthly totals of the events charged in ``period`` (DuckDB)."""
    store = EventStore(metering_root(data_dir))
    return aggregate_files(store.event_files(period))


def materialise(
    engine: Engine, data_dir: Path, period: Period, actor: str = "system", *, flush_first: bool = True
) -> MaterialiseResult:
    """Write ``period``'s metered totals into ``usage`` (source ``metering``) for the close.

    Events acknowledged over HTTP are flushed first, so the totals hold every acknowledged event.
    The period is then *sealed* for metering: an event for it that arrives later is charged in the
    next open period as late (so none can fall between this and the close). Idempotent: the
    period's earlier metering rows are replaced. A locked period is refused."""
    with UnitOfWork(engine) as uow:
        if period.key in Store(uow.connection).closed_periods():
            raise Conflict(f"period {period} is closed: its usage can no longer change (late events go to the next)")
    if flush_first and (metering_root(data_dir) / "wal.sqlite").exists():
        flush(engine, data_dir, actor)
    EventStore(metering_root(data_dir)).seal(period.key)
    pending = pending_http_events(data_dir)
    totals = aggregate_period(data_dir, period)
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection, actor)
        _, model = store.cost_model()
        if period.key in store.closed_periods():
            raise Conflict(f"period {period} is closed: its usage can no longer change (late events go to the next)")
        ids = store.engagement_ids()
        quantities = service_quantities(model, totals)
        rows = [
            {
                "engagement_id": ids[eng][0],
                "service": service,
                "period_key": period.key,
                "origin_period_key": origin,
                "quantity": qty,
                "source": "metering",
            }
            for (eng, service, origin), qty in sorted(quantities.items())
            if eng in ids
        ]
        u = charging_db.usage
        uow.connection.execute(delete(u).where(u.c.period_key == period.key, u.c.source == "metering"))
        batch_id = store.add_batch("metering", f"metering {period}", "-", len(rows))
        for r in rows:
            r["batch_id"] = batch_id
        store.insert_many(u, rows)
        store.audit("materialise", "metering_period", str(period), rows=len(rows), events=sum(x.events for x in totals))
        uow.commit()
    return MaterialiseResult(
        period,
        len(rows),
        sum(x.events for x in totals),
        sum(1 for r in rows if r["origin_period_key"] != period.key),
        pending,
        batch_id,
    )


# -- usage views ------------------------------------------------------------------------------


def usage_view(
    engine: Engine, data_dir: Path, period: Period, member: str | None = None, meter: str | None = None
) -> dict[str, Any]:
    """Usage per member, meter and period from the daily rollups (month-to-date while open).

    Sum, count, max and latest are exact from the rollups; unique count and time-weighted average
    need every event, so for them the view shows the totals last written for the close."""
    store = EventStore(metering_root(data_dir))
    paths = store.rollup_files(period)
    with UnitOfWork(engine) as uow:
        s = Store(uow.connection)
        model = cost_model(s)
        closed = period.key in s.closed_periods()
        materialised = materialised_quantities(s, period)
    lines = usage_lines(paths, model, materialised, member, meter) if paths else []
    return {"period": str(period), "closed": closed, "member": member, "lines": lines}


def pending_http_events(data_dir: Path) -> int:
    """Events acknowledged over HTTP and not yet in a committed segment."""
    path = metering_root(data_dir) / "wal.sqlite"
    if not path.exists():
        return 0
    after = int(EventStore(metering_root(data_dir)).manifest().get("wal_seq", 0))
    wal = WriteAhead(path)
    try:
        return wal.count(after=after)
    finally:
        wal.close()


def stats(data_dir: Path) -> dict[str, Any]:
    """What the store holds: segments, stored events, claimed keys, pending HTTP events."""
    store = EventStore(metering_root(data_dir))
    manifest = store.manifest()
    return {
        "segments": len(manifest["segments"]),
        "stored_events": store.stored_events(),
        "claimed_keys": store.key_index().count(),
        "pending_http_events": pending_http_events(data_dir),
        "periods": [str(Period.from_key(p)) for p in store.periods()],
    }


def parse_batch(body: bytes) -> list[Any]:
    """A request body: one CloudEvent (object) or a batch (array)."""
    data = orjson.loads(body)
    if isinstance(data, list):
        return data
    return [data]


def rejected_problems(source: str, rejections: Sequence[Rejection]) -> list[Problem]:
    return [Problem(source, r.line if r.line is not None else r.index, r.field, r.reason) for r in rejections]
