"""What validation needs to know: the meters, the subjects, the periods no longer open and the
receiving clock (built by ``service.load_catalogue`` from the database and the store's seals)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mutua.costing.domain.meters import Meter
from mutua.costing.domain.model import CostModel
from mutua.metering.domain import resolve_subjects, subject_key
from mutua.registry.domain import Engagement


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


def build_catalogue(model: CostModel, engagements: Sequence[Engagement], closed: Iterable[int], now: int) -> Catalogue:
    """The catalogue of a cost model and the engagements: every subject also without its dots and
    spaces (``0406.798.006`` as ``0406798006``), so that a lookup needs no normalising first."""
    subjects = resolve_subjects(engagements, model)
    subjects = {**subjects, **{subject_key(k): v for k, v in subjects.items()}}
    return Catalogue(model.meters, subjects, frozenset(closed), now)


def now_us() -> int:
    return (datetime.now(UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
