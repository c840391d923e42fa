"""Where Mutua keeps its data and who is acting: from flags and ``MUTUA_*`` variables."""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mutua.platform.i18n import LANGUAGES


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'mutua.sqlite'}"


@dataclass(frozen=True)
class Settings:
    """Where Mutua keeps its data and who is acting.

    Attributes:
        data_dir: the folder of the embedded files (SQLite database, Parquet events, documents).
        database_url: a PostgreSQL (or other) URL; when None the SQLite file in data_dir is used.
        actor: the name written in the audit trail.
        language: the language (``nl``, ``fr``, ``en``) in which commands say what went wrong.
    """

    data_dir: Path
    database_url: str | None = None
    actor: str = "system"
    language: str = "en"

    @classmethod
    def from_env(
        cls,
        data_dir: Path | None = None,
        database_url: str | None = None,
        actor: str | None = None,
        language: str | None = None,
    ) -> Settings:
        env = os.environ
        return cls(
            data_dir=Path(data_dir or env.get("MUTUA_DATA_DIR") or "var").resolve(),
            database_url=database_url or env.get("MUTUA_DATABASE_URL") or None,
            actor=actor or env.get("MUTUA_ACTOR") or _user(),
            language=command_language(language or env.get("MUTUA_LANG"), env),
        )

    @property
    def url(self) -> str:
        return self.database_url or sqlite_url(self.data_dir)


def command_language(chosen: str | None, env: Mapping[str, str]) -> str:
    """The language of a command's messages: the one chosen (``--lang``, ``MUTUA_LANG``), else the
    system's (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``nl_BE.UTF-8`` is Dutch), else English.

    >>> command_language("FR", {}), command_language(None, {"LANG": "nl_BE.UTF-8"})
    ('fr', 'nl')
    >>> command_language(None, {"LANG": "C.UTF-8"}), command_language(None, {}), command_language("", {})
    ('en', 'en', 'en')
    """
    if chosen is not None and chosen.strip():  # an empty MUTUA_LANG is as good as none
        code = chosen.strip().lower()[:2]
        if code not in LANGUAGES:
            raise ValueError(f"not a language of Mutua (nl, fr, en): {chosen}")
        return code
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            code = value.strip().lower()[:2]
            return code if code in LANGUAGES else "en"
    return "en"


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user database in some containers
        return "system"
