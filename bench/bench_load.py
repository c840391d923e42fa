"""Benchmark: many budget holders reading their dashboards at once, over HTTP, against a real
``mutua serve`` process (uvicorn) on the five demo years of bench_portal.py (copied into
.bench/load, built first if missing). One budget-holder account per member (plus a controller) is
created; each client logs in (session cookie), then for a fixed time requests its member's
dashboard page and its dashboard API in turn. The clients are threads on ``http.client`` (cheap:
this machine has few cores, and the server needs them). Prints one JSON line per client count,
then (last line) one JSON object with every run.

    .venv/bin/python bench/bench_load.py [--clients 20 100] [--seconds 15] [--workers 0]

``--workers`` is passed to ``mutua serve --workers`` (0: its default, one per core; -1: the option
is not passed, for servers that predate it).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).parent))

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / ".bench" / "portal-5y"
HERE = ROOT / ".bench" / "load"
PASSWORD = "load-bench-Passphrase-2026"
YEARS = (2021, 2022, 2023, 2024, 2025)


def prepare(users: int) -> list[str]:
    """The data dir (a copy of the five demo years) and ``users`` budget holders (``holder01``...,
    one member each) plus ``load-controller``; their members, in order."""
    from mutua.access.service import add_user, list_accounts
    from mutua.bootstrap import open_engine, unit_of_work
    from mutua.kernel.access import Role
    from mutua.platform.settings import Settings
    from mutua.registry.service import members

    if not (HERE / "mutua.sqlite").exists():
        if not (SOURCE / "built").exists():
            from demo_years import build_years

            engine = open_engine(Settings(SOURCE, None, "bench"))
            build_years(engine, SOURCE / "input", YEARS, lambda what: print(what, file=sys.stderr))
            engine.dispose()
            (SOURCE / "built").touch()
        HERE.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOURCE / "mutua.sqlite", HERE / "mutua.sqlite")
    engine = open_engine(Settings(HERE, None, "bench"))
    uow = unit_of_work(engine, "bench")
    numbers = [str(m.enterprise_number) for m in members(uow)]
    if len(numbers) < users:
        raise SystemExit(f"only {len(numbers)} members for {users} users")
    existing = {a.username for a in list_accounts(uow)}
    for i in range(users):
        name = f"holder{i + 1:03d}"
        if name not in existing:
            add_user(uow, name, Role.BUDGET_HOLDER, password=PASSWORD, member=numbers[i])
    if "load-controller" not in existing:
        add_user(uow, "load-controller", Role.CONTROLLER, password=PASSWORD)
    engine.dispose()
    return numbers[:users]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    command = [sys.executable, "-c", "from mutua.bootstrap import main; main()", "--data-dir", str(HERE)]
    command += ["serve", "--port", str(port)]
    if workers >= 0:
        command += ["--workers", str(workers)]
    env = {**os.environ, "MUTUA_SECURE": "0"}
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"mutua serve stopped: {server.stderr.read().decode() if server.stderr else ''}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                conn.close()
                return server, port
        except OSError:
            time.sleep(0.2)
    raise SystemExit("mutua serve did not start")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _cookie(response: http.client.HTTPResponse) -> str:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith("mutua_session="):
            return value.split(";", 1)[0]
    raise RuntimeError("no session cookie")


def login(port: int, username: str) -> str:
    """The session cookie of ``username`` (through the login form, as a browser does)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/login", headers={"Accept-Language": "en"})
    page = conn.getresponse()
    cookie = _cookie(page)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode())
    assert found is not None
    body = urlencode({"username": username, "password": PASSWORD, "csrf_token": found.group(1)})
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"}
    conn.request("POST", "/login", body=body, headers=headers)
    answer = conn.getresponse()
    answer.read()
    if answer.status != 303:
        raise RuntimeError(f"login of {username}: {answer.status}")
    cookie = _cookie(answer)
    conn.close()
    return cookie


def run(port: int, sessions: list[tuple[str, str]], seconds: float) -> dict[str, Any]:
    """Every client requests its member's dashboard page then its dashboard API, until the time is up."""
    times: list[list[float]] = [[] for _ in sessions]
    errors = [0] * len(sessions)
    start = threading.Barrier(len(sessions) + 1)
    stop = threading.Event()

    def client(i: int) -> None:
        member, cookie = sessions[i]
        headers = {"Cookie": cookie, "Accept-Language": "en"}
        urls = (f"/members/{member}", f"/api/v1/members/{member}/dashboard")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start.wait()
        n = 0
        while not stop.is_set():
            url = urls[n % 2]
            n += 1
            t = time.perf_counter()
            try:
                conn.request("GET", url, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            if stop.is_set():
                break  # a request cut by the end of the run is not counted
            times[i].append(time.perf_counter() - t)
            errors[i] += not ok
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(len(sessions))]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    elapsed = time.perf_counter() - began
    for t in threads:
        t.join(timeout=120)
    every = sorted(x for ts in times for x in ts)
    return {
        "clients": len(sessions),
        "requests": len(every),
        "requests_per_s": round(len(every) / elapsed, 1),
        "p50_ms": round(statistics.median(every) * 1000, 1) if every else None,
        "p95_ms": round(every[max(0, int(len(every) * 0.95) - 1)] * 1000, 1) if every else None,
        "errors": sum(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--warm-up", type=float, default=10, help="Seconds of requests before measuring.")
    args = parser.parse_args()
    members = prepare(max(args.clients))
    server, port = start_server(args.workers)
    try:
        login(port, "load-controller")
        cookies = [(m, login(port, f"holder{i + 1:03d}")) for i, m in enumerate(members)]
        # warm up: every member's views in every worker (cold caches are bench_portal.py's business)
        run(port, cookies, args.warm_up)
        results = []
        for n in args.clients:
            result = run(port, cookies[:n], args.seconds)
            print(json.dumps(result), file=sys.stderr)
            results.append(result)
    finally:
        stop_server(server)
    target = next((r for r in results if r["clients"] == 20), None)
    print(
        json.dumps(
            {
                "benchmark": "load",
                "workers": args.workers if args.workers > 0 else (1 if args.workers < 0 else os.cpu_count() or 1),
                "cores": os.cpu_count(),
                "seconds": args.seconds,
                "runs": results,
                "target_p95_ms_at_20": 300,
                "meets_target": bool(
                    target and target["p95_ms"] is not None and target["p95_ms"] < 300 and not target["errors"]
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
