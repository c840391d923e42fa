"""The reading side of the event store: what the manifest names, as files for the aggregation and
the views, counts for the stats, and the claimed keys for deduplication."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mutua.costing.domain.meters import Aggregation, Meter
from mutua.kernel.periods import Period
from mutua.metering import dedup
from mutua.metering.aggregation import AggregationInputs, MeterOptions
from mutua.metering.manifest import ManifestStore


class StoreReader(ManifestStore):
    """The committed contents of the store under ``root``."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._index: tuple[tuple[int, int, int], dedup.KeyIndex, dict[str, Any]] | None = None

    def event_files(self, period: Period | None = None, manifest: Mapping[str, Any] | None = None) -> list[Path]:
        m = manifest or self.manifest()
        files: list[Path] = []
        for seg in m["segments"]:
            for key, names in seg["files"].items():
                if period is None or int(key) == period.key:
                    files.extend(self.root / name for name in names)
        return files

    def aggregation_inputs(self, period: Period, meters: Sequence[Meter] = ()) -> AggregationInputs:
        """What ``period``'s aggregation reads, from one manifest: its event files; the earlier
        periods' rollups when a meter carries a level or balance (a gauge, a recurring sum); the
        earlier periods' unique-count files when a unique count is recurring."""
        m = self.manifest()
        gauges_or_balances = any(mt.carries and mt.aggregation is not Aggregation.UNIQUE_COUNT for mt in meters)
        recurring_uniq = any(mt.recurring and mt.aggregation is Aggregation.UNIQUE_COUNT for mt in meters)
        rollups: list[Path] = []
        uniq: list[Path] = []
        if gauges_or_balances:
            rollups = [
                self.root / name for key, names in m["rollups"].items() if int(key) < period.key for name in names
            ]
        if recurring_uniq:
            uniq = [
                self.root / name
                for seg in m["segments"]
                for key, names in seg["files"].items()
                if int(key) < period.key
                for name in names
                if name.endswith("-1.parquet")
            ]
        return AggregationInputs(
            period,
            tuple(self.event_files(period, m)),
            tuple(sorted(rollups)),
            tuple(sorted(uniq)),
            MeterOptions.of(meters),
        )

    def periods(self) -> list[int]:
        return sorted({int(k) for seg in self.manifest()["segments"] for k in seg["files"]})

    def rollup_files(self, period: Period) -> list[Path]:
        return [self.root / name for name in self.manifest()["rollups"].get(str(period.key), [])]

    def key_index(self) -> dedup.KeyIndex:
        """The claimed keys (cached until the manifest changes)."""
        return self.key_index_and_manifest()[0]

    def key_index_and_manifest(self) -> tuple[dedup.KeyIndex, dict[str, Any]]:
        """The claimed keys and the manifest they come from (one read, consistent)."""
        stamp = self.manifest_stamp()
        if self._index is None or self._index[0] != stamp:
            for attempt in range(10):
                manifest = self.manifest()
                try:
                    index = dedup.KeyIndex(self.root, manifest["keys"], manifest.get("filter"))
                    break
                except FileNotFoundError:  # a writer merged runs away just after our read: read again
                    if attempt == 9:
                        raise
                    time.sleep(0.01)
            self._index = (stamp, index, manifest)
        return self._index[1], self._index[2]

    def stored_events(self) -> int:
        return sum(int(seg["events"]) for seg in self.manifest()["segments"])
