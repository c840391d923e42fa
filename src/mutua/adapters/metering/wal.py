"""The write-ahead store of the HTTP path: acknowledged events not yet in a Parquet segment.

One SQLite file (WAL journal, ``synchronous=FULL``: a commit is on disk when it returns). An
event's row and its identity claim (the UNIQUE key) go in the same transaction, so a batch is
either stored and claimed or neither; the answer is sent only after the commit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS pending (
    seq INTEGER PRIMARY KEY,
    hi INTEGER NOT NULL,
    lo INTEGER NOT NULL,
    source TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, subject TEXT NOT NULL,
    time TEXT NOT NULL, data TEXT NOT NULL, member TEXT NOT NULL, engagement TEXT NOT NULL,
    UNIQUE (hi, lo)
)
"""
COLUMNS = ("source", "id", "type", "subject", "time", "data", "member", "engagement")


def signed(u: int) -> int:
    """An unsigned 64-bit integer as SQLite's signed one (two's complement)."""
    return u - (1 << 64) if u >= 1 << 63 else u


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

    def claim(self, rows: Sequence[tuple[int, int, str, str, str, str, str, str, str, str]]) -> set[tuple[int, int]]:
        """Store the rows whose key is not pending yet, in one durable transaction; returns the keys stored.

        Callers serialise claims (one writer), so the look-up and the insert see the same state;
        the UNIQUE key still guards against a second writer."""
        stored: set[tuple[int, int]] = set()
        if not rows:
            return stored
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            present: set[tuple[int, int]] = set()
            his = [signed(r[0]) for r in rows]
            for i in range(0, len(his), 900):
                chunk = his[i : i + 900]
                sql = f"SELECT hi, lo FROM pending WHERE hi IN ({','.join('?' * len(chunk))})"
                present.update((hi % (1 << 64), lo % (1 << 64)) for hi, lo in cur.execute(sql, chunk))
            fresh = [r for r in rows if (r[0], r[1]) not in present]
            cur.executemany(
                "INSERT OR IGNORE INTO pending (hi, lo, source, id, type, subject, time, data, member, engagement) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(signed(r[0]), signed(r[1]), *r[2:]) for r in fresh],
            )
            if cur.rowcount != len(fresh):  # another writer claimed some meanwhile: ask which are ours
                raise sqlite3.IntegrityError("concurrent claim")
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return {(r[0], r[1]) for r in fresh}

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM pending").fetchone()[0])

    def read(self, limit: int | None = None) -> tuple[int, list[dict[str, Any]]]:
        """The oldest pending events (up to ``limit``) and the last seq read."""
        sql = f"SELECT seq, {', '.join(COLUMNS)} FROM pending ORDER BY seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = self.db.execute(sql).fetchall()
        last = int(rows[-1][0]) if rows else 0
        return last, [dict(zip(COLUMNS, r[1:], strict=True)) for r in rows]

    def forget(self, up_to_seq: int) -> None:
        """Drop the pending rows now in a committed segment."""
        self.db.execute("DELETE FROM pending WHERE seq <= ?", (up_to_seq,))

    def keys(self) -> Iterable[tuple[int, int]]:
        for hi, lo in self.db.execute("SELECT hi, lo FROM pending"):
            yield hi % (1 << 64), lo % (1 << 64)
