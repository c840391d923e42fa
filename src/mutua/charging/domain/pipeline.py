"""A small runner for pipelines of named stages (in the manner of beancount's loader).

Each stage is a plain function: it takes records and returns records (and problems). The runner
only names and times the stages, so that a close can say where its time went::

    >>> timings = Timings()
    >>> timings.run("double", lambda x: 2 * x, 21)
    42
    >>> list(timings.stages)
    ['double']
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class Timings:
    """How long each stage took, in seconds, in the order the stages ran (a stage run twice adds up)."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name`` (for a stage that is not one function call: a write)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - start

    def run(self, name: str, stage: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``stage(*args, **kwargs)`` as stage ``name``; returns what it returns."""
        with self.stage(name):
            return stage(*args, **kwargs)

    def total(self) -> float:
        return sum(self.stages.values())
