"""The claimed identities: sorted arrays of 128-bit keys on disk, in hash buckets.

Each commit adds one *run* per bucket it touches: two ``.npy`` files (``hi`` and ``lo`` halves,
uint64, sorted by (hi, lo)). A lookup memory-maps the runs and binary-searches them, so memory
does not grow with the month (the operating system's page cache holds what is hot). When a bucket
has more than ``MAX_RUNS`` runs its smallest runs are merged into one (size-tiered, per bucket:
the big runs are rarely rewritten, and at most 1/BUCKETS of all keys is in memory at a time).

Runs are only *written* here; which runs count is decided by the event store's manifest, whose
atomic replacement is the commit. A run not named in the manifest does not exist.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import numpy.typing as npt

BUCKETS = 16
BUCKET_SHIFT = 60  # the top 4 bits of hi choose the bucket
MAX_RUNS = 8
PARALLEL_FROM = 100_000

U64 = npt.NDArray[np.uint64]


def bucket_of(hi: U64) -> npt.NDArray[np.int64]:
    return (hi >> np.uint64(BUCKET_SHIFT)).astype(np.int64)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_array(path: Path, array: U64) -> None:
    """Write and fsync one array."""
    with path.open("wb") as f:
        np.save(f, array, allow_pickle=False)
        f.flush()
        os.fsync(f.fileno())


class Run:
    """One sorted run of keys (memory-mapped)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.hi: U64 = np.load(f"{base}.hi.npy", mmap_mode="r")
        self.lo: U64 = np.load(f"{base}.lo.npy", mmap_mode="r")

    def __len__(self) -> int:
        return int(self.hi.shape[0])

    def contains(self, hi: U64, lo: U64) -> npt.NDArray[np.bool_]:
        """For each (hi, lo) pair, whether this run holds it (one binary search per key)."""
        n = len(self)
        if n == 0 or hi.shape[0] == 0:
            return np.zeros(hi.shape[0], dtype=bool)
        left = np.searchsorted(self.hi, hi, side="left")
        at = np.minimum(left, n - 1)
        found: npt.NDArray[np.bool_] = (self.hi[at] == hi) & (left < n)
        candidates = np.flatnonzero(found)
        if candidates.shape[0] == 0:
            return found
        first = left[candidates]
        found[candidates] = self.lo[first] == lo[candidates]
        # the same 64-bit hi on several keys (rare): look at the keys after the first one
        nxt = np.minimum(first + 1, n - 1)
        more = candidates[(~found[candidates]) & (first + 1 < n) & (self.hi[nxt] == hi[candidates])]
        for i in more:
            start = int(left[i])
            end = int(np.searchsorted(self.hi, hi[i], side="right"))
            found[i] = bool(np.any(self.lo[start:end] == lo[i]))
        return found


def halves(digests: bytes) -> tuple[U64, U64]:
    """Concatenated 16-byte keys (little-endian 128-bit numbers) as their (hi, lo) halves."""
    pairs = np.frombuffer(digests, dtype="<u8").reshape(-1, 2)
    return np.ascontiguousarray(pairs[:, 1], dtype=np.uint64), np.ascontiguousarray(pairs[:, 0], dtype=np.uint64)


def sort_keys(hi: U64, lo: U64) -> tuple[U64, U64]:
    """Sort keys by (hi, lo).

    A stable sort on ``hi`` alone is a timsort: on concatenated sorted runs (a merge) it only
    merges them. Keys sharing a 64-bit ``hi`` (rare) are then put in ``lo`` order."""
    order = np.argsort(hi, kind="stable")
    hi, lo = hi[order], lo[order]
    ties = np.flatnonzero(hi[1:] == hi[:-1])
    if ties.shape[0]:
        for start in np.unique(np.searchsorted(hi, hi[ties], side="left")):
            end = int(np.searchsorted(hi, hi[start], side="right"))
            lo[start:end] = np.sort(lo[start:end])
    return hi, lo


class KeyIndex:
    """The runs named by the manifest, per bucket."""

    def __init__(self, root: Path, runs: Mapping[str, Sequence[str]]) -> None:
        self.root = root
        self.runs: dict[int, list[Run]] = {
            int(b): [Run(root / name) for name in names] for b, names in runs.items() if names
        }

    def contains(self, hi: U64, lo: U64) -> npt.NDArray[np.bool_]:
        """Whether each key is claimed. Large batches search the buckets on every core (NumPy's
        binary search runs without the GIL)."""
        found = np.zeros(hi.shape[0], dtype=bool)
        if hi.shape[0] == 0:
            return found
        buckets = bucket_of(hi)

        def search(b: int) -> None:
            sel = np.flatnonzero(buckets == b)
            if sel.shape[0] == 0:
                return
            h, low = hi[sel], lo[sel]
            hit = np.zeros(sel.shape[0], dtype=bool)
            for run in self.runs[b]:
                hit |= run.contains(h, low)
            found[sel] = hit

        if hi.shape[0] < PARALLEL_FROM:
            for b in self.runs:
                search(b)
        else:
            with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
                list(pool.map(search, self.runs))
        return found

    def count(self) -> int:
        return sum(len(r) for runs in self.runs.values() for r in runs)


def write_runs(root: Path, name: str, hi: U64, lo: U64, *, presorted: bool = False) -> dict[int, str]:
    """Write the new keys (unique, not yet claimed) as one run per bucket; returns bucket -> run name."""
    written: dict[int, str] = {}
    if hi.shape[0] == 0:
        return written
    if not presorted:
        hi, lo = sort_keys(hi, lo)
    buckets = bucket_of(hi)
    bounds = np.searchsorted(buckets, np.arange(BUCKETS + 1), side="left")
    for b in range(BUCKETS):
        start, end = int(bounds[b]), int(bounds[b + 1])
        if start == end:
            continue
        rel = f"keys/b{b:02d}/{name}"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        write_array(root / f"{rel}.hi.npy", np.ascontiguousarray(hi[start:end]))
        write_array(root / f"{rel}.lo.npy", np.ascontiguousarray(lo[start:end]))
        written[b] = rel
    return written


def runs_to_merge(root: Path, names: Sequence[str]) -> list[str]:
    """Size-tiered: the smallest runs, so that MAX_RUNS // 2 remain after merging them into one.

    The big runs stay untouched most of the time, so a merge costs about the size of the recent
    runs, not of everything claimed so far."""
    by_size = sorted(names, key=lambda n: (root / f"{n}.hi.npy").stat().st_size)
    keep = MAX_RUNS // 2 - 1
    return by_size[: len(by_size) - keep]


def merge_runs(root: Path, bucket: int, names: Iterable[str], name: str) -> str:
    """Merge a bucket's runs into one new run (written and fsynced, not yet committed)."""
    his, los = [], []
    for n in names:
        run = Run(root / n)
        his.append(np.asarray(run.hi))
        los.append(np.asarray(run.lo))
    hi, lo = sort_keys(np.concatenate(his), np.concatenate(los))
    rel = f"keys/b{bucket:02d}/{name}"
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    write_array(root / f"{rel}.hi.npy", hi)
    write_array(root / f"{rel}.lo.npy", lo)
    return rel


def run_files(name: str) -> tuple[str, str]:
    return f"{name}.hi.npy", f"{name}.lo.npy"
