"""Benchmark: the member dashboard and the controller's allocation page with five years of demo data
(2021-2025, built once into .bench/portal-5y and reused). Many requests through the ASGI app (the
same FastAPI app ``mutua serve`` runs, with its charts); the first request of each page (cold caches:
the chart renderer's start, the year's allocation) is reported apart. Prints one JSON object on its
last line.

    .venv/bin/python bench/bench_portal.py [--requests 200] [--rebuild]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import time
from pathlib import Path

import httpx
from fastapi import FastAPI

sys.path.insert(0, str(Path(__file__).parent))

from demo_years import build_years
from mutua.access.service import DEMO_PASSWORD, add_demo_users
from mutua.bootstrap import create_app, open_engine, unit_of_work
from mutua.platform.settings import Settings

YEARS = (2021, 2022, 2023, 2024, 2025)
HERE = Path(__file__).resolve().parents[1] / ".bench" / "portal-5y"


async def _login(app: FastAPI, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://portal", headers={"Accept-Language": "en"}
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/login")).text)
    assert token is not None
    r = await client.post(
        "/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token.group(1)}
    )
    assert r.status_code == 303, r.text
    return client


async def _measure(client: httpx.AsyncClient, url: str, n: int) -> dict[str, float]:
    start = time.perf_counter()
    first = await client.get(url)
    cold = time.perf_counter() - start
    assert first.status_code == 200, (url, first.status_code)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        r = await client.get(url)
        times.append(time.perf_counter() - t)
        assert r.status_code == 200
    times.sort()
    return {
        "cold_ms": round(cold * 1000, 1),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1),
        "max_ms": round(times[-1] * 1000, 1),
        "bytes": len(first.content),
    }


async def _run(app: FastAPI, member: str, n: int) -> dict[str, dict[str, float]]:
    holder = await _login(app, "member")
    controller = await _login(app, "controller")
    try:
        return {
            "dashboard": await _measure(holder, f"/members/{member}", n),
            "allocation": await _measure(controller, "/allocation?year=2025", n),
        }
    finally:
        await holder.aclose()
        await controller.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    settings = Settings(HERE, None, "bench")
    db = HERE / "mutua.sqlite"
    built = db.exists() and (HERE / "built").exists()
    if args.rebuild or not built:
        for suffix in ("", "-wal", "-shm"):
            (HERE / f"mutua.sqlite{suffix}").unlink(missing_ok=True)
        (HERE / "built").unlink(missing_ok=True)
        engine = open_engine(settings)
        start = time.perf_counter()
        build_years(engine, HERE / "input", YEARS, lambda what: print(what, file=sys.stderr))
        print(f"five years built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        (HERE / "built").touch()
    engine = open_engine(settings)
    accounts = add_demo_users(unit_of_work(engine, "bench"))
    member = next(a.member for a in accounts if a.member)
    app = create_app(engine=engine, settings=settings, secret_key="bench")
    pages = asyncio.run(_run(app, str(member), args.requests))
    result = {
        "benchmark": "portal",
        "years": list(YEARS),
        "requests": args.requests,
        "database": "sqlite",
        "transport": "httpx ASGITransport (in process)",
        **pages,
        "target_p95_ms": 100,
        "meets_target": max(p["p95_ms"] for p in pages.values()) < 100,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
