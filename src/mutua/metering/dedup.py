"""The claimed identities: sorted arrays of 128-bit keys on disk, in hash buckets.

Each commit adds one *run* per bucket it touches: two ``.npy`` files (``hi`` and ``lo`` halves,
uint64, sorted by (hi, lo)) and a blocked Bloom filter (``.bloom.npy``: one 64-bit word per
block, ``FILTER_BITS`` bits per key, ``FILTER_PROBES`` bits set per key in the word its ``hi``
chooses). A lookup memory-maps the runs, asks each run's filter (one word read per key) and
binary-searches only the keys the filter lets through (those claimed, and about 2 % of the
others), so memory does not grow with the month and a lookup costs about one memory read per
run. Runs are merged size-tiered, per bucket: when ``TIER_RUNS`` runs are of one size tier (a
factor ``TIER_RUNS`` apart), they become one run of the next tier. A key is thus rewritten about
once per tier (log4 of the month), not once per merge, and a bucket holds a few runs per tier.

Runs are only *written* here; which runs count is decided by the event store's manifest, whose
atomic replacement is the commit. A run not named in the manifest does not exist.

In front of the runs, one **store-wide filter** (``keys/filter-*.npy``, named by the manifest with
its capacity): a blocked Bloom filter of every claimed key (``STORE_FILTER_BITS`` bits a key at
capacity, ``STORE_FILTER_PROBES`` bits set in the word the key's ``hi`` chooses). A lookup asks it
first, in one vectorised pass over the batch, and asks the runs only for the keys it lets through
(the claimed ones and well under 1 % of the others): a batch of new keys costs one memory read
a key, whatever the number of runs (at 10^9 keys, about 16 buckets x 15 runs).

A commit does not write into that filter: its keys are hashes, so even a few thousand of them
dirty pages all over a filter of gigabytes, and the fsync that must precede the commit then
writes most of it (4 GB for a file's 2.5 M keys at 10^9, 3.6 s). A commit writes its new keys
as a small **delta** instead (``keys/delta-*.npy``, sorted (hi, lo) pairs, named by the
manifest's ``filter.deltas``); a reader puts the deltas' keys into a filter in memory, extended
delta by delta as commits come (``RecentKeys``), and asks it beside the base. Every
``MAX_DELTAS`` commits, or once the deltas hold ``delta_capacity`` keys, they are **folded**: their
keys are set in the base in place and fsynced once, by a thread of the writer's own beside its
next commits (``keyclaims.Folds``), and the first commit after the fold has finished drops them
(bits are only ever set, so a reader sees a superset of the committed keys throughout, and a
crash before that commit leaves harmless extra bits beside deltas still named). When the
store outgrows the base's capacity, it is rebuilt, twice as large, from the runs, under a new
name the commit switches to.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, cast

import numpy as np
import numpy.typing as npt

BUCKETS = 16
BUCKET_SHIFT = 60  # the top 4 bits of hi choose the bucket
TIER_RUNS = 4
"""Runs of one size tier merged into one (tiers are powers of TIER_RUNS in keys)."""
MAX_MERGE_TIER = 9
"""Runs of this tier (4^9 to 4^10 keys: 262 k to 1 M keys, up to 17 MB a run) are merged no
further: a file of 2.5 M events adds a run of about 156 k keys to each bucket, four of them make
one of this tier, and each key is merged once. The merges above it rewrote every key once more per
tier in big steps (in the 10^9 month, 94 merges took 195 s beside the commits' writing, the
biggest 4-5 s and, a tier higher, 9-40 s, longer than the writing they ran beside); with the store
filter in front, more runs cost only the keys it lets
through (a few per cent of a batch, one filter word each per run: about 100 runs a bucket at 10^9
keys, a NumPy call per run and bucket holding such a key)."""
FILTER_BITS = 10
FILTER_PROBES = 4
STORE_FILTER_BITS = 16
STORE_FILTER_PROBES = 6
STORE_FILTER_MIN_KEYS = 1 << 20
"""The smallest capacity of the store-wide filter (2 MiB)."""
MAX_DELTAS = 64
"""Deltas named at most before a commit folds them into the store filter."""
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


def _words(n: int) -> int:
    """The filter's size in 64-bit words for ``n`` keys."""
    return max(1, -(-n * FILTER_BITS // 64))


def _block(hi: U64, words: int) -> npt.NDArray[np.int64]:
    """The filter word of each key: the 32 bits of ``hi`` below the bucket bits, scaled to the
    filter (so a run sorted by ``hi`` has its words in order)."""
    x = (hi << np.uint64(64 - BUCKET_SHIFT)) >> np.uint64(32)
    return ((x * np.uint64(words)) >> np.uint64(32)).astype(np.int64)


def _mask(lo: U64) -> U64:
    """The bits a key sets in its word: FILTER_PROBES positions taken from ``lo``, 6 bits each
    from its lowest bits up (probe ``j``: bit ``(lo >> 6j) & 63``), two probes per lookup of
    :data:`_PAIR`."""
    return _probe_bits(lo, [6 * j for j in range(FILTER_PROBES)])


def build_filter(hi: U64, lo: U64) -> U64:
    """The blocked Bloom filter of a run sorted by ``hi``."""
    words = np.zeros(_words(int(hi.shape[0])), dtype=np.uint64)
    if hi.shape[0] == 0:
        return words
    block = _block(hi, words.shape[0])
    starts = np.flatnonzero(np.concatenate(([True], block[1:] != block[:-1])))
    words[block[starts]] = np.bitwise_or.reduceat(_mask(lo), starts)
    return words


class Run:
    """One sorted run of keys and its filter (memory-mapped; a run without a filter file, written
    before filters existed, is searched in full)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        # plain arrays over the memory maps: indexing a np.memmap costs a subclass per result
        self.hi: U64 = np.asarray(np.load(f"{base}.hi.npy", mmap_mode="r"))
        self.lo: U64 = np.asarray(np.load(f"{base}.lo.npy", mmap_mode="r"))
        try:
            self.filter: U64 | None = np.asarray(np.load(f"{base}.bloom.npy", mmap_mode="r"))
        except FileNotFoundError:
            self.filter = None

    def __len__(self) -> int:
        return int(self.hi.shape[0])

    def contains(self, hi: U64, lo: U64, mask: U64 | None = None) -> npt.NDArray[np.bool_]:
        """For each (hi, lo) pair, whether this run holds it (``mask``: the keys' filter bits, when
        the caller asks several runs)."""
        n = len(self)
        found = np.zeros(hi.shape[0], dtype=bool)
        if n == 0 or hi.shape[0] == 0:
            return found
        if self.filter is None:
            ask = np.arange(hi.shape[0])
        else:
            if mask is None:
                mask = _mask(lo)
            ask = np.flatnonzero((self.filter[_block(hi, self.filter.shape[0])] & mask) == mask)
            if ask.shape[0] == 0:
                return found
        found[ask] = self._search(hi[ask], lo[ask])
        return found

    def _search(self, hi: U64, lo: U64) -> npt.NDArray[np.bool_]:
        return search_sorted(self.hi, self.lo, hi, lo)


def search_sorted(keys_hi: U64, keys_lo: U64, hi: U64, lo: U64) -> npt.NDArray[np.bool_]:
    """For each (hi, lo), whether the keys sorted by (hi, lo) hold it: a binary search per key."""
    n = int(keys_hi.shape[0])
    if n == 0:
        return np.zeros(hi.shape[0], dtype=bool)
    left = np.searchsorted(keys_hi, hi, side="left")
    at = np.minimum(left, n - 1)
    found: npt.NDArray[np.bool_] = (keys_hi[at] == hi) & (left < n)
    candidates = np.flatnonzero(found)
    if candidates.shape[0] == 0:
        return found
    first = left[candidates]
    found[candidates] = keys_lo[first] == lo[candidates]
    # the same 64-bit hi on several keys (rare): look at the keys after the first one
    nxt = np.minimum(first + 1, n - 1)
    more = candidates[(~found[candidates]) & (first + 1 < n) & (keys_hi[nxt] == hi[candidates])]
    for i in more:
        start = int(left[i])
        end = int(np.searchsorted(keys_hi, hi[i], side="right"))
        found[i] = bool(np.any(keys_lo[start:end] == lo[i]))
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


def key_order(hi: U64, lo: U64, then: npt.NDArray[np.int64] | None = None) -> npt.NDArray[np.intp]:
    """The order that sorts keys by (hi, lo), then by ``then`` (or their position).

    NumPy sorts plain integers with SIMD, an order of magnitude faster than ``argsort`` (0.06 s
    against 0.45 s for 2.5 M keys here) and than DuckDB's ``ORDER BY`` of 128-bit keys: each key's
    position is put in the low bits of its ``hi``, and one sort of those words orders the keys by
    the rest of ``hi``, then by position. Keys whose ``hi`` share those upper bits (a key repeated
    in the batch, and a few others by chance) come out as runs, each sorted again in full."""
    n = int(hi.shape[0])
    if n < 2:
        return np.arange(n, dtype=np.intp)
    low = np.uint64((1 << (n - 1).bit_length()) - 1)
    words = hi & ~low
    words |= np.arange(n, dtype=np.uint64)
    words.sort()
    order: npt.NDArray[np.intp] = (words & low).astype(np.intp)
    words &= ~low
    tie = words[1:] == words[:-1]
    if not tie.any():
        return order
    at = np.flatnonzero(tie)
    rows = np.union1d(at, at + 1)  # places in sorted order that share their upper bits with a neighbour
    group = np.cumsum(np.concatenate(([True], ~((np.diff(rows) == 1) & tie[rows[:-1]]))))
    sub = order[rows]
    keys = (lo[sub], hi[sub], group) if then is None else (then[sub], lo[sub], hi[sub], group)
    order[rows] = sub[np.lexsort(keys)]
    return order


def _store_block(hi: U64, words: int) -> npt.NDArray[np.int64]:
    """The store filter's word of each key: the top 32 bits of ``hi``, scaled to the filter."""
    return (((hi >> np.uint64(32)) * np.uint64(words)) >> np.uint64(32)).astype(np.int64)


def _store_mask(lo: U64) -> U64:
    """The bits a key sets in its store filter word: STORE_FILTER_PROBES positions from ``lo``'s
    upper bits, 6 bits each from its highest bits down (probe ``j``: bit ``(lo >> (58 - 6j)) &
    63``; the runs' filters use its lower ones)."""
    return _probe_bits(lo, [58 - 6 * j for j in range(STORE_FILTER_PROBES)])


_BIT = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))
"""2**i for i in 0..63 (a table lookup is cheaper than a shift of a broadcast scalar)."""
_PAIR = _BIT[np.arange(4096) >> 6] | _BIT[np.arange(4096) & 63]
"""The two bits that 12 bits of a key name, its upper 6 and its lower 6 (32 KB: stays in the cache)."""


