"""The event store's files on disk and their commit point, ``manifest.json``.

Layout under the data dir's ``metering/`` folder::

    manifest.json                         the commit point: names every file that counts
    events/period=YYYYMM/<segment>_*.parquet   one row per event and meter (segments.FAMILY_COLUMNS)
    keys/bNN/<segment>.{hi,lo}.npy        claimed identities, sorted runs per bucket (dedup.py)
    keys/filter-<segment>.npy             the store-wide filter of the claimed keys, and
    keys/delta-<segment>.npy              the keys of the commits since it last took them in
    rollups/period=YYYYMM/<segment>.parquet    rollups per member, engagement, meter and origin
                                          month (with its last day): one file per commit, merged
                                          into one when a period has more than MAX_ROLLUPS (so a
                                          view reads few files)
    wal.sqlite                            events acknowledged over HTTP, not yet in a segment
    fold.lock                             held while deltas are folded into the key filter's base

**Commit.** A segment's event files, key runs and rollups are written under new names and
fsynced; then ``manifest.json`` is replaced atomically (write, fsync, rename, fsync the folder).
Before the rename nothing of the segment counts (its files are orphans, removed by the next
writer); after it, all of it does. Identity claims and stored events therefore change together.
One writer at a time holds ``lock`` (``flock``).
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mutua.metering import dedup


def metering_root(data_dir: Path) -> Path:
    return data_dir / "metering"


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_parents(root: Path, paths: Sequence[Path]) -> None:
    """Make the new files' directory entries durable: each folder written into, and the folders
    above it up to ``root`` (a folder may be new)."""
    folders: set[Path] = set()
    for path in paths:
        folder = path.parent
        while folder != root and folder not in folders and root in folder.parents:
            folders.add(folder)
            folder = folder.parent
    for folder in sorted(folders, key=lambda f: -len(f.parts)):
        fsync_dir(folder)
    fsync_dir(root)


class ManifestStore:
    """The store's folder ``root``: its manifest, the single-writer lock, seals and orphan cleanup."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.manifest_path = root / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {"version": 0, "segments": [], "keys": {}, "rollups": {}}
        return data

    def commit(self, manifest: dict[str, Any]) -> None:
        """Replace the manifest atomically: the commit point."""
        manifest["version"] = int(manifest.get("version", 0)) + 1
        tmp = self.root / f"manifest.{uuid.uuid4().hex}.tmp"
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(manifest, f, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(self.manifest_path)
        fsync_dir(self.root)

    def manifest_stamp(self) -> tuple[int, int, int]:
        """Changes with every commit (each one is a new file renamed into place)."""
        try:
            st = self.manifest_path.stat()
        except FileNotFoundError:
            return (0, 0, 0)
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """The single-writer lock (released by the OS if the process dies)."""
        with (self.root / "lock").open("a+") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    @contextmanager
    def writer(self) -> Iterator[dict[str, Any]]:
        """The single writer's turn: the lock, and the manifest as it stands (orphans removed)."""
        with self.lock():
            manifest = self.manifest()
            self.remove_orphans(manifest)
            yield manifest

    def referenced(self, manifest: Mapping[str, Any]) -> set[str]:
        names: set[str] = set()
        for seg in manifest["segments"]:
            for files in seg["files"].values():
                names.update(files)
        for runs in manifest["keys"].values():
            for run in runs:
                names.update(dedup.run_files(run))
        for files in manifest["rollups"].values():
            names.update(files)
        if manifest.get("filter"):  # the store-wide key filter (dedup.py)
            names.add(manifest["filter"]["name"])
            names.update(manifest["filter"].get("deltas", []))
        return names

    def remove_orphans(self, manifest: Mapping[str, Any]) -> int:
        """Delete files no commit names (left by a writer that died before its commit)."""
        keep = self.referenced(manifest)
        removed = 0
        for folder in ("events", "keys", "rollups"):
            base = self.root / folder
            if not base.exists():
                continue
            for path in base.rglob("*"):
                if path.is_file() and str(path.relative_to(self.root)) not in keep:
                    path.unlink()
                    removed += 1
        for tmp in self.root.glob("manifest.*.tmp"):
            tmp.unlink()
        return removed

    def sealed(self) -> set[int]:
        """Periods materialised for the close: new events for them are charged in the next open one."""
        return {int(p) for p in self.manifest().get("sealed", [])}

    def seal(self, period_key: int) -> None:
        """Seal a period (a commit of its own; a writer in progress finishes first)."""
        with self.lock():
            manifest = self.manifest()
            sealed = set(manifest.get("sealed", []))
            if period_key not in sealed:
                manifest["sealed"] = sorted(sealed | {period_key})
                self.commit(manifest)
