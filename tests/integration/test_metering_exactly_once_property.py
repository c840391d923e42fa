"""Property: any sequence of valid and invalid events (huge, tiny, digits of other scripts, NUL in
ids), sent over HTTP and in files in any interleaving, with flushes, materialisations and
restarts between, leaves every acknowledged event stored exactly once with its value, every
refused one refused with a reason (the same on both paths) and never stored, and flush and
materialise never fail."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from mutua.bootstrap import migrate, unit_of_work
from mutua.kernel.periods import Period
from mutua.metering import service as metering
from mutua.metering.ingestor import HttpIngestor
from mutua.metering.store import DuckEventStore
from mutua.platform.db.engine import make_engine
from tests.integration.metering_support import MEMBERS, build_association, event, write_jsonl
from tests.integration.test_metering_acknowledged import stored

GOOD_VALUES = ["0", "1", "12.5", "0.0000005", "1e-9", "999999999999.999999", "1000000000000", 7, 0.25, "3E2"]
BAD_VALUES = ["1e308", 1e308, "9223372036854.78", "1e13", "１２", "١٢", " 5", "1_0", "NaN", "-1", "", None, {"v": 1}]
SOURCES = ["/gw", "/gw\0x", "/other"]
IDS = ["a", "b", "x\0y", "c", "d", "e"]


def _build(n: int, source: str, event_id: str, kind: int, value: Any) -> dict[str, Any]:
    """Event number ``n`` of the universe: a count (kind 0) or a sum with ``value`` (kind 1)."""
    if kind == 0:
        return event(event_id, source=source, subject=MEMBERS[n % 3])
    data = {} if value is None else {"seconds": value}
    return event(event_id, source=source, type="be.mutua.vm.usage", subject=MEMBERS[n % 3], data=data)


universe = st.lists(
    st.tuples(
        st.sampled_from(SOURCES),
        st.sampled_from(IDS),
        st.integers(0, 1),
        st.one_of(st.sampled_from(GOOD_VALUES), st.sampled_from(BAD_VALUES)),
    ),
    min_size=3,
    max_size=10,
    unique_by=lambda t: (t[0], t[1]),  # one event per identity: a resend is the same event
)
operation = st.one_of(
    st.tuples(st.sampled_from(["http", "file"]), st.lists(st.integers(0, 9), min_size=1, max_size=6)),
    st.tuples(st.sampled_from(["flush", "restart", "materialise"]), st.just([])),
)

_ENGINE: dict[str, Engine] = {}


def _association() -> tuple[Engine, Path]:
    if "engine" not in _ENGINE:
        folder = Path(tempfile.mkdtemp(prefix="mutua-property-"))
        engine = make_engine(f"sqlite:///{folder / 'mutua.sqlite'}")
        migrate(engine)
        build_association(engine, folder)
        _ENGINE["engine"] = engine
    return _ENGINE["engine"], Path(tempfile.mkdtemp(prefix="mutua-property-run-"))


def _micro(value: Any) -> int | None:
    return int(Decimal(str(value)).scaleb(6).to_integral_value(ROUND_HALF_UP))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(universe, st.lists(operation, min_size=1, max_size=7))
def test_every_acknowledged_event_is_stored_once_and_every_refused_one_has_a_reason(
    spec: list[tuple[str, str, int, Any]], operations: list[tuple[str, list[int]]]
) -> None:
    engine, data_dir = _association()
    events = [_build(n, *s) for n, s in enumerate(spec)]
    key = [(e["source"], e["id"]) for e in events]
    acknowledged: Counter[tuple[str, str]] = Counter()
    refused: dict[tuple[str, str], set[tuple[str | None, str]]] = {}
    ingestor = HttpIngestor(lambda: unit_of_work(engine, "http"), data_dir, flush_events=10**9)
    try:
        for step, (what, picks) in enumerate([*operations, ("flush", [])]):
            batch = [events[i % len(events)] for i in picks]
            if what == "http":
                answer = ingestor.accept(batch)
                for r in answer.rejected:
                    refused.setdefault(key[picks[r.index] % len(events)], set()).add((r.field, r.reason))
                not_taken = {r.index for r in answer.rejected} | set(answer.duplicate_indexes)
                taken_now = [e for i, e in enumerate(batch) if i not in not_taken]
                assert sorted(e["id"] for e in taken_now) == sorted(answer.accepted)
                for e in taken_now:
                    acknowledged[(e["source"], e["id"])] += 1
            elif what == "file":
                result = metering.ingest_file(
                    unit_of_work(engine), DuckEventStore(data_dir), write_jsonl(data_dir / f"f{step}.jsonl", batch)
                )
                duplicates = set(result.duplicate_indexes)
                rejected = {r.index: r for r in result.rejected}
                for i, e in enumerate(batch):
                    if i in rejected:
                        refused.setdefault(key[picks[i] % len(events)], set()).add(
                            (rejected[i].field, rejected[i].reason)
                        )
                    elif i not in duplicates:
                        acknowledged[(e["source"], e["id"])] += 1
                assert result.accepted == len(batch) - len(duplicates) - len(rejected)
            elif what == "flush":
                metering.flush(unit_of_work(engine), DuckEventStore(data_dir))  # never fails
            elif what == "materialise":
                metering.materialise(unit_of_work(engine), DuckEventStore(data_dir), Period(2025, 3))
            else:
                ingestor.close()
                ingestor = HttpIngestor(lambda: unit_of_work(engine, "http"), data_dir, flush_events=10**9)
    finally:
        ingestor.close()
    rows = stored(data_dir)
    by_key = Counter((s, i) for (s, i, _) in rows)
    assert all(n == 1 for n in acknowledged.values()), acknowledged  # acknowledged once, whatever the path
    assert set(by_key) == set(acknowledged)  # every acknowledged event stored, nothing else
    assert all(n == 1 for n in by_key.values())  # once (one meter reads each)
    for n, e in enumerate(events):
        k = key[n]
        if k in refused:
            assert k not in acknowledged
            assert all(reason for _, reason in refused[k])
            assert len({field for field, _ in refused[k]}) == 1, refused[k]  # one verdict on every path
        if k in acknowledged and e["type"] == "be.mutua.vm.usage":
            [(value)] = [v for (s, i, v) in rows if (s, i) == k]
            assert value == _micro(e["data"]["seconds"])
    shutil.rmtree(data_dir, ignore_errors=True)
