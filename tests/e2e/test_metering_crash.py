"""Kill the ingesting server (SIGKILL to its supervisor and both workers) in the middle of a stream
of batches, restart it, re-send everything unacknowledged: every acknowledged event is stored
exactly once."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy import Engine

from mutua.bootstrap import migrate
from mutua.kernel.periods import Period
from mutua.metering import service as metering
from mutua.metering.senders import SenderKeys
from mutua.metering.store import DuckEventStore
from mutua.platform.db.engine import make_engine
from mutua.platform.settings import sqlite_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from metering_support import MEMBERS, build_association, event

BATCHES = 60
HEADERS: dict[str, str] = {}
PER_BATCH = 100


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-c",
        "from mutua.bootstrap import main; main()",
        "--data-dir",
        str(data_dir),
        "metering",
        "serve",
        "--port",
        str(port),
        "--flush-events",
        "700",
        "--workers",
        "2",
    ]
    log = data_dir / f"server-{port}-{time.monotonic_ns()}.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=sink, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
        if proc.poll() is not None:
            raise AssertionError(log.read_text())
    raise AssertionError("the server did not start")


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    engine: Engine = make_engine(sqlite_url(tmp_path))
    migrate(engine)
    build_association(engine, tmp_path)
    engine.dispose()
    _, key = SenderKeys(tmp_path).create("crash test", ["*"], ["*"])
    HEADERS.update({"authorization": f"Bearer {key}", "content-type": "application/cloudevents-batch+json"})
    yield tmp_path


def _batch(b: int) -> bytes:
    return orjson.dumps([event(f"b{b}-{i}", subject=MEMBERS[(b + i) % 3]) for i in range(PER_BATCH)])


def test_killing_the_server_mid_stream_loses_no_acknowledged_event_and_counts_none_twice(data_dir: Path) -> None:
    port = _free_port()
    server = _start(data_dir, port)
    acked: set[int] = set()
    rng = random.Random(5)
    killer = threading.Timer(0, lambda: None)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        for b in range(BATCHES):
            if b == 25:
                killer = threading.Timer(rng.uniform(0.0, 0.05), os.killpg, (server.pid, signal.SIGKILL))
                killer.start()
            try:
                answer = client.post("/events", headers=HEADERS, content=_batch(b)).json()
            except httpx.TransportError:
                continue  # not acknowledged: will be re-sent
            assert answer["accepted"] + answer["duplicates"] == PER_BATCH
            acked.add(b)
    killer.join()
    server.wait(timeout=10)
    assert server.returncode == -signal.SIGKILL
    assert 25 <= len(acked) < BATCHES

    server = _start(data_dir, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for b in range(BATCHES):
                if b not in acked or b < 3:  # the unacknowledged ones, and a few acknowledged ones again
                    answer = client.post("/events", headers=HEADERS, content=_batch(b)).json()
                    assert answer["accepted"] + answer["duplicates"] == PER_BATCH
                    if b in acked:
                        assert answer["duplicates"] == PER_BATCH
            client.post("/flush", headers=HEADERS).raise_for_status()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    stats = metering.stats(DuckEventStore(data_dir))
    assert stats.pending_http_events == 0
    assert stats.stored_events == stats.claimed_keys == BATCHES * PER_BATCH
    totals = metering.aggregate_period(DuckEventStore(data_dir), Period(2025, 3))
    assert sum(t.events for t in totals if t.meter == "api_calls") == BATCHES * PER_BATCH
