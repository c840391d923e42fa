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

The app reaches the database through units of work made by the factory it is given (the
composition root's: the app never names it).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from mutua.metering.ingestor import HttpIngestor, parse_batch
from mutua.metering.ports import UnitOfWork

UNIT_OF_WORK_VARIABLE = "MUTUA_UNIT_OF_WORK"
"""Names the composition root's unit of work factory ``(engine, actor)`` for the workers, as
``module:name`` (set by ``mutua metering serve``)."""


def _json(data: object, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def create_app(unit_of_work: Callable[[], UnitOfWork], data_dir: Path, *, flush_events: int | None = None) -> FastAPI:
    """The ingestion app; nothing heavy happens before startup. ``unit_of_work`` makes a unit of
    work acting as the server's user."""
    holder: dict[str, HttpIngestor] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        kwargs = {} if flush_events is None else {"flush_events": flush_events}
        holder["ingestor"] = HttpIngestor(unit_of_work, data_dir, **kwargs)
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
    ``mutua metering serve`` (the schema is migrated there, once, before the workers start), and
    so does the unit of work factory (:data:`UNIT_OF_WORK_VARIABLE`)."""
    from mutua.platform.db.engine import make_engine
    from mutua.platform.settings import Settings

    settings = Settings.from_env()
    engine = make_engine(settings.url)
    factory = _named(os.environ.get(UNIT_OF_WORK_VARIABLE, ""))
    flush_events = os.environ.get("MUTUA_METERING_FLUSH_EVENTS")
    return create_app(
        lambda: factory(engine, settings.actor),
        settings.data_dir,
        flush_events=int(flush_events) if flush_events else None,
    )


def _named(path: str) -> Callable[..., Any]:
    module, _, name = path.partition(":")
    if not module or not name:
        raise RuntimeError(f"{UNIT_OF_WORK_VARIABLE} must name the unit of work factory as module:name")
    found: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return found
