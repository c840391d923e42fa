"""Where Mutua keeps its data and who is acting: from flags and ``MUTUA_*`` variables."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'mutua.sqlite'}"


@dataclass(frozen=True)
class Settings:
    """Where Mutua keeps its data and who is acting.

    Attributes:
        data_dir: the folder of the embedded files (SQLite database, Parquet events, documents).
        database_url: a PostgreSQL (or other) URL; when None the SQLite file in data_dir is used.
        actor: the name written in the audit trail.
    """

    data_dir: Path
    database_url: str | None = None
    actor: str = "system"

    @classmethod
    def from_env(
        cls, data_dir: Path | None = None, database_url: str | None = None, actor: str | None = None
    ) -> Settings:
        env = os.environ
        return cls(
            data_dir=Path(data_dir or env.get("MUTUA_DATA_DIR") or "var").resolve(),
            database_url=database_url or env.get("MUTUA_DATABASE_URL") or None,
            actor=actor or env.get("MUTUA_ACTOR") or _user(),
        )

    @property
    def url(self) -> str:
        return self.database_url or sqlite_url(self.data_dir)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user database in some containers
        return "system"
