"""The close's pipeline: named, timed stages, and the checks that block a close."""

from __future__ import annotations

from mutua.charging.domain import Timings, month_blockers
from mutua.kernel.periods import Period


def test_the_runner_times_each_named_stage_in_the_order_they_ran_and_returns_what_they_return() -> None:
    timings = Timings()
    assert timings.run("double", lambda x: 2 * x, 21) == 42
    assert timings.run("join", "-".join, ["a", "b"]) == "a-b"
    with timings.stage("write"):
        pass
    assert list(timings.stages) == ["double", "join", "write"]
    assert all(seconds >= 0 for seconds in timings.stages.values()) and timings.total() >= 0


def test_a_stage_run_twice_adds_up() -> None:
    timings = Timings()
    timings.run("load", int, "1")
    timings.run("load", int, "2")
    assert list(timings.stages) == ["load"]


def test_a_month_is_blocked_when_closed_already_or_after_an_open_month() -> None:
    assert month_blockers(Period(2025, 1), set()) == []
    assert month_blockers(Period(2025, 2), {202502}) == [
        "period 2025-02 is already closed",
        "close 2025-01 first: periods are closed in order",
    ]
    assert month_blockers(Period(2025, 3), {202501, 202502}) == []
    assert month_blockers(Period(2026, 1), {202501}) == []  # a year starts afresh
