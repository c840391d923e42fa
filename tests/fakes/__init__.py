"""In-memory fakes of the repositories, for unit tests of the services without a database
(cosmicpython's pattern). Each context keeps its fake repositories in ``tests/fakes/<context>.py``;
:class:`FakeUnitOfWork` carries whichever a test needs and behaves as a transaction: everything
its repositories hold is restored on leaving ``with uow:`` without :meth:`commit`.

    uow = FakeUnitOfWork(registry=FakeRegistry(), charging=FakeCharging())
    close_period(uow, Period(2025, 1))
    assert uow.committed
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from types import TracebackType
from typing import Any


class FakeAuditLog:
    def __init__(self, actor: str = "test") -> None:
        self._actor = actor
        self.recorded: list[dict[str, Any]] = []

    @property
    def actor(self) -> str:
        return self._actor

    def record(self, action: str, entity: str, key: str, **detail: Any) -> None:
        self.recorded.append(
            {
                "id": len(self.recorded) + 1,
                "at": datetime.now(UTC).replace(tzinfo=None),
                "actor": self._actor,
                "action": action,
                "entity": entity,
                "entity_key": key,
                "detail": json.dumps(detail, default=str, sort_keys=True),
            }
        )

    def entries(self, limit: int = 100, before: int | None = None) -> list[dict[str, Any]]:
        return [e for e in reversed(self.recorded) if before is None or e["id"] < before][:limit]

    def version(self) -> int:
        return len(self.recorded)


class FakeImportLog:
    def __init__(self) -> None:
        self.batches: list[tuple[str, str, str, int]] = []
        self.targets: list[str] = []

    def hold(self, kind: str, target: str = "") -> None:
        pass  # one thread: nothing to wait for

    def add(self, kind: str, source: str, sha: str, rows: int, target: str = "") -> int:
        self.batches.append((kind, source, sha, rows))
        self.targets.append(target)
        return len(self.batches)

    def with_sha(self, kind: str, sha: str, target: str = "") -> int | None:
        for i, ((k, _, s, _), t) in enumerate(zip(self.batches, self.targets, strict=True), start=1):
            if (k, t, s) == (kind, target, sha):
                return i
        return None


class FakeUnitOfWork:
    """A unit of work over in-memory repositories, given by name (``registry=...``)."""

    def __init__(self, actor: str = "test", **repositories: Any) -> None:
        self.actor = actor
        self.audit = FakeAuditLog(actor)
        self.batches = FakeImportLog()
        self._names = ["audit", "batches", *repositories]
        for name, repository in repositories.items():
            setattr(self, name, repository)
        self.committed = False
        self.commits = 0

    def __enter__(self) -> FakeUnitOfWork:
        self._snapshot = {n: copy.deepcopy(getattr(self, n).__dict__) for n in self._names}
        self.committed = False
        return self

    def commit(self) -> None:
        self.committed = True
        self.commits += 1

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.committed:
            for name, state in self._snapshot.items():
                getattr(self, name).__dict__.clear()
                getattr(self, name).__dict__.update(state)
