"""The claimed-key runs: every key claimed stays found through size-tiered merges, nothing else is."""

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutua.metering import dedup


@pytest.mark.parametrize("max_merge_tier", [dedup.MAX_MERGE_TIER, 4])
def test_keys_stay_claimed_through_merges_and_unclaimed_keys_are_not_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, max_merge_tier: int
) -> None:
    """Runs merged tier by tier; with a low MAX_MERGE_TIER (4: runs of 256 keys and more, here
    about 190 a bucket per segment), runs of that tier pile up instead of merging further."""
    monkeypatch.setattr(dedup, "MAX_MERGE_TIER", max_merge_tier)
    rng = np.random.default_rng(1)
    runs: dict[int, list[str]] = {}
    his, los = [], []
    for segment in range(30):
        hi = rng.integers(0, 2**63, 3000, dtype=np.uint64) * np.uint64(2)
        lo = rng.integers(0, 2**63, 3000, dtype=np.uint64)
        his.append(hi)
        los.append(lo)
        for bucket, run in dedup.write_runs(tmp_path, f"s{segment:03d}", hi, lo).items():
            runs.setdefault(bucket, []).append(run)
        for bucket, names in list(runs.items()):
            runs[bucket], gone, _ = dedup.compact(tmp_path, bucket, names, f"s{segment:03d}-merged")
            for run in gone:  # as the store does once its manifest no longer names them
                for f in dedup.run_files(run):
                    (tmp_path / f).unlink()
    index = dedup.KeyIndex(tmp_path, {str(b): names for b, names in runs.items()})
    hi, lo = np.concatenate(his), np.concatenate(los)
    assert index.contains(hi, lo).all()
    assert not index.contains(hi, lo ^ np.uint64(1)).any()  # same hi, other lo: not claimed
    assert not index.contains(hi + np.uint64(1), lo).any()
    assert index.count() == hi.shape[0]
    for names in runs.values():  # no tier below the cap holds TIER_RUNS runs after a compaction
        tiers = [dedup.tier(dedup.run_size(tmp_path, n)) for n in names]
        assert all(tiers.count(t) < dedup.TIER_RUNS for t in tiers if t < max_merge_tier)
        assert max(tiers) <= max_merge_tier
        if max_merge_tier == 4:  # the capped tier's runs are left as they are: more of them
            assert tiers.count(4) >= dedup.TIER_RUNS
    kept = {f for names in runs.values() for n in names for f in dedup.run_files(n)}
    on_disk = {str(p.relative_to(tmp_path)) for p in (tmp_path / "keys").rglob("*.npy")}
    assert on_disk == kept  # no run merged twice in one compaction is left behind
    assert max(len(names) for names in runs.values()) < 30  # merged: not one run per segment


