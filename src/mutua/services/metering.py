"""Metering use cases: ingest event files and HTTP batches exactly once, flush, aggregate a
period, write its totals into ``usage`` for the close, and show usage from the daily rollups."""

from __future__ import annotations

import functools
import threading
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import orjson
from sqlalchemy import Engine, delete, select

from mutua.adapters.db import tables as t
from mutua.adapters.db.engine import UnitOfWork
from mutua.adapters.db.store import Store
from mutua.adapters.files.costmodel_file import parse_cost_model
from mutua.adapters.metering.aggregation import Total, aggregate_files
from mutua.adapters.metering.eventstore import (
    Catalogue,
    EventStore,
    IngestResult,
    ProgressFn,
    connect,
    load_file,
    load_pending,
)
from mutua.adapters.metering.wal import WriteAhead
from mutua.domain.costmodel import CostModel
from mutua.domain.metering import (
    FUTURE_TOLERANCE,
    MICRO,
    Fraction128,
    Rejection,
    ValidEvent,
    billing_quantity,
    resolve_subjects,
    subject_key,
    validate_event,
)
from mutua.domain.periods import Period
from mutua.domain.problems import Conflict, NotFound, Problem, Rejected

FLUSH_EVENTS = 1_000_000


def metering_root(data_dir: Path) -> Path:
    return data_dir / "metering"


