"""POST /events per the CloudEvents HTTP binding, sent by the official SDK (``cloudevents``):
binary, structured and batch modes, 415 for the rest; 400/207 when events are refused; sender
keys (401 without, 403 for what a key may not send, revoked at once); 413 above the limits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from cloudevents.core.bindings import http as ce_http
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from sqlalchemy import Engine

from mutua.bootstrap import migrate, unit_of_work
from mutua.metering import http as metering_http
from mutua.metering import service as metering
from mutua.metering.http import create_app
from mutua.metering.senders import SenderKeys
from mutua.metering.store import DuckEventStore
from mutua.platform.db.engine import make_engine
from tests.integration.metering_support import MEMBERS, build_association, write_jsonl

Client = httpx.AsyncClient


def _engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'mutua.sqlite'}")
    migrate(engine)
    build_association(engine, tmp_path)
    return engine


def sdk_event(i: int | str, *, data: Any = None, **attributes: Any) -> CloudEvent:
    base: dict[str, Any] = {
        "id": str(i),
        "source": "/gateway/ehealth",
        "type": "be.mutua.api.call",
        "subject": MEMBERS[0],
        "time": datetime(2025, 3, 10, 12, 0, tzinfo=UTC),
    }
    return CloudEvent(attributes={**base, **attributes}, data=data if data is not None else {})


def serve(tmp_path: Path, scenario: Callable[[Client, dict[str, str]], Awaitable[None]]) -> Engine:
    """Run ``scenario`` against the app with a client and the headers of a key for /gateway/*."""
    engine = _engine(tmp_path)
    _, token = SenderKeys(tmp_path).create("gateway", ["/gateway/*"], ["be.mutua.*"])
    app = create_app(lambda: unit_of_work(engine, "http"), tmp_path)

    async def run() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://mutua") as client:
                await scenario(client, {"authorization": f"Bearer {token}"})

    asyncio.run(run())
    return engine


def test_binary_structured_and_batch_modes_from_the_sdk_are_taken(tmp_path: Path) -> None:
    async def scenario(client: Client, auth: dict[str, str]) -> None:
        binary = ce_http.to_binary_event(sdk_event("bin"))
        r = await client.post("/events", headers={**binary.headers, **auth}, content=binary.body)
        assert (r.status_code, r.json()["accepted"]) == (200, 1), r.text

        structured = ce_http.to_structured_event(sdk_event("str"))
        r = await client.post("/events", headers={**structured.headers, **auth}, content=structured.body)
        assert (r.status_code, r.json()["accepted"]) == (200, 1), r.text

        fmt = JSONFormat()
        batch = b"[" + b",".join(fmt.write(sdk_event(f"b{i}")) for i in range(3)) + b"]"
        headers = {"content-type": "application/cloudevents-batch+json", **auth}
        r = await client.post("/events?ids=true", headers=headers, content=batch)
        assert (r.status_code, sorted(r.json()["accepted_ids"])) == (200, ["b0", "b1", "b2"]), r.text

        again = await client.post("/events", headers={**binary.headers, **auth}, content=binary.body)
        assert (again.status_code, again.json()["duplicates"]) == (200, 1)

        flushed = (await client.post("/flush", headers=auth)).json()
        assert flushed["accepted"] == 5

    engine = serve(tmp_path, scenario)
    assert metering.stats(DuckEventStore(tmp_path)).stored_events == 5
    engine.dispose()


def test_binary_mode_header_values_are_percent_decoded_and_non_json_data_is_415(tmp_path: Path) -> None:
    async def scenario(client: Client, auth: dict[str, str]) -> None:
        message = ce_http.to_binary_event(sdk_event("caf\u00e9 1", data={"n": 1}))
        assert "%" in message.headers["ce-id"]  # the SDK percent-encodes what is not ASCII
        r = await client.post("/events?ids=true", headers={**message.headers, **auth}, content=message.body)
        assert r.json()["accepted_ids"] == ["caf\u00e9 1"], r.text

        text = ce_http.to_binary_event(sdk_event("t", data="hello", datacontenttype="text/plain"))
        r = await client.post("/events", headers={**text.headers, **auth}, content=text.body)
        assert r.status_code == 415

    serve(tmp_path, scenario).dispose()


def test_other_content_types_are_415_and_plain_json_is_taken_as_structured_or_batch(tmp_path: Path) -> None:
    body = JSONFormat().write(sdk_event("p1"))

    async def scenario(client: Client, auth: dict[str, str]) -> None:
        for content_type in ("text/plain", "application/xml", None):
            headers = {**auth, **({"content-type": content_type} if content_type else {})}
            r = await client.post("/events", headers=headers, content=body)
            assert r.status_code == 415, content_type
            assert r.headers["content-type"] == "application/problem+json"
        r = await client.post("/events", headers={**auth, "content-type": "application/json"}, content=body)
        assert (r.status_code, r.json()["accepted"]) == (200, 1)
        r = await client.post(
            "/events",
            headers={**auth, "content-type": "application/cloudevents+json"},
            content=b"[" + body + b"]",
        )
        assert r.status_code == 400  # structured mode is one object

    serve(tmp_path, scenario).dispose()


def test_a_refused_single_event_is_400_and_a_batch_with_refusals_is_207_per_index(tmp_path: Path) -> None:
    async def scenario(client: Client, auth: dict[str, str]) -> None:
        bad = ce_http.to_structured_event(sdk_event("bad", subject="0999999999"))
        r = await client.post("/events", headers={**bad.headers, **auth}, content=bad.body)
        assert r.status_code == 400
        problem = r.json()
        assert r.headers["content-type"] == "application/problem+json"
        assert (problem["status"], problem["field"], problem["id"]) == (400, "subject", "bad")
        assert "unknown member" in problem["detail"]

        binary = ce_http.to_binary_event(sdk_event("nospec"))
        headers = {k: v for k, v in binary.headers.items() if k != "ce-time"}
        r = await client.post("/events", headers={**headers, **auth}, content=binary.body)
        assert (r.status_code, r.json()["field"]) == (400, "time")

        fmt = JSONFormat()
        events = [orjson.loads(fmt.write(sdk_event(i))) for i in ("ok", "dup", "dup")]
        events.insert(1, {**events[0], "id": "old", "specversion": "0.3"})
        events.append({**events[0], "id": "noon", "time": "2025-03-10T12:00:00"})
        headers = {"content-type": "application/cloudevents-batch+json", **auth}
        r = await client.post("/events", headers=headers, content=orjson.dumps(events))
        assert r.status_code == 207
        results = r.json()["results"]
        assert [x["status"] for x in results] == [201, 400, 201, 200, 400]
        assert (results[1]["field"], results[4]["field"]) == ("specversion", "time")

        r = await client.post("/events", headers=headers, content=orjson.dumps([events[0], events[2]]))
        assert r.status_code == 200  # all taken before: duplicates are a success

    serve(tmp_path, scenario).dispose()


def test_senders_need_a_key_limited_to_its_sources_and_types_and_a_revoked_key_is_refused(tmp_path: Path) -> None:
    keys = SenderKeys(tmp_path)
    body = JSONFormat().write(sdk_event("k1"))
    structured = {"content-type": "application/cloudevents+json"}

    async def scenario(client: Client, auth: dict[str, str]) -> None:
        assert (await client.post("/events", headers=structured, content=body)).status_code == 401
        wrong = {**structured, "authorization": "Bearer mts_000000000000_" + "x" * 43}
        assert (await client.post("/events", headers=wrong, content=body)).status_code == 401
        assert (await client.post("/flush")).status_code == 401

        other_key, other = keys.create("storage only", ["/storage"], ["be.mutua.storage.*"])
        r = await client.post("/events", headers={**structured, "authorization": f"Bearer {other}"}, content=body)
        assert (r.status_code, r.json()["field"]) == (403, "sender")

        r = await client.post("/events", headers={**structured, **auth}, content=body)
        assert r.status_code == 200
        keys.revoke(other_key.key_id)
        storage = JSONFormat().write(sdk_event("s1", source="/storage", type="be.mutua.storage.used", data={"gb": 1}))
        r = await client.post("/events", headers={**structured, "authorization": f"Bearer {other}"}, content=storage)
        assert r.status_code == 401

    serve(tmp_path, scenario).dispose()
    stored = keys.path.read_text()
    assert "mts_" not in stored  # only hashes are kept


def test_bodies_and_batches_above_the_limits_are_413_without_being_read_whole(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(metering_http, "MAX_BODY_BYTES", 10_000)
    monkeypatch.setattr(metering_http, "MAX_BATCH_EVENTS", 5)
    fmt = JSONFormat()
    pulled: list[int] = []

    async def chunks() -> Any:
        for _ in range(1000):  # 1 MB offered in 1 kB chunks; the server must stop early
            pulled.append(1)
            yield b" " * 1000

    async def scenario(client: Client, auth: dict[str, str]) -> None:
        headers = {"content-type": "application/cloudevents-batch+json", **auth}
        big = b"[" + b",".join(fmt.write(sdk_event(i)) for i in range(60)) + b"]"
        r = await client.post("/events", headers=headers, content=big)
        assert r.status_code == 413 and r.json()["status"] == 413
        r = await client.post("/events", headers=headers, content=chunks())  # no Content-Length: streamed
        assert r.status_code == 413
        assert len(pulled) < 100
        six = b"[" + b",".join(fmt.write(sdk_event(i)) for i in range(6)) + b"]"
        r = await client.post("/events", headers=headers, content=six)
        assert r.status_code == 413 and "5" in r.json()["detail"]

    serve(tmp_path, scenario).dispose()


def test_an_events_file_written_by_the_sdk_ingests(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    fmt = JSONFormat()
    lines = [orjson.loads(fmt.write(sdk_event(f"f{i}"))) for i in range(4)]
    lines.append(orjson.loads(fmt.write(sdk_event("b64", data=b'{"x": 1}', datacontenttype="application/json"))))
    assert "data_base64" in lines[-1]
    result = metering.ingest_file(
        unit_of_work(engine), DuckEventStore(tmp_path), write_jsonl(tmp_path / "sdk.jsonl", lines)
    )
    assert (result.accepted, result.rejected) == (5, [])
    engine.dispose()


def test_an_openid_connect_client_sends_with_an_access_token_checked_against_the_providers_keys(
    tmp_path: Path,
) -> None:
    """Client credentials: a JWT from the provider (signature, iss, aud, exp), its azp a sender."""
    import time

    from joserfc import jwt
    from joserfc.jwk import RSAKey

    from mutua.metering.senders import OidcTokens

    signing = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    intruder = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    oidc = OidcTokens("https://idp.example", "mutua-metering", lambda: {"keys": [signing.as_dict(private=False)]})

    def token(key: RSAKey = signing, **claims: Any) -> str:
        base = {"iss": "https://idp.example", "aud": "mutua-metering", "exp": int(time.time()) + 300, "azp": "gw"}
        return jwt.encode({"alg": "RS256", "kid": "k1"}, {**base, **claims}, key)

    engine = _engine(tmp_path)
    SenderKeys(tmp_path).create("gateway client", ["/gateway/*"], ["be.mutua.*"], client_id="gw")
    app = create_app(lambda: unit_of_work(engine, "http"), tmp_path, oidc=oidc)
    body = JSONFormat().write(sdk_event("o1"))

    async def run() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://mutua") as client:

                async def post(bearer: str) -> int:
                    headers = {"content-type": "application/cloudevents+json", "authorization": f"Bearer {bearer}"}
                    return (await client.post("/events", headers=headers, content=body)).status_code

                assert await post(token()) == 200
                assert await post(token(azp="stranger")) == 401
                assert await post(token(aud="other")) == 401
                assert await post(token(exp=int(time.time()) - 3600)) == 401
                assert await post(token(key=intruder)) == 401

    asyncio.run(run())
    engine.dispose()
