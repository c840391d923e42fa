"""The state of one ``mutua`` invocation: the settings from the global options, and what the
composition root gives the commands (an engine, units of work, the web app)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from mutua.platform.settings import Settings


@dataclass(frozen=True)
class Runtime:
    """The composition root's factories, handed to the commands (they never import it).

    Attributes:
        open_engine: the migrated engine that the settings name.
        unit_of_work: a unit of work over an engine, acting as a user.
        create_app: the web application (portal and API) over an engine.
        app_from_env: the import string (``module:name``) of a factory of that application from
            ``MUTUA_*`` variables, for server worker processes (``mutua serve --workers``).
        glossary: the names of the cost model in force (services, centres, accounts, units) in a
            language, ``{plain name: translation}``, over a unit of work (the reports' names).
    """

    open_engine: Callable[[Settings], Engine]
    unit_of_work: Callable[[Engine, str], Any]
    create_app: Callable[..., Any]
    app_from_env: str = ""
    glossary: Callable[[Any, str], Mapping[str, str]] | None = None


class State:
    settings: Settings
    runtime: Runtime
    _engine: Engine | None = None

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self.runtime.open_engine(self.settings)
        return self._engine

    def uow(self) -> Any:
        """A unit of work acting as the settings' actor (every context's repositories)."""
        return self.runtime.unit_of_work(self.engine(), self.settings.actor)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


state = State()
