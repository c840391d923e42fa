"""The write-ahead store of the HTTP path: acknowledged events not yet in a Parquet segment.

One SQLite file (WAL journal, ``synchronous=FULL``: a commit is on disk when it returns), one
append-only table. A row *is* the claim of its identity: the ingestor keeps the pending keys in a
set rebuilt from this table at start, adds a batch's keys only after its commit, and answers only
then. So a batch is stored and claimed together, or neither; a crash loses only unanswered batches.
The set is bounded by the flush threshold, not by the month: a flush moves the rows into a Parquet
segment and its key runs, then drops them here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS pending (
    seq INTEGER PRIMARY KEY,
    hi INTEGER NOT NULL,
    lo INTEGER NOT NULL,
    member TEXT NOT NULL,
    engagement TEXT NOT NULL,
    event BLOB NOT NULL
)
"""
Row = tuple[int, int, str, str, bytes]
"""(hi, lo, member, engagement, the event's CloudEvents JSON)."""


_HALF = 1 << 63
_WRAP = 1 << 64


def signed(u: int) -> int:
    """An unsigned 64-bit integer as SQLite's signed one (two's complement)."""
    return u - (1 << 64) if u >= 1 << 63 else u


def unsigned(s: int) -> int:
    return s % (1 << 64)


class WriteAhead:
    """The pending events of one data dir."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA busy_timeout=30000")
        self.db.execute(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def append(self, rows: Sequence[Row]) -> None:
        """Store rows in one transaction, durable when this returns (or nothing, if it raises)."""
        if not rows:
            return
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.executemany(
                "INSERT INTO pending (hi, lo, member, engagement, event) VALUES (?, ?, ?, ?, ?)",
                [
                    (hi - _WRAP if hi >= _HALF else hi, lo - _WRAP if lo >= _HALF else lo, m, e, ev)
                    for hi, lo, m, e, ev in rows
                ],
            )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def count(self) -> int:
        row = self.db.execute("SELECT count(*) FROM pending").fetchone()
        return int(row[0])

    def keys(self) -> Iterator[tuple[int, int]]:
        for hi, lo in self.db.execute("SELECT hi, lo FROM pending"):
            yield unsigned(hi), unsigned(lo)

    def read(self, up_to_seq: int | None = None) -> tuple[int, list[tuple[int, int, str, str, bytes]]]:
        """The pending rows (hi, lo, member, engagement, event) in order, and the last seq read."""
        sql = "SELECT seq, hi, lo, member, engagement, event FROM pending"
        params: tuple[int, ...] = ()
        if up_to_seq is not None:
            sql += " WHERE seq <= ?"
            params = (up_to_seq,)
        rows = self.db.execute(sql + " ORDER BY seq", params).fetchall()
        last = int(rows[-1][0]) if rows else 0
        return last, [(unsigned(r[1]), unsigned(r[2]), str(r[3]), str(r[4]), bytes(r[5])) for r in rows]

    def read_last(self) -> tuple[int, int]:
        """The last seq and the number of pending rows."""
        row = self.db.execute("SELECT coalesce(max(seq), 0), count(*) FROM pending").fetchone()
        return int(row[0]), int(row[1])

    def forget(self, up_to_seq: int) -> None:
        """Drop the pending rows now in a committed segment."""
        self.db.execute("DELETE FROM pending WHERE seq <= ?", (up_to_seq,))
