"""What the metering use cases need, as Protocols (no framework).

- :class:`UnitOfWork`: one transaction with what metering reads of the other contexts (the cost
  model, the engagements, the closed periods) and writes into the charging context (the metered
  usage of a period, replaced whole), with the audit trail and the import batches.
- :class:`EventStore`: the usage events themselves, stored exactly once (the adapter on Parquet,
  DuckDB and a write-ahead store is :class:`mutua.metering.store.DuckEventStore`; the unit tests'
  fake keeps them in memory). It has no transaction of its own with the database: the use cases
  record in the database only what the store has committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from mutua.costing.domain.meters import Meter
from mutua.costing.domain.model import CostModel
from mutua.kernel.periods import Period
from mutua.kernel.ports import ImportLog, Transaction
from mutua.metering.catalogue import Catalogue
from mutua.metering.domain import IngestResult, StoreStats, Total
from mutua.metering.views import RollupUsage
from mutua.registry.domain import Engagement

ProgressFn = Callable[[str, float], None]
"""Told what an ingestion is doing and how far it is (0 to 1)."""

UsageKey = tuple[str, str, int]
"""(engagement code, service, origin period YYYYMM): what a metered quantity is about."""


# -- what metering reads and writes of the other contexts -------------------------------------


class CostingData(Protocol):
    def cost_model(self) -> tuple[int, CostModel]:
        """The model in force (its id, the model); a Conflict when none was imported."""
        ...


class RegistryData(Protocol):
    def engagements(self, member: str | None = None, code: str | None = None) -> list[Engagement]: ...


class ChargingData(Protocol):
    """The close's usage as metering feeds it."""

    def closed_periods(self) -> set[int]:
        """The periods locked by a close (YYYYMM)."""
        ...

    def replace_metered_usage(self, period: Period, quantities: Mapping[UsageKey, Decimal], batch_id: int) -> None:
        """Replace the usage that metering wrote for ``period`` (source ``metering``) by
        ``quantities``, recorded under the import batch ``batch_id``."""
        ...

    def metered_quantities(self, period: Period) -> dict[UsageKey, Decimal]:
        """The quantities metering last wrote for ``period``."""
        ...


class UnitOfWork(Transaction, Protocol):
    """What metering's use cases ask of a unit of work."""

    @property
    def batches(self) -> ImportLog: ...

    @property
    def costing(self) -> CostingData: ...

    @property
    def registry(self) -> RegistryData: ...

    @property
    def charging(self) -> ChargingData: ...


# -- the events ---------------------------------------------------------------------------------


class EventStore(Protocol):
    """Usage events stored exactly once, by the period they are charged in.

    Each ingestion validates against a :class:`Catalogue`, drops the events already taken (by
    their CloudEvents ``(source, id)``) and commits the rest durably, or nothing."""

    def ingest_files(
        self, catalogue: Catalogue, paths: Sequence[Path], progress: Callable[[Path], ProgressFn | None]
    ) -> Iterator[IngestResult]:
        """Take files of CloudEvents (JSON lines, CSV or Parquet) one after the other: one commit
        each, each result given once committed (the next file may be read and validated
        meanwhile). An unreadable file is :class:`~mutua.kernel.problems.Rejected` whole, and
        the files after it are not taken. ``progress(path)``: told how that file goes."""
        ...

    def flush(self, catalogue: Catalogue) -> Iterator[IngestResult]:
        """Move the events acknowledged over HTTP into the store: one result per commit, given
        once that commit is durable."""
        ...

    def pending_http_events(self) -> int:
        """Events acknowledged over HTTP and not yet in the store's committed events."""
        ...

    def sealed(self) -> set[int]:
        """The periods sealed by a materialisation (YYYYMM)."""
        ...

    def seal(self, period: Period) -> None:
        """From now on, an event of ``period`` is late: charged in the next open period."""
        ...

    def aggregate(self, period: Period, meters: Sequence[Meter] = ()) -> list[Total]:
        """The monthly totals of the events charged in ``period``; ``meters`` (the model's) say
        which carry their state in from the earlier months (without, none does)."""
        ...

    def usage(self, period: Period, member: str | None = None, meter: str | None = None) -> list[RollupUsage]:
        """``period``'s rollups summed per member, engagement, meter and origin period."""
        ...

    def stats(self) -> StoreStats: ...
