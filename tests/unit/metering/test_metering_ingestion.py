"""Ingesting files and flushing the HTTP path's events: what is taken, what is refused, what is audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from tests.fakes.metering import FakeEventStore, audit_trail, metering_uow, subscription

from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict, NotFound
from mutua.metering.service import flush, ingest_file, load_catalogue, stats

MEMBER = "0123456749"


def call(i: int | str, *, subject: str = MEMBER, time: str = "2025-03-10T12:00:00Z", **extra: Any) -> dict[str, Any]:
    return {"id": str(i), "source": "/gateway", "type": "be.mutua.api.call", "subject": subject, "time": time, **extra}


def jsonl(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    return path


def test_an_ingested_file_stores_each_event_once_and_is_audited_with_what_it_took(tmp_path: Path) -> None:
    uow, events = metering_uow(subscription("SVC-1", MEMBER)), FakeEventStore()
    file = jsonl(tmp_path / "march.jsonl", [call(1), call(2), call(1), call(3, subject="0999999999")])

    result = ingest_file(uow, events, file)

    assert (result.received, result.accepted, result.duplicates) == (4, 2, 1)
    assert [(r.line, r.field) for r in result.rejected] == [(4, "subject")]
    assert audit_trail(uow) == [
        (
            "ingest",
            "metering_segment",
            "segment-1",
            {"source": str(file), "received": 4, "accepted": 2, "duplicates": 1, "rejected": 1, "late": 0},
        )
    ]


def test_a_file_taken_again_changes_nothing_and_is_audited_without_a_segment(tmp_path: Path) -> None:
    uow, events = metering_uow(subscription("SVC-1", MEMBER)), FakeEventStore()
    file = jsonl(tmp_path / "march.jsonl", [call(1), call(2)])
    ingest_file(uow, events, file)

    again = ingest_file(uow, events, file)

    assert (again.accepted, again.duplicates, again.segment) == (0, 2, None)
    assert audit_trail(uow)[-1][:3] == ("ingest", "metering_segment", "-")
    assert stats(events).stored_events == 2


def test_a_missing_file_is_not_found_and_nothing_is_audited(tmp_path: Path) -> None:
    uow = metering_uow(subscription("SVC-1", MEMBER))

    with pytest.raises(NotFound):
        ingest_file(uow, FakeEventStore(), tmp_path / "nowhere.jsonl")

    assert uow.audit.recorded == []


def test_nothing_is_ingested_before_a_cost_model_is_imported(tmp_path: Path) -> None:
    uow, events = metering_uow(subscription("SVC-1", MEMBER)), FakeEventStore()
    uow.costing.model = None

    with pytest.raises(Conflict, match="no cost model"):
        ingest_file(uow, events, jsonl(tmp_path / "march.jsonl", [call(1)]))

    assert events.stored == {} and uow.audit.recorded == []


def test_a_member_written_with_dots_stands_for_its_shared_cloud_engagement(tmp_path: Path) -> None:
    uow = metering_uow(subscription("ITSM-1", MEMBER, "ITSM"), subscription("SVC-1", MEMBER))
    events = FakeEventStore()

    ingest_file(
        uow, events, jsonl(tmp_path / "march.jsonl", [call(1, subject="0123.456.749"), call(2, subject="ITSM-1")])
    )

    assert sorted(s.event.engagement for s in events.stored.values()) == ["ITSM-1", "SVC-1"]


def test_a_month_locked_by_a_close_or_sealed_by_a_materialisation_takes_its_events_as_late() -> None:
    uow, events = metering_uow(subscription("SVC-1", MEMBER), closed=[202501]), FakeEventStore()
    events.seal(Period(2025, 2))

    _, catalogue = load_catalogue(uow, events)

    assert catalogue.closed == {202501, 202502}
    assert catalogue.subjects[MEMBER] == (MEMBER, "SVC-1")


def test_events_of_a_locked_month_are_taken_and_charged_in_the_next_open_month(tmp_path: Path) -> None:
    uow, events = metering_uow(subscription("SVC-1", MEMBER), closed=[202502]), FakeEventStore()
    file = jsonl(tmp_path / "late.jsonl", [call("on-time"), call("late", time="2025-02-14T08:00:00Z")])

    result = ingest_file(uow, events, file)

    assert (result.accepted, result.late) == (2, 1)
    assert audit_trail(uow)[-1][3]["late"] == 1
    assert {(s.origin, s.period) for s in events.stored.values()} == {(202503, 202503), (202502, 202503)}


def test_a_flush_stores_the_acknowledged_events_once_and_audits_each_commit() -> None:
    uow, events = metering_uow(subscription("SVC-1", MEMBER)), FakeEventStore()
    events.acknowledge([call(1), call(2)])

    first = flush(uow, events)
    second = flush(uow, events)

    assert (first.source, first.accepted) == ("http", 2)
    assert (second.accepted, second.segment) == (0, None)
    assert [(action, detail["accepted"]) for action, _, _, detail in audit_trail(uow)] == [("flush", 2)]
    assert events.pending_http_events() == 0
