"""What validation needs to know: the meters, the subjects, the periods no longer open and the
receiving clock (read from the database and the store's seals by ``service.load_catalogue``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mutua.costing.domain.meters import Meter


@dataclass(frozen=True)
class Catalogue:
    """What validation needs to know: meters, subjects, locked periods and the clock.

    Attributes:
        meters: the cost model's meters.
        subjects: subject -> (member, engagement), see ``domain.metering.resolve_subjects``.
        closed: the locked periods (YYYYMM).
        now_us: the receiving clock, microseconds since the epoch.
    """

    meters: tuple[Meter, ...]
    subjects: Mapping[str, tuple[str, str]]
    closed: frozenset[int]
    now_us: int

    def by_type(self) -> dict[str, list[Meter]]:
        result: dict[str, list[Meter]] = {}
        for m in self.meters:
            result.setdefault(m.event_type, []).append(m)
        return result


def now_us() -> int:
    return (datetime.now(UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