def test_a_64_bit_half_shared_by_two_keys_does_not_hide_either(tmp_path: Path) -> None:
    hi = np.array([7, 7, 7, 9], dtype=np.uint64)
    lo = np.array([3, 1, 2, 5], dtype=np.uint64)
    runs = dedup.write_runs(tmp_path, "one", hi, lo)
    index = dedup.KeyIndex(tmp_path, {str(b): [r] for b, r in runs.items()})
    found = index.contains(np.array([7, 7, 7, 9], dtype=np.uint64), np.array([1, 2, 4, 5], dtype=np.uint64))
    assert found.tolist() == [True, True, False, True]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2**64 - 1)), min_size=1, max_size=60, unique=True),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2**64 - 1)), max_size=30),
    st.integers(1, 4),
)
def test_lookups_and_merges_agree_with_a_set_even_when_many_keys_share_hi(
    claimed: list[tuple[int, int]], probes: list[tuple[int, int]], pieces: int
) -> None:
    """hi drawn from a handful of values (every hi collides), lo anywhere: found exactly when claimed."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        keys = [(h << 60 | h, lo) for h, lo in claimed]  # a few buckets, a few hi values
        names: dict[int, list[str]] = {}
        for p in range(pieces):
            part = keys[p::pieces]
            if not part:
                continue
            hi = np.array([k[0] for k in part], dtype=np.uint64)
            lo = np.array([k[1] for k in part], dtype=np.uint64)
            for bucket, run in dedup.write_runs(root, f"p{p}", hi, lo).items():
                names.setdefault(bucket, []).append(run)
        merged = {b: [dedup.merge_runs(root, b, runs, "merged")] for b, runs in names.items()}
        asked = [*keys, *((h << 60 | h, lo) for h, lo in probes)]
        hi = np.array([k[0] for k in asked], dtype=np.uint64)
        lo = np.array([k[1] for k in asked], dtype=np.uint64)
        expected = [k in set(keys) for k in asked]
        for runs in (names, merged):
            index = dedup.KeyIndex(root, {str(b): r for b, r in runs.items()})
            assert index.contains(hi, lo).tolist() == expected
        for merged_runs in merged.values():
            merged_run = dedup.Run(root / merged_runs[0])
            pairs = list(zip(merged_run.hi.tolist(), merged_run.lo.tolist(), strict=True))
            assert pairs == sorted(pairs)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 2**64 - 1), st.integers(0, 3), st.integers(0, 2**64 - 1)),
        max_size=300,
    ),
    st.booleans(),
)
def test_key_order_sorts_by_hi_lo_then_position_like_lexsort(
    parts: list[tuple[int, int, int, int]], with_then: bool
) -> None:
    """Keys drawn so that many share their upper ``hi`` bits, their whole ``hi``, or the whole key
    (the first element chooses among a few upper bit patterns; the third, a few low bits), in any
    number up to past a power of two: the order is lexsort's, ties broken by ``then``."""
    uppers = [0, 1 << 63, (1 << 64) - (1 << 20), 12345 << 40, 7 << 61, 1, 2**64 - 1, 99 << 32]
    hi = np.asarray([(uppers[u] & ~0xFFFF) | (r & 0xFFFF) if k else uppers[u] | k for u, r, k, _ in parts], np.uint64)
    lo = np.asarray([x % 3 if k == 2 else x for _, _, k, x in parts], np.uint64)
    then = np.asarray([(7 * i) % 5 for i in range(len(parts))], np.int64)
    order = dedup.key_order(hi, lo, then if with_then else None)
    expected = np.lexsort((then, lo, hi) if with_then else (np.arange(len(parts)), lo, hi))
    assert order.tolist() == expected.tolist()


def test_key_order_of_a_large_batch_with_repeats_is_lexsorts() -> None:
    rng = np.random.default_rng(7)
    hi = rng.integers(0, 2**64, 300_000, dtype=np.uint64)
    lo = rng.integers(0, 2**64, 300_000, dtype=np.uint64)
    hi[::97], lo[::97] = hi[1::97][: hi[::97].shape[0]], lo[1::97][: lo[::97].shape[0]]  # repeats
    hi[5::101] = hi[6::101][: hi[5::101].shape[0]]  # a shared hi, another lo
    then = rng.permutation(300_000).astype(np.int64)
    assert dedup.key_order(hi, lo, then).tolist() == np.lexsort((then, lo, hi)).tolist()


