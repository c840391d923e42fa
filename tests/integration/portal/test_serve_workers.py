"""`mutua serve --workers N`: several worker processes over one database share the sessions (signed
cookies with the session secret made once, and a token version per user in the database)."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from mutua.bootstrap import create_app, migrate
from mutua.platform.db.engine import make_engine
from mutua.platform.settings import Settings, sqlite_url
from portal_world import MEMBER_A, PASSWORD, build


def _world(folder: Path) -> None:
    engine = make_engine(sqlite_url(folder))
    migrate(engine)
    build(engine, folder / "input")
    engine.dispose()


def _login(client: TestClient, username: str) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    answer = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def test_a_session_begun_on_one_worker_is_honoured_and_ended_on_another(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(engine, tmp_path / "input")
    monkeypatch.delenv("MUTUA_SECRET_KEY", raising=False)  # the secret: a file in the data dir, made once

    def worker() -> TestClient:  # a worker's own app: its own caches and throttle, the same database
        return TestClient(create_app(engine=engine, settings=Settings(tmp_path, None, "test"), charts=False))

    first, second = worker(), worker()
    _login(first, "holder-a")
    second.cookies = first.cookies
    assert second.get(f"/members/{MEMBER_A}").status_code == 200
    assert second.get(f"/api/v1/members/{MEMBER_A}/dashboard").json()["member"]["enterprise_number"] == MEMBER_A
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', second.get(f"/members/{MEMBER_A}").text)
    assert csrf is not None
    assert second.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False).status_code == 303
    first.cookies = second.cookies
    gone = first.get(f"/api/v1/members/{MEMBER_A}/dashboard")
    assert gone.status_code == 401


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # a new connection: any worker
    conn.request("GET", path, headers=headers)
    answer = conn.getresponse()
    answer.read()
    conn.close()
    return answer


def _workers(pid: int) -> set[int]:
    """The uvicorn worker processes of the server ``pid`` (spawned children, not a resource tracker)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"spawn_main" in command and b"resource_tracker" not in command:
                found.add(int(child))
    return found


def _log_in_over_http(port: int, username: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    page = conn.getresponse()
    cookie = page.getheader("set-cookie", "").split(";", 1)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode())
    assert token is not None
    body = urlencode({"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
    conn.request("POST", "/login", body, {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    answer = conn.getresponse()
    answer.read()
    assert answer.status == 303
    session = answer.getheader("set-cookie", "").split(";", 1)[0]
    conn.close()
    return session


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the worker processes in /proc")
def test_serve_with_two_workers_starts_both_and_serves_a_logged_in_session_on_every_connection(
    tmp_path: Path,
) -> None:
    _world(tmp_path)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("MUTUA_DATABASE_URL", "MUTUA_SECRET_KEY")}
    mutua = [sys.executable, "-c", "from mutua.bootstrap import main; main()", "--data-dir", str(tmp_path)]
    server = subprocess.Popen(
        [*mutua, "serve", "--port", str(port), "--workers", "2"],
        env={**env, "MUTUA_SECURE": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "mutua serve stopped"
            assert time.monotonic() < deadline, "mutua serve did not start two workers"
            try:
                if len(_workers(server.pid)) == 2 and _get(port, "/login", {}).status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        cookie = _log_in_over_http(port, "holder-a")
        assert cookie.startswith("mutua_session=")
        answers = [_get(port, f"/api/v1/members/{MEMBER_A}/dashboard", {"Cookie": cookie}) for _ in range(20)]
        assert [a.status for a in answers] == [200] * 20
        assert _get(port, f"/members/{MEMBER_A}", {"Cookie": cookie}).status == 200
        assert _get(port, f"/api/v1/members/{MEMBER_A}/dashboard", {}).status == 401
        assert len(_workers(server.pid)) == 2
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
