"""The HTTP path's worker: batches of CloudEvents validated, claimed and stored in one commit of the
write-ahead store, then answered; flushed into the event store in the background.

Part of metering's storage adapter (it claims keys against the Parquet store's and writes the
write-ahead store itself, for speed); the database is reached through the use cases, with units
of work made by the factory its caller gives (the composition root's, acting as the server's user).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from mutua.metering import dedup
from mutua.metering.domain import FUTURE_TOLERANCE, IngestResult, Rejection, ValidEvent, validate_event
from mutua.metering.ports import UnitOfWork
from mutua.metering.service import flush, load_catalogue
from mutua.metering.store import DuckEventStore
from mutua.metering.wal import WriteAhead, split_keys

FLUSH_EVENTS = 1_000_000
"""Pending events past which a worker flushes them into the event store."""
REFRESH_SECONDS = 60
"""How long a worker keeps the catalogue (meters, subjects, closed periods) before reading it again."""


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
    duplicate_indexes: list[int] = field(default_factory=list)

    def as_dict(self, *, with_accepted_ids: bool = False, results_of: int | None = None) -> dict[str, Any]:
        """Counts, the duplicates' ids and each rejection; every other event of the batch was taken.
        ``results_of``: the batch's size, to add one result per event (``results``, by index:
        ``status`` 201 taken now, 200 already taken, 400 or 403 refused with its reason)."""
        data: dict[str, Any] = {
            "accepted": len(self.accepted),
            "duplicates": len(self.duplicates),
            "rejected": len(self.rejected),
            "duplicate_ids": self.duplicates,
            "rejections": [r.as_dict() for r in self.rejected],
        }
        if with_accepted_ids:
            data["accepted_ids"] = self.accepted
        if results_of is not None:
            results: list[dict[str, Any]] = [{"index": i, "status": 201} for i in range(results_of)]
            for i in self.duplicate_indexes:
                results[i]["status"] = 200
            for r in self.rejected:
                results[r.index] = {**r.as_dict(), "status": 403 if r.field == "sender" else 400}
            data["results"] = results
        return data


class HttpIngestor:
    """Takes batches of CloudEvents over HTTP: validated, claimed and stored in one commit, then answered.

    Any number of processes may run one over the same data dir. Under the write-ahead store's
    write lock a batch's keys are checked against the Parquet store's claimed keys and every
    pending batch (this process keeps their keys in memory, catching up on the batches other
    processes appended), then the new events are appended in one durable transaction.

    ``unit_of_work`` makes a unit of work for each use of the database (the catalogue, a flush's
    audit entries): a flush runs in a thread of its own beside the batches."""

    def __init__(
        self, unit_of_work: Callable[[], UnitOfWork], data_dir: Path, flush_events: int = FLUSH_EVENTS
    ) -> None:
        self.unit_of_work = unit_of_work
        self.data_dir = data_dir
        self.flush_events = flush_events
        self.events = DuckEventStore(data_dir)
        self.store = self.events.files
        self.wal = WriteAhead(self.events.wal_path)
        self.lock = threading.Lock()
        self.pending: set[bytes] = set()
        self.chunks: deque[tuple[int, list[bytes]]] = deque()
        self.seen_seq = 0
        self._flushing = threading.Lock()
        self.refresh()
        with self.lock, self.wal.writing() as cur:
            index = self._catch_up(cur)
        index.warm()

    def refresh(self) -> None:
        _, self.catalogue = load_catalogue(self.unit_of_work(), self.events)
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

    def accept(self, events: Sequence[Any], allowed: Callable[[str, str], bool] | None = None) -> BatchAnswer:
        """Validate (``domain.validate_event``, ``specversion`` required), claim and store a batch.
        ``allowed(source, type)``: whether the sender may send such an event (its key's rights);
        an event it may not send is refused (field ``sender``)."""
        if time.monotonic() - self.loaded_at > REFRESH_SECONDS:
            self.refresh()
        now = datetime.now(UTC)
        duplicates: list[str] = []
        duplicate_indexes: list[int] = []
        rejected: list[Rejection] = []
        valid: list[ValidEvent] = []
        seen: set[bytes] = set()
        by_type, subjects = self.by_type, self.catalogue.subjects
        latest = now + FUTURE_TOLERANCE
        may: dict[tuple[str, str], bool] = {}  # allowed(source, type), asked once per pair in a batch
        for i, raw in enumerate(events):
            verdict = validate_event(
                raw, i, meters=by_type, subjects=subjects, now=now, latest=latest, require_specversion=True
            )
            if isinstance(verdict, Rejection):
                rejected.append(verdict)
                continue
            ok = True
            if allowed is not None:
                pair = (verdict.source, verdict.type)
                known = may.get(pair)
                if known is None:
                    known = may[pair] = allowed(*pair)
                ok = known
            if not ok:
                rejected.append(
                    Rejection(
                        i,
                        None,
                        "sender",
                        f"this sender's key may not send events of source {verdict.source!r} and type {verdict.type!r}",
                        verdict.event_id,
                    )
                )
            elif verdict.key in seen:
                duplicates.append(verdict.event_id)
                duplicate_indexes.append(i)
            else:
                seen.add(verdict.key)
                valid.append(verdict)
        accepted: list[str] = []
        if valid:
            digests = b"".join(v.key for v in valid)
            hi, lo = dedup.halves(digests)
            # written before the write lock, as if every valid event were new (the usual case), so
            # that the lock is held only to claim and append; redone below for the new ones if not
            stored = _Stored(valid, events, digests)
            with self.lock:
                with self.wal.writing() as cur:
                    taken = self._catch_up(cur).contains(hi, lo)
                    pending = self.pending
                    fresh = [v for v, old in zip(valid, taken.tolist(), strict=True) if not (old or v.key in pending)]
                    if fresh:
                        if len(fresh) < len(valid):
                            stored = _Stored(fresh, events, b"".join(v.key for v in fresh))
                        chunk = [v.key for v in fresh]
                        seq = WriteAhead.append(cur, stored.keys, stored.who, stored.events, len(fresh))
                # committed, durably (an exception above rolled it back and answers nothing)
                if fresh:
                    self.pending.update(chunk)
                    self.chunks.append((seq, chunk))
                    self.seen_seq = seq
            accepted = [v.event_id for v in fresh]
            if len(fresh) < len(valid):
                fresh_keys = {v.key for v in fresh}
                duplicates.extend(v.event_id for v in valid if v.key not in fresh_keys)
                duplicate_indexes.extend(v.position for v in valid if v.key not in fresh_keys)
            if len(self.pending) >= self.flush_events and self._flushing.acquire(blocking=False):
                threading.Thread(target=self._flush_in_background, daemon=True).start()
        return BatchAnswer(accepted, duplicates, rejected, sorted(duplicate_indexes))

    def _flush(self) -> IngestResult:
        return flush(self.unit_of_work(), DuckEventStore(self.data_dir))

    def _flush_in_background(self) -> None:
        try:
            self._flush()
        finally:
            self._flushing.release()

    def flush(self) -> IngestResult:
        """Flush now (ingestion goes on meanwhile: the pending keys are dropped only once a
        committed segment holds them)."""
        with self._flushing:
            return self._flush()

    def close(self) -> None:
        self.wal.close()


class _Stored:
    """A batch's new events as the write-ahead store keeps them: keys, who is charged, the events."""

    def __init__(self, fresh: Sequence[ValidEvent], events: Sequence[Any], keys: bytes) -> None:
        self.keys = keys
        self.who = orjson.dumps([(v.member, v.engagement) for v in fresh])
        self.events = orjson.dumps(
            [raw if "data_base64" not in (raw := events[v.position]) else _as_stored(raw, v) for v in fresh]
        )


def _as_stored(raw: Any, event: ValidEvent) -> Any:
    """The event as the write-ahead store keeps it: as received, but ``data_base64`` decoded
    into ``data`` (what validation read), so that the flush reads the same data."""
    if "data_base64" not in raw:
        return raw
    return {**{k: v for k, v in raw.items() if k != "data_base64"}, "data": dict(event.data)}


def parse_batch(body: bytes) -> list[Any]:
    """A request body: one CloudEvent (object) or a batch (array)."""
    data = orjson.loads(body)
    if isinstance(data, list):
        return data
    return [data]