def test_the_filter_lets_few_absent_keys_through_and_a_run_without_one_is_searched_in_full(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    hi = np.sort(rng.integers(0, 2**60, 50_000, dtype=np.uint64))  # one bucket
    lo = rng.integers(0, 2**63, 50_000, dtype=np.uint64)
    (run_name,) = dedup.write_runs(tmp_path, "r", hi, lo, presorted=True).values()
    words = dedup.build_filter(hi, lo)
    assert words.shape[0] * 64 >= 50_000 * dedup.FILTER_BITS
    absent_hi = rng.integers(0, 2**60, 100_000, dtype=np.uint64)
    absent_lo = rng.integers(0, 2**63, 100_000, dtype=np.uint64)
    mask = dedup._mask(absent_lo)
    passed = (words[dedup._block(absent_hi, words.shape[0])] & mask) == mask
    assert passed.mean() < 0.05
    run = dedup.Run(tmp_path / run_name)
    assert run.contains(hi, lo).all() and not run.contains(absent_hi, absent_lo).any()
    (tmp_path / f"{run_name}.bloom.npy").unlink()  # a run written before filters existed
    old = dedup.Run(tmp_path / run_name)
    assert old.filter is None
    assert old.contains(hi[:1000], lo[:1000]).all() and not old.contains(absent_hi, absent_lo).any()


def test_the_store_filter_holds_every_claimed_key_through_deltas_folds_and_rebuilds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 item 14: the store-wide filter in front of the runs. Claims through commits that
    write a delta (and leave the base's bytes alone), commits that fold the deltas into the base,
    commits that outgrow it (rebuilt twice as large), and writers that die before their commit:
    after every commit, no claimed key is missed, by a fresh index or one kept from before, no
    uncommitted key counts as claimed, and few absent keys get through to the runs."""
    import hashlib

    from mutua.metering import keyclaims
    from mutua.metering.keyclaims import claim

    monkeypatch.setattr(keyclaims, "FOLD_IN_BACKGROUND", False)  # folds in the commit (see the next test)
    monkeypatch.setattr(dedup, "STORE_FILTER_MIN_KEYS", 5_000)
    monkeypatch.setattr(dedup, "MAX_DELTAS", 3)
    rng = np.random.default_rng(7)
    keys: dict[str, list[str]] = {}
    store_filter: dict[str, Any] | None = None
    kinds = {"delta": 0, "fold": 0, "rebuild": 0}
    crashed: set[str] = set()
    his: list[dedup.U64] = []
    los: list[dedup.U64] = []
    absent_hi = rng.integers(0, 2**63, 20_000, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd: never claimed
    absent_lo = rng.integers(0, 2**63, 20_000, dtype=np.uint64)
    for segment in range(30):
        n = 2000 if segment % 7 else 7000  # now and then more than the deltas may hold
        hi, lo = dedup.sort_keys(
            rng.integers(0, 2**63, n, dtype=np.uint64) * np.uint64(2), rng.integers(0, 2**63, n, dtype=np.uint64)
        )
        before = dedup.KeyIndex(tmp_path, keys, store_filter) if store_filter else None
        base_bytes = hashlib.sha256((tmp_path / store_filter["name"]).read_bytes()).digest() if store_filter else b""
        claims = claim(tmp_path, f"s{segment:03d}", hi, lo, keys, store_filter)
        new_filter = claims.store_filter
        if store_filter is None or new_filter["name"] != store_filter["name"]:
            kind = "rebuild"
            assert claims.filter_written == [new_filter["name"]] and "deltas" not in new_filter
        elif new_filter.get("deltas"):
            kind = "delta"
            assert claims.filter_written == new_filter["deltas"][-1:] and claims.filter_replaced == []
            assert new_filter["deltas"][:-1] == store_filter.get("deltas", [])
            assert hashlib.sha256((tmp_path / new_filter["name"]).read_bytes()).digest() == base_bytes
        else:
            kind = "fold"
            assert claims.filter_written == [] and claims.filter_replaced == store_filter.get("deltas", [])
        kinds[kind] += 1
        if segment % 5 == 4:  # the writer dies before its commit: the manifest stays as it was
            crashed.add(kind)
            index = _finds_the_committed_keys(tmp_path, keys, store_filter, his, los)
            assert not index.contains(hi, lo).any()  # a fold's bits set in place claim nothing
            continue
        keys, store_filter, index = _commit(tmp_path, claims, hi, lo, his, los)
        all_hi, all_lo = np.concatenate(his), np.concatenate(los)
        assert index.may_hold(all_hi, all_lo).all()
        assert not index.contains(absent_hi, absent_lo).any()
        assert index.may_hold(absent_hi, absent_lo).mean() < 0.02
        if before is not None and len(his) > 1:  # an index of the manifest before still finds its keys
            assert before.contains(np.concatenate(his[:-1]), np.concatenate(los[:-1])).all()
    assert kinds["delta"] >= 10 and kinds["fold"] >= 5 and kinds["rebuild"] >= 3, kinds
    assert crashed == {"delta", "fold", "rebuild"}
    assert store_filter is not None
    # a reader whose kept filter of the deltas is gone (a new process) reads them all again
    dedup.RecentKeys._kept.clear()
    fresh = dedup.KeyIndex(tmp_path, keys, store_filter)
    assert fresh.warm() == (tmp_path / store_filter["name"]).stat().st_size - 128  # the base, all of it
    assert fresh.contains(np.concatenate(his), np.concatenate(los)).all()


def _finds_the_committed_keys(
    root: Path, keys: dict[str, list[str]], store_filter: dict[str, Any] | None, his: list[Any], los: list[Any]
) -> dedup.KeyIndex:
    """An index of the manifest as committed finds every key committed (``his``, ``los``)."""
    index = dedup.KeyIndex(root, keys, store_filter)
    assert index.contains(np.concatenate(his), np.concatenate(los)).all()
    return index


def _commit(
    root: Path, claims: Any, hi: dedup.U64, lo: dedup.U64, his: list[Any], los: list[Any]
) -> tuple[dict[str, list[str]], dict[str, Any], dedup.KeyIndex]:
    """The claims committed as the store does (the files they replace deleted): the keys and
    filter the manifest names now, and an index of them that finds every key committed."""
    for name in claims.filter_replaced:
        (root / name).unlink()
    his.append(hi)
    los.append(lo)
    return claims.keys, claims.store_filter, _finds_the_committed_keys(root, claims.keys, claims.store_filter, his, los)


@pytest.mark.parametrize("capacity", [1, 5_000, 1 << 20, 3_000_017, 2_000_000_000])
def test_each_bucket_sets_bits_in_store_filter_words_of_its_own(capacity: int) -> None:
    """The rebuild adds the buckets side by side (one thread each): no word may take keys of two
    buckets, or one thread's write could undo another's bit."""
    words = dedup.store_filter_words(capacity)
    assert words % dedup.BUCKETS == 0 and words * 64 >= capacity * dedup.STORE_FILTER_BITS
    b = np.arange(dedup.BUCKETS, dtype=np.uint64)
    first = dedup._store_block(b << np.uint64(dedup.BUCKET_SHIFT), words)  # each bucket's lowest hi
    last = dedup._store_block(((b + np.uint64(1)) << np.uint64(dedup.BUCKET_SHIFT)) - np.uint64(1), words)
    assert (first[1:] > last[:-1]).all() and first[0] == 0 and last[-1] == words - 1


def test_an_index_keeps_the_mappings_of_unchanged_files_and_maps_a_changed_file_anew(tmp_path: Path) -> None:
    """Key indexes built one after the other (a commit each) share the mappings of the files both
    name; a file rewritten under its name (another inode) or in place (a fold) is mapped anew, and
    a fold's bits are seen through the older mapping too."""
    rng = np.random.default_rng(5)

    def keys(n: int) -> tuple[dedup.U64, dedup.U64]:
        return dedup.sort_keys(
            rng.integers(0, 2**64 - 1, n, dtype=np.uint64), rng.integers(0, 2**64 - 1, n, dtype=np.uint64)
        )

    a, b, c = keys(2000), keys(2000), keys(2000)
    runs: dict[str, list[str]] = {}
    for segment, (hi, lo) in (("a", a), ("b", b)):
        for bucket, run in dedup.write_runs(tmp_path, segment, hi, lo, presorted=True).items():
            runs.setdefault(str(bucket), []).append(run)
    name = "keys/filter-a.npy"
    dedup.build_store_filter(tmp_path, name, {k: v[:1] for k, v in runs.items()}, 1 << 20)
    store_filter = {"name": name, "capacity": 1 << 20}
    first = dedup.KeyIndex(tmp_path, {k: v[:1] for k, v in runs.items()}, store_filter)
    assert first.contains(*a).all()
    second = dedup.KeyIndex(tmp_path, runs, store_filter)
    assert all(second.runs[int(k)][0] is first.runs[int(k)][0] for k in runs)  # a's runs: mapped once
    assert second.filter is first.filter
    assert not second.may_hold(*b).all()  # b is in no filter yet ...
    dedup.add_to_store_filter(tmp_path, name, [b])  # ... until a fold sets its bits in place
    assert first.may_hold(*b).all()  # seen through the mapping of before
    third = dedup.KeyIndex(tmp_path, runs, store_filter)
    assert third.filter is not first.filter and third.may_hold(*b).all()
    assert third.contains(*a).all() and third.contains(*b).all()
    # a's runs replaced under their names by runs of other keys: mapped anew, the old keys gone
    other = tmp_path / "other"
    for bucket, run in dedup.write_runs(other, "a", *c, presorted=True).items():
        assert run in runs[str(bucket)]
        for f in dedup.run_files(run):
            (other / f).replace(tmp_path / f)
    fourth = dedup.KeyIndex(tmp_path, {k: v[:1] for k, v in runs.items()})
    assert fourth.contains(*c).all()
    assert not fourth.contains(*a).any()


def test_folds_in_the_background_never_hide_a_claimed_key_and_commits_drop_only_folded_deltas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer's folds run beside its commits: each commit writes a delta; one over the limit
    starts a fold of the named deltas; a commit after it has finished drops exactly those (their
    bits are in the base). Through it all, and through writers dying before their commit, every
    claimed key is found by a fresh index and by one kept from before."""
    import threading

    from mutua.metering import keyclaims
    from mutua.metering.keyclaims import Folds, claim

    gate = threading.Event()  # a fold finishes only once the gate is open: commits happen beside it

    def slow_fold(*args: Any) -> None:
        assert gate.wait(30)
        fold(*args)

    def open_and_wait(root: Path) -> None:  # a commit waiting for the fold (fallen behind) lets it end
        gate.set()
        wait(root)

    fold, wait = keyclaims.fold, Folds.wait
    monkeypatch.setattr(keyclaims, "fold", slow_fold)
    monkeypatch.setattr(Folds, "wait", staticmethod(open_and_wait))
    monkeypatch.setattr(dedup, "STORE_FILTER_MIN_KEYS", 5_000)
    monkeypatch.setattr(dedup, "MAX_DELTAS", 3)
    rng = np.random.default_rng(11)
    keys: dict[str, list[str]] = {}
    store_filter: dict[str, Any] | None = None
    his: list[dedup.U64] = []
    los: list[dedup.U64] = []
    drops = rebuilds = 0
    for segment in range(40):
        hi, lo = dedup.sort_keys(
            rng.integers(0, 2**63, 1500, dtype=np.uint64) * np.uint64(2), rng.integers(0, 2**63, 1500, dtype=np.uint64)
        )
        if segment % 2:  # before every other commit, the fold running (if any) may finish
            Folds.wait(tmp_path)
            gate.clear()
        before = dedup.KeyIndex(tmp_path, keys, store_filter) if store_filter else None
        running = Folds._running.get(tmp_path)
        finished = running is not None and running[2].done()
        claims = claim(tmp_path, f"s{segment:03d}", hi, lo, keys, store_filter)
        new_filter = claims.store_filter
        if store_filter is not None and new_filter["name"] == store_filter["name"]:
            dropped = [d for d in store_filter.get("deltas", []) if d not in new_filter.get("deltas", [])]
            assert sorted(dropped) == sorted(claims.filter_replaced)  # only deltas the manifest named
            if finished and running is not None and running[0] == store_filter["name"]:  # all a fold took
                assert set(dropped) == running[1] & set(store_filter.get("deltas", []))
            assert len(new_filter.get("deltas", [])) <= 2 * dedup.MAX_DELTAS
            if dropped:
                drops += 1
                base = np.load(tmp_path / new_filter["name"])  # their keys' bits are in the base now
                for d in dropped:
                    assert dedup.store_filter_may_hold(base, *dedup.read_delta(tmp_path, d)).all()
        else:
            rebuilds += 1
        if segment % 7 == 6:  # the writer dies before its commit: the manifest stays as it was
            _finds_the_committed_keys(tmp_path, keys, store_filter, his, los)
            continue
        keys, store_filter, _ = _commit(tmp_path, claims, hi, lo, his, los)
        if before is not None and len(his) > 1:
            assert before.contains(np.concatenate(his[:-1]), np.concatenate(los[:-1])).all()
    Folds.wait(tmp_path)
    assert drops >= 4 and rebuilds >= 2, (drops, rebuilds)


def test_two_folds_into_one_base_at_once_lose_no_bit(tmp_path: Path) -> None:
    """A fold reads and writes back whole words; folds beside commits (and other processes) must
    take turns (``fold.lock``), or one could write back a word without the other's bits."""
    import threading

    name = "keys/filter-x.npy"
    dedup.build_store_filter(tmp_path, name, {}, 200_000)
    rng = np.random.default_rng(3)
    sets = [
        [
            dedup.sort_keys(
                rng.integers(0, 2**64 - 1, 50_000, dtype=np.uint64), rng.integers(0, 2**64 - 1, 50_000, dtype=np.uint64)
            )
            for _ in range(8)
        ]
        for _ in range(2)
    ]

    def fold_all(keys: list[tuple[dedup.U64, dedup.U64]]) -> None:
        for pair in keys:
            dedup.add_to_store_filter(tmp_path, name, [pair])

    threads = [threading.Thread(target=fold_all, args=(k,)) for k in sets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    words = np.load(tmp_path / name)
    for keys in sets:
        for hi, lo in keys:
            assert dedup.store_filter_may_hold(words, hi, lo).all()


def test_a_fold_gives_its_deltas_to_drop_only_once_finished_into_the_same_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from mutua.metering import keyclaims
    from mutua.metering.keyclaims import Folds

    gate = threading.Event()
    fold = keyclaims.fold

    def gated_fold(*args: Any) -> None:
        assert gate.wait(30)
        fold(*args)

    monkeypatch.setattr(keyclaims, "fold", gated_fold)
    base = "keys/filter-a.npy"
    dedup.build_store_filter(tmp_path, base, {}, 100_000)
    rng = np.random.default_rng(2)
    deltas = []
    for name in ("d1", "d2", "d3"):
        rel = f"keys/delta-{name}.npy"
        dedup.write_delta(
            tmp_path,
            rel,
            *dedup.sort_keys(
                rng.integers(0, 2**64 - 1, 3000, dtype=np.uint64), rng.integers(0, 2**64 - 1, 3000, dtype=np.uint64)
            ),
        )
        deltas.append(rel)
    Folds.start(tmp_path, base, deltas[:2])
    Folds.start(tmp_path, base, deltas)  # one at a time: this one is not started
    assert Folds.done(tmp_path, base) == frozenset()  # running: nothing to drop yet
    gate.set()
    Folds.wait(tmp_path)
    assert Folds.done(tmp_path, base) == frozenset(deltas[:2])
    assert Folds.done(tmp_path, base) == frozenset()  # given once
    words = np.load(tmp_path / base)
    for rel in deltas[:2]:
        assert dedup.store_filter_may_hold(words, *dedup.read_delta(tmp_path, rel)).all()
    Folds.start(tmp_path, base, deltas[2:])
    Folds.wait(tmp_path)
    assert Folds.done(tmp_path, "keys/filter-rebuilt.npy") == frozenset()  # rebuilt meanwhile: none


def _bits_one_probe_at_a_time(lo: np.ndarray[Any, Any], shifts: list[int]) -> np.ndarray[Any, Any]:
    expected = np.zeros(lo.shape, dtype=np.uint64)
    for s in shifts:
        expected |= np.left_shift(np.uint64(1), (lo >> np.uint64(s)) & np.uint64(63))
    return expected


@settings(max_examples=200, deadline=None)
@given(
    keys=st.lists(st.integers(0, 2**64 - 1), min_size=0, max_size=300),
    shifts=st.lists(st.integers(0, 58), min_size=1, max_size=8),
)
def test_probe_bits_set_one_bit_per_probe_whether_looked_up_in_pairs_or_alone(
    keys: list[int], shifts: list[int]
) -> None:
    lo = np.asarray(keys, dtype=np.uint64)
    assert np.array_equal(dedup._probe_bits(lo, shifts), _bits_one_probe_at_a_time(lo, shifts))


def test_the_filters_bits_are_the_ones_stores_were_written_with() -> None:
    """The filters on disk were built with one probe per 6 bits of ``lo``: from the lowest bits
    up for the runs', from the highest down for the store's. Looking two probes up at once must
    set exactly those bits, or the filters of a store written before would miss its keys."""
    rng = np.random.default_rng(7)
    lo = np.concatenate(
        [rng.integers(0, 2**64 - 1, 100_000, dtype=np.uint64, endpoint=True), np.array([0, 2**64 - 1], np.uint64)]
    )
    runs = _bits_one_probe_at_a_time(lo, [6 * j for j in range(dedup.FILTER_PROBES)])
    store = _bits_one_probe_at_a_time(lo, [58 - 6 * j for j in range(dedup.STORE_FILTER_PROBES)])
    assert np.array_equal(dedup._mask(lo), runs)
    assert np.array_equal(dedup._store_mask(lo), store)
    assert np.array_equal(dedup._mask(lo[:0]), runs[:0])