def _probe_bits(lo: U64, shifts: Sequence[int]) -> U64:
    """OR of bit ``(lo >> s) & 63`` for each ``s`` of ``shifts``; two probes six bits apart are
    one lookup in :data:`_PAIR` of the 12 bits from the lower one. Half the gathers of one lookup
    per probe, and the indexes are viewed as signed (no cast): 0.116 to 0.055 s for the store
    filter's 6 probes of 2.5 M keys."""
    mask = np.zeros(lo.shape, dtype=np.uint64)
    i = 0
    while i < len(shifts):
        paired = i + 1 < len(shifts) and abs(shifts[i + 1] - shifts[i]) == 6
        table, width = (_PAIR, np.uint64(4095)) if paired else (_BIT, np.uint64(63))
        at = min(shifts[i : i + 2]) if paired else shifts[i]
        mask |= np.take(table, ((lo >> np.uint64(at)) & width).view(np.int64))
        i += 2 if paired else 1
    return mask


def store_filter_words(capacity: int) -> int:
    """The store filter's size in words: a multiple of BUCKETS, so that each bucket's keys set bits
    in a range of words of their own (``_store_block`` takes the top bits of ``hi``, like the
    bucket), and buckets can be added side by side."""
    words = max(1, -(-capacity * STORE_FILTER_BITS // 64))
    return -(-words // BUCKETS) * BUCKETS


def store_filter_add(words: U64, hi: U64, lo: U64) -> None:
    """Set the keys' bits in a store filter (an array or a writable memory map)."""
    if hi.shape[0] == 0:
        return
    block = _store_block(hi, words.shape[0])
    mask = _store_mask(lo)
    if block.shape[0] > 1 and not bool(np.all(block[1:] >= block[:-1])):  # keys sorted by hi come sorted
        order = np.argsort(block, kind="stable")
        block, mask = block[order], mask[order]
    starts = np.flatnonzero(np.concatenate(([True], block[1:] != block[:-1])))
    at = block[starts]
    words[at] = words[at] | np.bitwise_or.reduceat(mask, starts)


def store_filter_may_hold(words: U64, hi: U64, lo: U64, mask: U64 | None = None) -> npt.NDArray[np.bool_]:
    """For each key, whether the store filter may hold it (False: certainly not claimed).
    ``mask``: the keys' bits (``_store_mask``), when the caller asks more than one filter."""
    if mask is None:
        mask = _store_mask(lo)
    held: npt.NDArray[np.bool_] = (words[_store_block(hi, words.shape[0])] & mask) == mask
    return held


def build_store_filter(root: Path, rel: str, runs: Mapping[str, Sequence[str]], capacity: int) -> None:
    """Write (and fsync) a store filter of ``capacity`` keys holding every key of ``runs``: the
    buckets side by side, on every core (each sets bits in words of its own; reading the runs back
    and the scattered writes release the GIL)."""
    words = np.zeros(store_filter_words(capacity), dtype=np.uint64)
    step = 1 << 22  # in slices: memory stays flat

    def add(names: Sequence[str]) -> None:
        for name in names:
            run = Run(root / name)
            for start in range(0, len(run), step):
                store_filter_add(
                    words, np.asarray(run.hi[start : start + step]), np.asarray(run.lo[start : start + step])
                )

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        list(pool.map(add, [names for names in runs.values() if names]))
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    write_array(root / rel, words)


def add_to_store_filter(root: Path, rel: str, keys: Iterable[tuple[U64, U64]]) -> None:
    """Set keys' bits in the committed store filter, in place, then fsync it once (before the
    commit that drops the deltas holding them: extra bits are harmless, missing ones are not).

    One fold at a time per store, across processes (``fold.lock``): a fold reads and writes back
    whole words, so two at once could each write back a word without the other's bits. (A fold
    may run beside commits, outside the writer's lock: ``keyclaims.Folds``.)"""
    with (root / "fold.lock").open("a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            words: U64 = np.load(root / rel, mmap_mode="r+")
            for hi, lo in keys:
                store_filter_add(words, hi, lo)
            words.flush()  # type: ignore[attr-defined]
            del words
            fsync_file(root / rel)
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def delta_capacity(capacity: int) -> int:
    """The keys the deltas of a store filter of ``capacity`` hold at most before a fold.

    A fold writes the whole base back (its keys are hashes: they touch every page), so it must be
    rare: the deltas hold up to an eighth of the capacity, about four folds while the store
    doubles (a fold of a 2.7 GB base takes seconds). The readers' filter of them is then an
    eighth of the base in memory (340 MB at 10^9 keys)."""
    return max(STORE_FILTER_MIN_KEYS, capacity // 8)


def write_delta(root: Path, rel: str, hi: U64, lo: U64) -> None:
    """Write (and fsync) a commit's new keys as a delta: an (n, 2) array of (hi, lo) pairs."""
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    write_array(root / rel, np.stack([hi, lo], axis=1) if hi.shape[0] else np.zeros((0, 2), dtype=np.uint64))


def read_delta(root: Path, rel: str) -> tuple[U64, U64]:
    pairs = np.load(root / rel, mmap_mode="r")
    return np.ascontiguousarray(pairs[:, 0]), np.ascontiguousarray(pairs[:, 1])


def delta_size(root: Path, rel: str) -> int:
    """The keys in a delta (from its file size: a .npy header is 128 bytes)."""
    return ((root / rel).stat().st_size - 128) // 16


class RecentKeys:
    """The keys of a store filter's deltas, in a filter in memory, one per store and base.

    Kept between indexes: when the manifest names more deltas of the same base, only the new
    ones are read and added (bits only ever set, so an index built earlier sees a superset of
    what it saw). After a fold (other deltas) or a rebuild (another base) it is started anew."""

    KEEP = 4
    """Stores kept at most (the ones used last)."""
    _lock = threading.Lock()
    _kept: ClassVar[dict[Path, tuple[str, tuple[str, ...], U64]]] = {}

    @classmethod
    def of(cls, root: Path, store_filter: Mapping[str, Any]) -> U64 | None:
        deltas = tuple(store_filter.get("deltas", ()))
        if not deltas:
            return None
        base = str(store_filter["name"])
        with cls._lock:
            kept = cls._kept.get(root)
            if kept and kept[0] == base and deltas == kept[1][: len(deltas)]:
                return kept[2]  # this manifest's deltas, or more (a superset)
            if kept and kept[0] == base and kept[1] == deltas[: len(kept[1])]:
                words, new = kept[2], deltas[len(kept[1]) :]
            else:
                words = np.zeros(store_filter_words(delta_capacity(int(store_filter["capacity"]))), dtype=np.uint64)
                new = deltas
            for rel in new:
                store_filter_add(words, *read_delta(root, rel))
            cls._kept.pop(root, None)
            cls._kept[root] = (base, deltas, words)
            while len(cls._kept) > cls.KEEP:
                del cls._kept[next(iter(cls._kept))]
            return words


class Mappings:
    """A store's runs and filter base, memory-mapped once and kept from one key index to the next.

    A commit changes a few of the files a key index reads; opening all of them again (three per
    run) and, worse, faulting a gigabytes-large filter base back in page by page through a fresh
    mapping (every commit's lookup touches most of its pages) would cost a large store a second
    per commit. A file is known by its name, inode, size and modification time (a fold writes a
    base in place: a reader's mapping sees its bits, and the next index maps it anew); the files
    the newest index no longer names are let go."""

    KEEP = 4
    """Stores kept at most (the ones used last)."""
    _lock = threading.Lock()
    _kept: ClassVar[dict[Path, dict[tuple[str, int, int, int], Any]]] = {}

    def __init__(self, root: Path, before: dict[tuple[str, int, int, int], Any]) -> None:
        self.root = root
        self.before = before
        self.now: dict[tuple[str, int, int, int], Any] = {}

    @classmethod
    @contextmanager
    def reuse(cls, root: Path) -> Iterator[Mappings]:
        with cls._lock:
            mapped = cls(root, cls._kept.get(root, {}))
            yield mapped
            cls._kept.pop(root, None)
            cls._kept[root] = mapped.now
            while len(cls._kept) > cls.KEEP:
                del cls._kept[next(iter(cls._kept))]

    def _get(self, name: str, path: Path, open_: Callable[[], Any]) -> Any:
        st = path.stat()
        key = (name, st.st_ino, st.st_size, st.st_mtime_ns)
        found = self.before.get(key)
        if found is None:
            found = open_()
        self.now[key] = found
        return found

    def run(self, name: str) -> Run:
        return cast(Run, self._get(name, self.root / f"{name}.hi.npy", lambda: Run(self.root / name)))

    def array(self, name: str) -> U64:
        path = self.root / name
        return cast(U64, self._get(name, path, lambda: np.asarray(np.load(path, mmap_mode="r"))))


class KeyIndex:
    """The runs named by the manifest, per bucket, and the store-wide filter in front of them
    (``store_filter``: the manifest's ``filter``; its base memory-mapped, its deltas in memory)."""

    def __init__(
        self, root: Path, runs: Mapping[str, Sequence[str]], store_filter: Mapping[str, Any] | None = None
    ) -> None:
        self.root = root
        with Mappings.reuse(root) as mapped:
            self.runs: dict[int, list[Run]] = {
                int(b): [mapped.run(name) for name in names] for b, names in runs.items() if names
            }
            self.filter: U64 | None = None
            self.recent: U64 | None = None
            if store_filter:
                self.filter = mapped.array(str(store_filter["name"]))
                self.recent = RecentKeys.of(root, store_filter)

    def warm(self) -> int:
        """Read the store filter's base into the page cache, in order (a server about to take
        batches: its lookups would otherwise fault its pages in one by one, a random read per key
        of a gigabytes-large file). Returns the bytes read."""
        if self.filter is None:
            return 0
        page_words = 512  # a 4 KiB page
        for start in range(0, self.filter.shape[0], 1 << 24):
            int(self.filter[start : start + (1 << 24) : page_words].sum())  # one word a page: faults them in
        return int(self.filter.nbytes)

    def may_hold(self, hi: U64, lo: U64) -> npt.NDArray[np.bool_]:
        """For each key, whether the store filter (base or deltas) may hold it."""
        assert self.filter is not None
        mask = _store_mask(lo)  # the same bits in the base and in the filter of the deltas
        held = store_filter_may_hold(self.filter, hi, lo, mask)
        if self.recent is not None:
            held |= store_filter_may_hold(self.recent, hi, lo, mask)
        return held

    def contains(self, hi: U64, lo: U64) -> npt.NDArray[np.bool_]:
        """Whether each key is claimed: the store filter first (one pass over the batch), then the
        runs for the keys it lets through."""
        if self.filter is None or hi.shape[0] == 0:
            return self._search_runs(hi, lo)
        ask = np.flatnonzero(self.may_hold(hi, lo))
        found = np.zeros(hi.shape[0], dtype=bool)
        if ask.shape[0]:
            found[ask] = self._search_runs(hi[ask], lo[ask])
        return found

    def _search_runs(self, hi: U64, lo: U64) -> npt.NDArray[np.bool_]:
        """Whether each key is in a run. Large batches search the buckets on every core (NumPy's
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
            mask = _mask(low)  # the same bits in every run's filter
            hit = np.zeros(sel.shape[0], dtype=bool)
            ask = np.arange(sel.shape[0])
            # newest run first, and a key found is asked no further: a repeat is most often of a
            # recent event, and a bucket holds about 100 runs at 10^9 keys
            for run in reversed(self.runs[b]):
                now = run.contains(h[ask], low[ask], mask[ask])
                hit[ask[now]] = True
                ask = ask[~now]
                if ask.shape[0] == 0:
                    break
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


def _write_run(root: Path, rel: str, hi: U64, lo: U64) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    write_array(root / f"{rel}.hi.npy", np.ascontiguousarray(hi))
    write_array(root / f"{rel}.lo.npy", np.ascontiguousarray(lo))
    write_array(root / f"{rel}.bloom.npy", build_filter(hi, lo))


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
        _write_run(root, rel, hi[start:end], lo[start:end])
        written[b] = rel
    return written


def run_size(root: Path, name: str) -> int:
    """The keys in a run (from its file size: a .npy header is 128 bytes)."""
    return ((root / f"{name}.hi.npy").stat().st_size - 128) // 8


def tier(size: int) -> int:
    """A run's size tier: runs within a factor TIER_RUNS of each other share one."""
    t = 0
    while size >= TIER_RUNS:
        size //= TIER_RUNS
        t += 1
    return t


def runs_to_merge(root: Path, names: Sequence[str]) -> list[str]:
    """The runs to merge into one, or none: the runs of the lowest tier below MAX_MERGE_TIER that
    holds TIER_RUNS of them.

    Size-tiered, so a key is rewritten about once per tier: the big runs are left alone until
    enough others have grown to their size."""
    by_tier: dict[int, list[str]] = {}
    for n in names:
        by_tier.setdefault(tier(run_size(root, n)), []).append(n)
    for t in sorted(by_tier):
        if t >= MAX_MERGE_TIER:
            break
        if len(by_tier[t]) >= TIER_RUNS:
            return by_tier[t]
    return []


def compact(root: Path, bucket: int, names: Sequence[str], name: str) -> tuple[list[str], list[str], list[str]]:
    """Merge the bucket's runs tier by tier until no tier is full. Returns the runs now, the runs
    they replace and the new ones; nothing is committed here (a run merged again within this
    compaction was never committed, and is removed at once)."""
    current = list(names)
    step = 0
    while small := runs_to_merge(root, current):
        merged = merge_runs(root, bucket, small, f"{name}-m{step}")
        step += 1
        for n in small:
            if n not in names:
                for f in run_files(n):
                    (root / f).unlink(missing_ok=True)
        current = [n for n in current if n not in small] + [merged]
    return current, [n for n in names if n not in current], [n for n in current if n not in names]


def merge_runs(root: Path, bucket: int, names: Iterable[str], name: str) -> str:
    """Merge a bucket's runs into one new run (written and fsynced, not yet committed)."""
    his, los = [], []
    for n in names:
        run = Run(root / n)
        his.append(np.asarray(run.hi))
        los.append(np.asarray(run.lo))
    hi, lo = sort_keys(np.concatenate(his), np.concatenate(los))
    rel = f"keys/b{bucket:02d}/{name}"
    _write_run(root, rel, hi, lo)
    return rel


def run_files(name: str) -> tuple[str, str, str]:
    return f"{name}.hi.npy", f"{name}.lo.npy", f"{name}.bloom.npy"
