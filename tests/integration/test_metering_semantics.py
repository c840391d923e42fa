"""The real store's aggregation (DuckDB) gives the domain reference's totals for every kind of
meter and option, month after month (state carried in, late events), and the materialised
quantities are what the README's examples say."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from mutua.bootstrap import migrate, unit_of_work
from mutua.charging import db as charging_db
from mutua.costing.service import import_cost_model
from mutua.kernel.periods import Period
from mutua.metering import service as metering
from mutua.metering.store import DuckEventStore
from mutua.platform.db.engine import make_engine
from tests.fakes.metering import FakeEventStore
from tests.integration import metering_support
from tests.integration.metering_semantics_support import (
    QUARTER,
    catalogue,
    ingest_into,
    quarter_events,
    semantics_model,
    semantics_model_text,
)
from tests.integration.metering_support import MEMBERS, event, write_jsonl

JAN, FEB, MAR, APR = (*QUARTER, Period(2025, 4))


def test_duckdb_gives_the_references_totals_for_every_meter_month_after_month(tmp_path: Path) -> None:
    model = semantics_model()
    store, reference = DuckEventStore(tmp_path), FakeEventStore()
    events = quarter_events(5, 1500)
    ingest_into(store, reference, tmp_path / "q.jsonl", events, catalogue())
    for period in (*QUARTER, APR):
        got = store.aggregate(period, model.meters)
        assert got == reference.aggregate(period, model.meters), period
    assert {t.meter for t in store.aggregate(APR, model.meters)} >= {"storage_gb", "seats", "licences"}
    # late events (January and February sealed), charged in March: the same again
    store.seal(JAN)
    store.seal(FEB)
    late = [dict(e, id=f"late-{e['id']}") for e in quarter_events(6, 300) if e["time"] < "2025-03"]
    ingest_into(store, reference, tmp_path / "late.jsonl", late, catalogue({JAN.key, FEB.key}))
    march = store.aggregate(MAR, model.meters)
    assert {t.origin_period for t in march} == {JAN.key, FEB.key, MAR.key}
    assert march == reference.aggregate(MAR, model.meters)
    assert store.aggregate(APR, model.meters) == reference.aggregate(APR, model.meters)


def test_values_on_the_rounding_boundary_are_stored_as_the_domain_rounds_them(tmp_path: Path) -> None:
    texts = ["0.0000005", "0.0000015", "0.0000025", "-0.0000005", "0.00000049999999", "1e-7", "2.5e-6"]
    events = [event(f"t{i}", type="be.mutua.transfer", data={"gb": t}) for i, t in enumerate(texts)]
    events += [event("n", type="be.mutua.transfer", data={"gb": 0.0000025})]  # a JSON number
    store = DuckEventStore(tmp_path)
    store.ingest_file(catalogue(), write_jsonl(tmp_path / "b.jsonl", events))
    (total,) = store.aggregate(Period(2025, 3), semantics_model().meters)
    assert total.numerator == 1 + 2 + 3 - 1 + 0 + 0 + 3 + 3  # half away from zero, each once


def test_two_events_at_the_same_time_give_one_latest_value_in_the_usage_view_and_the_charge(
    tmp_path: Path,
) -> None:
    model = semantics_model()
    at = "2025-03-10T12:00:00Z"
    events = []
    for i, member in enumerate(MEMBERS):  # each member's winner (/b) in another of the three commits
        ties = [("/b", "1", "5"), ("/a", "2", "7"), ("/a", "1", "9")]
        ties = ties[i:] + ties[:i]
        events += [
            event(
                f"{member}-{eid}", type="be.mutua.archive.stored", subject=member, time=at, source=src, data={"gb": gb}
            )
            for src, eid, gb in ties
        ]
    store = DuckEventStore(tmp_path)
    for i in range(3):  # three commits: the view takes the latest across their rollup files
        store.ingest_file(catalogue(), write_jsonl(tmp_path / f"t{i}.jsonl", events[i::3]))
    totals = {t.engagement: t.numerator for t in store.aggregate(MAR, model.meters)}
    assert totals == {"SVC-1": 5_000_000, "SVC-2": 5_000_000, "SVC-3": 5_000_000}
    view = {(u.engagement, u.last_micro) for u in store.usage(MAR)}
    assert view == {("SVC-1", 5_000_000), ("SVC-2", 5_000_000), ("SVC-3", 5_000_000)}


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'mutua.sqlite'}")
    migrate(eng)
    metering_support.build_association(eng, tmp_path)
    model = tmp_path / "semantics.yaml"
    model.write_text(semantics_model_text(), encoding="utf-8")
    import_cost_model(unit_of_work(eng), model)
    yield eng
    eng.dispose()


def _usage(engine: Engine, period: Period) -> dict[tuple[str, str], Decimal]:
    with unit_of_work(engine) as uow:
        u = charging_db.usage
        rows = uow.connection.execute(
            select(u.c.service, u.c.quantity).where(u.c.source == "metering", u.c.period_key == period.key)
        ).all()
    result: dict[tuple[str, str], Decimal] = {}
    for service, quantity in rows:
        result[(str(service), "")] = result.get((str(service), ""), Decimal(0)) + Decimal(quantity)
    return result


def test_the_readmes_examples_are_what_materialise_writes(sqlite_engine: Engine, tmp_path: Path) -> None:
    m = MEMBERS[0]
    events = [
        event("s1", type="be.mutua.storage.used", subject=m, time="2025-01-15T00:00:00Z", data={"gb": 100}),
        event("seat-ann", type="be.mutua.seat", subject=m, time="2025-01-05T00:00:00Z", data={"user": "ann"}),
        event("seat-bob", type="be.mutua.seat", subject=m, time="2025-01-06T00:00:00Z", data={"user": "bob"}),
        event(
            "bob-out",
            type="be.mutua.seat",
            subject=m,
            time="2025-01-20T00:00:00Z",
            data={"user": "bob", "op": "remove"},
        ),
        event("lic", type="be.mutua.licence", subject=m, time="2025-01-02T00:00:00Z", data={"n": 10}),
        event("lic-back", type="be.mutua.licence", subject=m, time="2025-02-02T00:00:00Z", data={"n": -4}),
        event("t1", type="be.mutua.transfer", subject=m, time="2025-02-03T00:00:00Z", data={"gb": "3.999"}),
        event("t2", type="be.mutua.transfer", subject=m, time="2025-02-04T00:00:00Z", data={"gb": "-1.5"}),
        *[
            event(f"c{i}", subject=m, time="2025-02-05T00:00:00Z", data={"region": region})
            for i, region in enumerate(["eu-west"] * 3 + ["us-east"] * 5)
        ],
    ]
    metering.ingest_file(
        unit_of_work(sqlite_engine), DuckEventStore(tmp_path), write_jsonl(tmp_path / "r.jsonl", events)
    )
    for period in (JAN, FEB):
        metering.materialise(unit_of_work(sqlite_engine), DuckEventStore(tmp_path), period)
    feb = _usage(sqlite_engine, FEB)
    assert feb[("STAAS", "")] == Decimal("100.000000")  # 100 GB since 15 January: 100 GB-month in February
    assert feb[("VMAAS", "")] == Decimal("1.000000")  # ann's seat carried (bob left in January)
    # licences: a balance of 10 - 4 = 6; api calls: 8 / 1000; eu calls: 3 / 1000 rounded up to 1
    assert feb[("APIGW", "")] == Decimal("6") + Decimal("0.008") + Decimal("1")
    assert feb[("BAAS", "")] == Decimal("2.490000")  # 3.999 - 1.5, floored to 2 decimals
    assert _usage(sqlite_engine, JAN)[("VMAAS", "")] == Decimal("2.000000")


def test_a_models_meter_options_survive_writing_the_model_file_back() -> None:
    from mutua.costing.modelfile import dump_cost_model, parse_cost_model

    model = semantics_model()
    assert parse_cost_model(dump_cost_model(model), "again.yaml").meters == model.meters
    assert sum(1 for m in model.meters if m.recurring or m.increments or m.filters or m.corrections) == 6
