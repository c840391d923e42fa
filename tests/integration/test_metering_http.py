"""The HTTP endpoint: single events and batches, answers that say what was taken and what not."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import orjson
from sqlalchemy import Engine

from mutua.bootstrap import migrate, unit_of_work
from mutua.metering.http import create_app
from mutua.metering.senders import SenderKeys
from mutua.platform.db.engine import make_engine
from tests.integration.metering_support import build_association, event


def _engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'mutua.sqlite'}")
    migrate(engine)
    build_association(engine, tmp_path)
    return engine


def test_a_single_event_a_batch_a_resend_and_a_body_that_is_not_json(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    app = create_app(lambda: unit_of_work(engine, "http"), tmp_path)
    _, key = SenderKeys(tmp_path).create("gateway", ["*"], ["*"])
    one_event = {"authorization": f"Bearer {key}", "content-type": "application/cloudevents+json"}
    batch_of = {"authorization": f"Bearer {key}", "content-type": "application/cloudevents-batch+json"}

    async def scenario() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://mutua") as client:
                one = await client.post("/events", headers=one_event, content=orjson.dumps(event("solo")))
                assert one.status_code == 200
                assert (one.json()["accepted"], one.json()["duplicates"]) == (1, 0)

                batch = [event("solo"), event("b1"), {**event("b2"), "time": "not a time"}, event("b1")]
                answered = await client.post("/events?ids=true", headers=batch_of, content=orjson.dumps(batch))
                assert answered.status_code == 207  # one was refused
                answer = answered.json()
                assert answer["accepted_ids"] == ["b1"]
                assert sorted(answer["duplicate_ids"]) == ["b1", "solo"]
                assert [(r["index"], r["field"], r["id"]) for r in answer["rejections"]] == [(2, "time", "b2")]

                broken = await client.post("/events", headers=one_event, content=b"{not json")
                assert broken.status_code == 400

                flushed = (await client.post("/flush", headers=one_event)).json()
                assert flushed["accepted"] == 2

    asyncio.run(scenario())
    engine.dispose()
