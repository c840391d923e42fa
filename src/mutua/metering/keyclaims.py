"""A batch's identities against the claimed keys: each key of the staged batch once, with the
first event bearing it; and a commit's claims, written as key runs per bucket (``dedup.py``) and
compacted, for the manifest to name."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import numpy.typing as npt

from mutua.metering import dedup

KEYS_OF_BATCH = (
    "SELECT (h >> 64)::UBIGINT AS hi, (h & 18446744073709551615::UHUGEINT)::UBIGINT AS lo, idx FROM m ORDER BY h, idx"
)
KEYS_OF_GOOD_EVENTS = (
    "SELECT (h >> 64)::UBIGINT AS hi, (h & 18446744073709551615::UHUGEINT)::UBIGINT AS lo, idx "
    "FROM m ANTI JOIN badidx USING (idx) ORDER BY h, idx"
)


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
    if hi.shape[0] == 0:
        return hi, lo, idx, idx
    new_key = np.ones(hi.shape[0], dtype=bool)
    new_key[1:] = (hi[1:] != hi[:-1]) | (lo[1:] != lo[:-1])
    starts = np.flatnonzero(new_key)
    first_idx = idx[starts][np.cumsum(new_key) - 1]  # each row's first position of its key
    repeats = np.unique(idx[idx != first_idx])
    return hi[starts], lo[starts], idx[starts], repeats


@dataclass(frozen=True)
class Claims:
    """A commit's key runs, written and fsynced, not yet committed.

    Attributes:
        keys: the manifest's ``keys`` with them (bucket -> runs).
        runs: the segment's new run per bucket it touches.
        merged: the runs compaction wrote.
        replaced: the committed runs compaction replaced (to delete once the commit is done).
    """

    keys: dict[str, list[str]]
    runs: dict[int, str]
    merged: list[str]
    replaced: list[str]


def claim(root: Path, segment: str, hi: dedup.U64, lo: dedup.U64, keys: Mapping[str, Sequence[str]]) -> Claims:
    """Write the new keys (sorted, not yet claimed) as one run per bucket, then compact the buckets touched."""
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
    return Claims(keys_manifest, runs, merged, replaced)
