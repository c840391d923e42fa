"""The write-ahead store of the HTTP path: acknowledged events not yet in a Parquet segment.

One SQLite file (WAL journal, ``synchronous=FULL``: a commit is on disk when it returns), one
append-only table with a row per accepted *batch*: its events' keys (16 bytes each: the MD5
digest, i.e. ``md5_number`` little-endian), who each event is charged to, and the events as
received. A row *is* the claim of its keys. Writers (any number of server processes) claim under
SQLite's write lock (``BEGIN IMMEDIATE``): read the rows added since they last looked, check the
batch against those and the Parquet store's claimed keys, append, commit, answer. So a batch is
stored and claimed together, or neither, and two processes never take the same event.

``seq`` only grows (AUTOINCREMENT). A flush moves the rows up to some ``seq`` into a Parquet
segment and records that ``seq`` in the same manifest commit (``wal_seq``); rows at or below it
are then deleted here. A row deleted is therefore always in a committed segment first.
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson

KEY_BYTES = 16

SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    n INTEGER NOT NULL,
    keys BLOB NOT NULL,
    who BLOB NOT NULL,
    events BLOB NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class Batch:
    """One accepted batch as stored.

    Attributes:
        seq: its place in the log.
        keys: the events' 16-byte keys, concatenated.
        who: ``[[member, engagement], ...]`` per event (JSON).
        events: the CloudEvents as received (a JSON array).
    """

    seq: int
    n: int
    keys: bytes
    who: bytes
    events: bytes


def split_keys(keys: bytes) -> list[bytes]:
    """A batch's concatenated keys, one 16-byte key each."""
    return [keys[i : i + KEY_BYTES] for i in range(0, len(keys), KEY_BYTES)]


class WriteAhead:
    """The pending batches of one data dir (shared by every server process)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # writers queue on this file's lock before SQLite's: a waiter wakes as soon as the lock is
        # free (SQLite's busy handler sleeps 1, 2, 5, 10... ms between tries, idle time under load)
        self._turn = path.with_name(path.name + ".lock").open("a+b")
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA busy_timeout=60000")
        self.db.execute(SCHEMA)
        self._upgrade_row_per_event()

    def close(self) -> None:
        self.db.close()
        self._turn.close()

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Cursor]:
        """The write lock, one transaction: committed (durably) on leaving, rolled back on error."""
        fcntl.flock(self._turn.fileno(), fcntl.LOCK_EX)
        try:
            cur = self.db.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
        finally:
            fcntl.flock(self._turn.fileno(), fcntl.LOCK_UN)

    @staticmethod
    def append(cur: sqlite3.Cursor, keys: bytes, who: bytes, events: bytes, n: int) -> int:
        """Add a batch inside :meth:`writing`; returns its seq."""
        cur.execute("INSERT INTO batches (n, keys, who, events) VALUES (?, ?, ?, ?)", (n, keys, who, events))
        seq = cur.lastrowid
        assert seq is not None
        return int(seq)

    @staticmethod
    def keys_after(cur: sqlite3.Cursor, seq: int) -> list[tuple[int, bytes]]:
        """(seq, keys) of the batches after ``seq``, in order."""
        rows = cur.execute("SELECT seq, keys FROM batches WHERE seq > ? ORDER BY seq", (seq,)).fetchall()
        return [(int(s), bytes(k)) for s, k in rows]

    def last_seq(self) -> int:
        """The seq of the last batch appended (0 when none ever was)."""
        row = self.db.execute("SELECT coalesce(max(seq), 0) FROM batches").fetchone()
        return int(row[0])

    def read(self, after: int, limit_events: int | None = None, up_to: int | None = None) -> list[Batch]:
        """The batches after ``after`` (and at most ``up_to``) in order, up to about ``limit_events`` events."""
        batches: list[Batch] = []
        total = 0
        for row in self.db.execute(
            "SELECT seq, n, keys, who, events FROM batches WHERE seq > ? AND seq <= ? ORDER BY seq",
            (after, up_to if up_to is not None else 2**62),
        ):
            batches.append(Batch(int(row[0]), int(row[1]), bytes(row[2]), bytes(row[3]), bytes(row[4])))
            total += int(row[1])
            if limit_events is not None and total >= limit_events:
                break
        return batches

    def count(self, after: int = 0) -> int:
        row = self.db.execute("SELECT coalesce(sum(n), 0) FROM batches WHERE seq > ?", (after,)).fetchone()
        return int(row[0])

    def forget(self, up_to_seq: int) -> None:
        """Drop the batches now in a committed segment."""
        with self.writing() as cur:
            cur.execute("DELETE FROM batches WHERE seq <= ?", (up_to_seq,))

    def _upgrade_row_per_event(self) -> None:
        """Move the rows of the first layout (a row per event, table ``pending``) into one batch."""
        found = self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'pending'").fetchone()
        if found is None:
            return
        with self.writing() as cur:
            rows = cur.execute("SELECT hi, lo, member, engagement, event FROM pending ORDER BY seq").fetchall()
            if rows:
                keys = b"".join(
                    (lo % (1 << 64)).to_bytes(8, "little") + (hi % (1 << 64)).to_bytes(8, "little")
                    for hi, lo, _, _, _ in rows
                )
                who = orjson.dumps([[m, e] for _, _, m, e, _ in rows])
                events = b"[" + b",".join(bytes(r[4]) for r in rows) + b"]"
                self.append(cur, keys, who, events, len(rows))
            cur.execute("DROP TABLE pending")