def now_us() -> int:
    return (datetime.now(UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


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


def flush(
    engine: Engine,
    data_dir: Path,
    actor: str = "system",
    wal: WriteAhead | None = None,
    up_to_seq: int | None = None,
) -> tuple[IngestResult, list[tuple[int, int]]]:
    """Move the events acknowledged over HTTP from the write-ahead store into a Parquet segment.

    Safe to repeat after a crash: an event already in a segment is found among the claimed keys
    and not stored twice; the pending rows are dropped only after the segment's commit. Returns
    the result and the keys moved."""
    own = wal is None
    wal = wal or WriteAhead(metering_root(data_dir) / "wal.sqlite")
    try:
        last, rows = wal.read(up_to_seq)
        if not rows:
            return IngestResult("http"), []
        _, catalogue = load_catalogue(engine, data_dir)
        store = EventStore(metering_root(data_dir))
        con = connect()
        try:
            load_pending(con, rows)
            result = store.ingest(con, catalogue, "http", line_offset=None, trusted=True)
        finally:
            con.close()
        wal.forget(last)  # after the segment's commit
    finally:
        if own:
            wal.close()
    _audit(engine, actor, result, "flush")
    return result, [(r[0], r[1]) for r in rows]


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

    A batch's new events are appended to the write-ahead store in one durable transaction; their
    keys join the pending set only after that commit. Duplicates are found among the claimed keys
    of the Parquet store (memory-mapped runs) and the pending set."""

    def __init__(self, engine: Engine, data_dir: Path, actor: str = "http", flush_events: int = FLUSH_EVENTS) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self.actor = actor
        self.flush_events = flush_events
        self.store = EventStore(metering_root(data_dir))
        self.wal = WriteAhead(metering_root(data_dir) / "wal.sqlite")
        self.lock = threading.Lock()
        self.pending: set[tuple[int, int]] = set(self.wal.keys())
        self._flushing = threading.Lock()
        self.refresh()

    def refresh(self) -> None:
        _, self.catalogue = load_catalogue(self.engine, self.data_dir)
        self.by_type = self.catalogue.by_type()
        self.loaded_at = time.monotonic()

    def accept(self, events: Sequence[Any]) -> BatchAnswer:
        if time.monotonic() - self.loaded_at > 60:
            self.refresh()
        now = datetime.now(UTC)
        duplicates: list[str] = []
        rejected: list[Rejection] = []
        valid: list[ValidEvent] = []
        seen: set[tuple[int, int]] = set()
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
            with self.lock:
                hi = np.fromiter((v.key[0] for v in valid), dtype=np.uint64, count=len(valid))
                lo = np.fromiter((v.key[1] for v in valid), dtype=np.uint64, count=len(valid))
                taken = self.store.key_index().contains(hi, lo)
                pending = self.pending
                rows = []
                fresh = []
                for v, old in zip(valid, taken.tolist(), strict=True):
                    if old or v.key in pending:
                        duplicates.append(v.event_id)
                    else:
                        fresh.append(v)
                        rows.append((v.key[0], v.key[1], v.member, v.engagement, orjson.dumps(events[v.position])))
                self.wal.append(rows)  # durable when it returns; the claim is the row
                pending.update(v.key for v in fresh)
                accepted = [v.event_id for v in fresh]
            if len(self.pending) >= self.flush_events and self._flushing.acquire(blocking=False):
                threading.Thread(target=self._flush_in_background, daemon=True).start()
        return BatchAnswer(accepted, duplicates, rejected)

    def _flush_in_background(self) -> None:
        try:
            self.flush(locked=True)
        finally:
            self._flushing.release()

    def flush(self, *, locked: bool = False) -> IngestResult:
        """Flush without stopping ingestion: the pending keys stay in the set until the rows are
        in a committed segment (then the stored runs hold them), so dedup never has a gap."""
        if not locked:
            self._flushing.acquire()
        try:
            with self.lock:
                last, _ = self.wal.read_last()
            result, keys = flush(self.engine, self.data_dir, self.actor, up_to_seq=last)  # its own connection
            with self.lock:
                self.pending.difference_update(keys)
            return result
        finally:
            if not locked:
                self._flushing.release()

    def close(self) -> None:
        self.wal.close()


# -- aggregation and the close ----------------------------------------------------------------


def aggregate_period(data_dir: Path, period: Period) -> list[Total]:
    """The monthly totals of the events charged in ``period`` (DuckDB)."""
    store = EventStore(metering_root(data_dir))
    return aggregate_files(store.event_files(period))


@dataclass(frozen=True)
class MaterialiseResult:
    period: Period
    rows: int
    events: int
    late_rows: int
    pending: int
    batch_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": str(self.period),
            "usage_rows": self.rows,
            "events": self.events,
            "late_rows": self.late_rows,
            "pending_http_events": self.pending,
            "batch_id": self.batch_id,
        }


def service_quantities(model: CostModel, totals: Sequence[Total]) -> dict[tuple[str, str, int], Decimal]:
    """(engagement, service, origin period) -> quantity in the service's unit (each meter rounded once)."""
    fractions: dict[tuple[str, str, int], list[Fraction128]] = defaultdict(list)
    for tot in totals:
        fractions[(tot.engagement, tot.meter, tot.origin_period)].append(Fraction128(tot.numerator, tot.denominator))
    result: dict[tuple[str, str, int], Decimal] = defaultdict(lambda: Decimal(0))
    for (engagement, code, origin), parts in sorted(fractions.items()):
        meter = model.meter(code)
        if meter is None:
            continue
        result[(engagement, meter.service, origin)] += billing_quantity(meter, parts)
    return dict(result)


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
    wal_path = metering_root(data_dir) / "wal.sqlite"
    pending = 0
    if flush_first and wal_path.exists():
        flush(engine, data_dir, actor)
    EventStore(metering_root(data_dir)).seal(period.key)
    if wal_path.exists():
        wal = WriteAhead(wal_path)
        try:
            pending = wal.count()
        finally:
            wal.close()
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
        u = t.usage
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
        model = _cost_model(s)
        closed = period.key in s.closed_periods()
        materialised = _materialised(s, period)
    lines: list[dict[str, Any]] = []
    if paths:
        con = _view_connection()
        where = ["true"]
        params: list[Any] = []
        if member is not None:
            where.append("member = ?")
            params.append(member)
        if meter is not None:
            where.append("meter = ?")
            params.append(meter)
        sql = (
            "SELECT member, engagement, meter, agg, origin_period, bool_or(late), sum(events)::BIGINT, "
            "sum(sum_micro)::DECIMAL(38,0), max(max_micro), arg_max(last_micro, last_us), max(day) "
            f"FROM read_parquet(?) WHERE {' AND '.join(where)} GROUP BY ALL ORDER BY member, meter, origin_period"
        )
        rows = con.execute(sql, [[str(p) for p in paths], *params]).fetchall()
        for r in rows:
            m = model.meter(str(r[2]))
            agg = str(r[3])
            value: Decimal | None
            if agg == "sum":
                value = Decimal(r[7] or 0)
            elif agg == "count":
                value = Decimal(int(r[6]) * MICRO)
            elif agg == "max":
                value = Decimal(r[8] or 0)
            elif agg == "latest":
                value = Decimal(r[9] or 0)
            else:
                value = None
            quantity: str | None
            basis = "rollups"
            if value is not None and m is not None:
                quantity = str(billing_quantity(m, [Fraction128(int(value))]))
            else:
                found = materialised.get((str(r[1]), m.service if m else "", int(r[4])))
                quantity = None if found is None else str(found)
                basis = "materialised service total"
            lines.append(
                {
                    "member": r[0],
                    "engagement": r[1],
                    "meter": r[2],
                    "aggregation": agg,
                    "service": m.service if m else None,
                    "unit": _unit(model, m.service if m else ""),
                    "origin_period": str(Period.from_key(int(r[4]))),
                    "late": bool(r[5]),
                    "events": int(r[6]),
                    "quantity": quantity,
                    "basis": basis,
                    "last_day": str(r[10]),
                }
            )
    return {"period": str(period), "closed": closed, "member": member, "lines": lines}


_VIEWS = threading.local()


def _view_connection() -> duckdb.DuckDBPyConnection:
    """One DuckDB connection per thread for the views (opening one costs more than the query)."""
    con: duckdb.DuckDBPyConnection | None = getattr(_VIEWS, "con", None)
    if con is None:
        con = connect(threads=1)
        _VIEWS.con = con
    return con


@functools.lru_cache(maxsize=8)
def _parse_model(sha: str, content: str) -> CostModel:
    return parse_cost_model(content, f"cost model {sha[:12]}")


def _cost_model(store: Store) -> CostModel:
    """The model in force, parsed once per version (a stored version never changes)."""
    row = store.c.execute(
        select(t.cost_models.c.sha256, t.cost_models.c.content).order_by(t.cost_models.c.id.desc()).limit(1)
    ).first()
    if row is None:
        return store.cost_model()[1]  # raises the usual "no cost model" conflict
    return _parse_model(str(row[0]), str(row[1]))


def _materialised(store: Store, period: Period) -> dict[tuple[str, str, int], Decimal]:
    u, e = t.usage, t.engagements
    q = (
        select(e.c.code, u.c.service, u.c.origin_period_key, u.c.quantity)
        .join(e, e.c.id == u.c.engagement_id)
        .where(u.c.period_key == period.key, u.c.source == "metering")
    )
    return {(r[0], r[1], int(r[2])): r[3] for r in store.c.execute(q)}


def stats(data_dir: Path) -> dict[str, Any]:
    """What the store holds: segments, stored events, claimed keys, pending HTTP events."""
    store = EventStore(metering_root(data_dir))
    manifest = store.manifest()
    wal_path = metering_root(data_dir) / "wal.sqlite"
    pending = 0
    if wal_path.exists():
        wal = WriteAhead(wal_path)
        try:
            pending = wal.count()
        finally:
            wal.close()
    return {
        "segments": len(manifest["segments"]),
        "stored_events": store.stored_events(),
        "claimed_keys": store.key_index().count(),
        "pending_http_events": pending,
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


def group_by_member(lines: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    result: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for ln in lines:
        result[str(ln["member"])].append(ln)
    return dict(result)


def _unit(model: CostModel, service: str) -> str | None:
    found = model.service(service)
    return None if found is None else found.unit
