"""A batch's identities against the claimed keys: each key of the staged batch once, with the
first event bearing it; and a commit's claims, written as key runs per bucket (``dedup.py``) and
compacted, for the manifest to name."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import numpy as np
import numpy.typing as npt

from mutua.metering import dedup

log = logging.getLogger(__name__)

KEYS_OF_BATCH = "SELECT (h >> 64)::UBIGINT AS hi, (h & 18446744073709551615::UHUGEINT)::UBIGINT AS lo, idx FROM m"
KEYS_OF_GOOD_EVENTS = f"{KEYS_OF_BATCH} ANTI JOIN badidx USING (idx)"
"""A batch's keys (halves of ``h``) with their events' positions, in no order (sorted by
``dedup.key_order``)."""


def first_occurrences(
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
    order = dedup.key_order(hi, lo, idx)
    hi, lo, idx = hi[order], lo[order], idx[order]
    if hi.shape[0] == 0:
        return hi, lo, idx, idx
    new_key = np.ones(hi.shape[0], dtype=bool)
    new_key[1:] = (hi[1:] != hi[:-1]) | (lo[1:] != lo[:-1])
    starts = np.flatnonzero(new_key)
    # a later event of a key: its first row follows a row of the same key and a smaller position
    # (rows come by key, then position; an event's rows share both)
    later = ~new_key[1:] & (idx[1:] != idx[:-1])
    repeats = np.unique(idx[1:][later])
    return hi[starts], lo[starts], idx[starts], repeats


def pending_contains(wal_path: Path, after_seq: int, hi: dedup.U64, lo: dedup.U64) -> npt.NDArray[np.bool_]:
    """For each key, whether an event acknowledged over HTTP and not yet flushed (a write-ahead
    batch after ``after_seq``, the manifest's ``wal_seq``) holds it: a file's event already taken
    over HTTP is a duplicate, and answered so."""
    found = np.zeros(hi.shape[0], dtype=bool)
    if hi.shape[0] == 0 or not wal_path.exists():
        return found
    db = sqlite3.connect(wal_path, timeout=60)
    try:
        rows = db.execute("SELECT keys FROM batches WHERE seq > ?", (after_seq,)).fetchall()
    except sqlite3.OperationalError:  # no table yet
        rows = []
    finally:
        db.close()
    if not rows:
        return found
    pending_hi, pending_lo = dedup.sort_keys(*dedup.halves(b"".join(bytes(r[0]) for r in rows)))
    return dedup.search_sorted(pending_hi, pending_lo, hi, lo)


@dataclass(frozen=True)
class Claims:
    """A commit's key runs, written and fsynced, not yet committed.

    Attributes:
        keys: the manifest's ``keys`` with them (bucket -> runs).
        runs: the segment's new run per bucket it touches.
        merged: the runs compaction wrote.
        replaced: the committed runs compaction replaced (to delete once the commit is done).
        store_filter: the manifest's ``filter`` (``name``, ``capacity``, ``deltas``) holding them.
        filter_written: the store filter's new files (a delta, or a rebuilt base).
        filter_replaced: its committed files the commit drops (folded deltas; a rebuilt base's
            predecessor and its deltas), to delete once the commit is done.
    """

    keys: dict[str, list[str]]
    runs: dict[int, str]
    merged: list[str]
    replaced: list[str]
    store_filter: dict[str, Any]
    filter_written: list[str] = field(default_factory=list)
    filter_replaced: list[str] = field(default_factory=list)


def claim(
    root: Path,
    segment: str,
    hi: dedup.U64,
    lo: dedup.U64,
    keys: Mapping[str, Sequence[str]],
    store_filter: Mapping[str, Any] | None = None,
) -> Claims:
    """Write the new keys (sorted, not yet claimed) as one run per bucket, compact the buckets
    touched, and add the keys to the store-wide filter: as a delta, or folded into its base with
    the deltas before them; or rebuilt twice as large from the runs when the store outgrows it,
    or when there is none yet (``dedup.py``)."""
    started = time.perf_counter()
    runs = dedup.write_runs(root, segment, hi, lo, presorted=True)
    keys_manifest: dict[str, list[str]] = {k: list(v) for k, v in keys.items()}
    for bucket, run in runs.items():
        keys_manifest.setdefault(str(bucket), []).append(run)
    touched = sorted({str(b) for b in runs})
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:  # NumPy sorts and fsync waits release the GIL
        compacted = list(
            pool.map(
                lambda name: dedup.compact(root, int(name), keys_manifest[name], f"{segment}-merged"),
                touched,
            )
        )
    merged: list[str] = []
    replaced: list[str] = []
    for name, (current, gone, new) in zip(touched, compacted, strict=True):
        keys_manifest[name] = current
        replaced.extend(gone)
        merged.extend(new)
    if merged:
        log.info("%s: %d key runs merged into %d in %.1f s", segment, len(replaced), len(merged), _since(started))
    total = sum(dedup.run_size(root, n) for names in keys_manifest.values() for n in names)
    claimed = Claims(keys_manifest, runs, merged, replaced, {})
    if store_filter and total <= int(store_filter["capacity"]):
        base, capacity = str(store_filter["name"]), int(store_filter["capacity"])
        named = [str(d) for d in store_filter.get("deltas", [])]
        done = Folds.done(root, base)  # a finished fold's deltas (asked once: this commit drops them)
        folded = [d for d in named if d in done]
        deltas = [d for d in named if d not in folded]
        held = sum(dedup.delta_size(root, d) for d in deltas) + int(hi.shape[0])
        limit = dedup.delta_capacity(capacity)
        slack = 2 if FOLD_IN_BACKGROUND else 1  # deltas a fold running beside the commits may leave
        if len(deltas) < slack * dedup.MAX_DELTAS and held <= slack * limit:
            delta = f"keys/delta-{segment}.npy"
            dedup.write_delta(root, delta, hi, lo)
            if FOLD_IN_BACKGROUND and (len(deltas) + 1 >= dedup.MAX_DELTAS or held >= limit):
                Folds.start(root, base, [*deltas, delta])
            kept = {"name": base, "capacity": capacity, "deltas": [*deltas, delta]}
            return replace(claimed, store_filter=kept, filter_written=[delta], filter_replaced=folded)
        Folds.wait(root)  # the folds fell behind (or are not wanted in the background): one now, here
        fold(root, base, [*deltas], (hi, lo), segment)
        return replace(claimed, store_filter={"name": base, "capacity": capacity}, filter_replaced=[*folded, *deltas])
    capacity = max(dedup.STORE_FILTER_MIN_KEYS, 2 * total)
    name = f"keys/filter-{segment}.npy"
    building = time.perf_counter()
    dedup.build_store_filter(root, name, keys_manifest, capacity)
    log.info("%s: key filter rebuilt for %d keys (%d claimed) in %.1f s", segment, capacity, total, _since(building))
    old = [str(store_filter["name"]), *store_filter.get("deltas", [])] if store_filter else []
    return replace(
        claimed, store_filter={"name": name, "capacity": capacity}, filter_written=[name], filter_replaced=old
    )


FOLD_IN_BACKGROUND = True
"""Whether the deltas are folded into the filter's base in a thread of the writer's own, beside its
next commits (which keep writing deltas, then drop the folded ones), rather than in the commit
that outgrows them: a fold writes the whole base back (a second or two a GB), which stalled the
commit that did it."""


def fold(root: Path, base: str, deltas: Sequence[str], own: tuple[dedup.U64, dedup.U64] | None, segment: str) -> None:
    """Set the keys of ``deltas`` (and ``own``: a commit's keys not yet in a delta) in the store
    filter's base, in place, fsynced once (``dedup.add_to_store_filter``)."""
    folding = time.perf_counter()
    keys = [dedup.read_delta(root, d) for d in deltas]
    dedup.add_to_store_filter(root, base, [*keys, *([own] if own is not None else [])])
    log.info("%s: %d deltas folded into the key filter in %.1f s", segment, len(deltas), _since(folding))


class Folds:
    """The writer's folds in the background: at most one per store at a time.

    A fold only sets bits in the committed base, so it needs no commit of its own to be safe
    (a reader sees a superset of the claimed keys throughout, as with a fold in a commit); only
    dropping the folded deltas does. The commit after a fold has finished drops them, if the
    manifest still names the base it folded into (a rebuild in between: nothing to drop). A fold
    that dies, or a process that ends before a commit drops its deltas, leaves them named: a
    later fold takes them again."""

    _lock = threading.Lock()
    _pool: ClassVar[ThreadPoolExecutor | None] = None
    _running: ClassVar[dict[Path, tuple[str, frozenset[str], Future[None]]]] = {}

    @classmethod
    def start(cls, root: Path, base: str, deltas: Sequence[str]) -> None:
        with cls._lock:
            if root in cls._running and not cls._running[root][2].done():
                return  # one at a time: the next commit over the limit starts the next
            if cls._pool is None:
                cls._pool = ThreadPoolExecutor(1, thread_name_prefix="mutua-fold")
            job = cls._pool.submit(fold, root, base, list(deltas), None, Path(deltas[-1]).stem)
            cls._running[root] = (base, frozenset(deltas), job)

    @classmethod
    def done(cls, root: Path, base: str) -> frozenset[str]:
        """The deltas a finished fold of ``base`` holds (once: the commit asking drops them)."""
        with cls._lock:
            running = cls._running.get(root)
            if running is None or not running[2].done():
                return frozenset()
            del cls._running[root]
        folded_base, deltas, job = running
        if job.exception() is not None:
            log.warning("a fold of %s failed: %s", folded_base, job.exception())
            return frozenset()
        return deltas if folded_base == base else frozenset()

    @classmethod
    def wait(cls, root: Path) -> None:
        """Let the fold of ``root`` running, if any, finish (its deltas are dropped by the next
        commit that asks :meth:`done`)."""
        with cls._lock:
            running = cls._running.get(root)
        if running is not None:
            with contextlib.suppress(Exception):
                running[2].result()


def _since(started: float) -> float:
    return time.perf_counter() - started
