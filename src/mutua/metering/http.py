"""The HTTP ingestion endpoint (FastAPI): one CloudEvent or a batch, answered after the commit.

``POST /events`` takes ``application/cloudevents+json`` (one object) or
``application/cloudevents-batch+json`` (an array). The answer (200) counts the events taken and
lists the duplicates (already taken: nothing changed) and the rejected events, each with its
reason; ``?ids=true`` also lists the ids taken. A body that is not JSON is refused whole (400).
``POST /flush`` moves acknowledged events into a Parquet segment; ``GET /health`` tells that the
server is up.

Several worker processes may serve one data dir (``mutua metering serve --workers N``): each
claims under the write-ahead store's lock, so an event is taken once whichever worker gets it.
:func:`app_from_env` builds a worker's app from the ``MUTUA_*`` variables.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from mutua.metering.service import HttpIngestor, parse_batch


def _json(data: object, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def create_app(engine: Engine, data_dir: Path, *, actor: str = "http", flush_events: int | None = None) -> FastAPI:
    """The ingestion app; nothing heavy happens before startup."""
    holder: dict[str, HttpIngestor] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        kwargs = {} if flush_events is None else {"flush_events": flush_events}
        holder["ingestor"] = HttpIngestor(engine, data_dir, actor, **kwargs)
        try:
            yield
        finally:
            holder["ingestor"].close()

    app = FastAPI(title="Mutua metering", lifespan=lifespan)

    @app.post("/events")
    async def events(request: Request) -> Response:
        body = await request.body()
        try:
            batch = parse_batch(body)
        except orjson.JSONDecodeError as exc:
            return _json({"type": "about:blank", "title": "not JSON", "status": 400, "detail": str(exc)}, status=400)
        # Called on the event loop, not in a thread: the work is CPU-bound Python, and handing it
        # to a thread makes the loop and the thread take turns at the GIL (measured: half the
        # throughput). Concurrency comes from worker processes (``--workers``).
        answer = holder["ingestor"].accept(batch)
        return _json(answer.as_dict(with_accepted_ids=request.query_params.get("ids") == "true"))

    @app.post("/flush")
    async def flush() -> Response:
        result = await run_in_threadpool(holder["ingestor"].flush)
        return _json(result.as_dict(limit=100))

    @app.get("/health")
    async def health() -> Response:
        return _json({"status": "ok"})

    return app


def app_from_env() -> FastAPI:
    """A worker's app (uvicorn ``factory``): the settings come from ``MUTUA_*`` variables, set by
    ``mutua metering serve`` (the schema is migrated there, once, before the workers start)."""
    from mutua.platform.db.engine import make_engine
    from mutua.platform.settings import Settings

    settings = Settings.from_env()
    engine = make_engine(settings.url)
    flush_events = os.environ.get("MUTUA_METERING_FLUSH_EVENTS")
    return create_app(
        engine, settings.data_dir, actor=settings.actor, flush_events=int(flush_events) if flush_events else None
    )
