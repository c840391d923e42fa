"""The login throttle counted in the database: every worker of `mutua serve --workers N` sees the
same guesses (N workers do not give N x 5 free attempts), simultaneous guesses over separate
connections get no more password checks than allowed, and the table stays bounded."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from mutua.access.db import SqlLoginThrottle, login_attempts
from mutua.bootstrap import create_app
from mutua.kernel.access import Unauthenticated
from mutua.kernel.throttle import ThrottlePolicy, TooManyAttempts
from mutua.platform.settings import Settings
from portal_world import PASSWORD, build


def _rows(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(login_attempts)).scalar_one())


def test_pairs_wait_exponentially_are_forgotten_on_success_and_no_name_is_stored(engine: Engine) -> None:
    now = [1_000.0]
    throttle = SqlLoginThrottle(engine, ThrottlePolicy(limit=3, base=2.0), clock=lambda: now[0])
    for _ in range(3):
        throttle.attempt("Controller", "203.0.113.9")
    with pytest.raises(TooManyAttempts) as early:
        throttle.attempt("controller", "203.0.113.9")  # the same pair, whatever the case
    assert early.value.retry_after == 2
    throttle.attempt("controller", "192.0.2.10")  # the real user at the office is not locked out
    now[0] += 2.0
    throttle.attempt("controller", "203.0.113.9")  # waited 2 s: one more check, then 4 s
    with pytest.raises(TooManyAttempts) as doubled:
        throttle.attempt("controller", "203.0.113.9")
    assert doubled.value.retry_after == 4
    throttle.succeeded("controller", "192.0.2.10")
    assert len(throttle) == 1
    with engine.connect() as c:
        stored = " ".join(str(v) for row in c.execute(select(login_attempts)) for v in row)
    assert "controller" not in stored and "203.0.113.9" not in stored


def test_the_table_is_bounded_and_quiet_pairs_are_dropped(engine: Engine) -> None:
    now = [0.0]
    throttle = SqlLoginThrottle(engine, ThrottlePolicy(max_keys=20, forget=600.0), clock=lambda: now[0])
    for i in range(50):
        now[0] += 1.0
        throttle.attempt(f"user{i}", "203.0.113.9")
    assert _rows(engine) == 20
    with pytest.raises(Unauthenticated):
        throttle.attempt("x" * 1_000_000, "203.0.113.9")
    assert _rows(engine) == 20
    now[0] += 3_600.0
    throttle.attempt("late", "203.0.113.9")  # a new pair sweeps the quiet ones away
    assert _rows(engine) == 1


def test_simultaneous_guesses_on_separate_connections_get_at_most_the_limit(engine: Engine) -> None:
    throttle = SqlLoginThrottle(engine, ThrottlePolicy(limit=5, base=60.0))
    allowed: list[int] = []
    refused: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(30)

    def guess(i: int) -> None:
        start.wait()
        try:
            throttle.attempt("controller", "203.0.113.9")
            allowed.append(i)
        except TooManyAttempts:
            refused.append(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(allowed) == 5 and len(refused) == 25


def test_two_workers_share_one_count(engine: Engine, tmp_path: Path) -> None:
    build(engine, tmp_path / "input")

    def worker() -> TestClient:  # each worker has its own app and throttle (and process, in `mutua serve`)
        throttle = SqlLoginThrottle(engine, ThrottlePolicy(limit=5, base=600.0))  # a slow machine: no wait ends
        app = create_app(
            engine=engine, settings=Settings(tmp_path, None, "test"), charts=False, secret_key="s", throttle=throttle
        )
        return TestClient(app, client=("203.0.113.9", 4000))

    first, second = worker(), worker()
    for client in (first, second, first, second, first):
        r = client.post("/api/v1/token", data={"username": "ctrl", "password": "wrong password!"})
        assert r.status_code == 401
    for client in (second, first):  # five failures between them: both workers now make the guesser wait
        blocked = client.post("/api/v1/token", data={"username": "ctrl", "password": PASSWORD})
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    office = TestClient(first.app, client=("192.0.2.10", 4000))
    assert office.post("/api/v1/token", data={"username": "ctrl", "password": PASSWORD}).status_code == 200
