"""What the routes share, handed to them by FastAPI's dependency injection (:func:`context`)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from starlette.requests import Request

from mutua.platform.settings import Settings
from mutua.platform.web.auth import Accounts, NoAccounts, Throttle, Tokens

HERE = Path(__file__).parent


class Cache:
    """A bounded memo of read models. Keys name everything a result depends on, including a data
    version (see :func:`mutua.charging.views.data_version`), so an entry is never stale."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any) -> Any:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def __setitem__(self, key: Any, value: Any) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


@dataclass
class Context:
    """What the routes share: the database, settings, tokens, throttle, caches, the user accounts
    (``accounts``), and what a context gives its routes through the composition root
    (``extensions``, by name)."""

    engine: Engine
    settings: Settings
    tokens: Tokens
    throttle: Throttle
    charts: bool
    extensions: Mapping[str, Any] = field(default_factory=dict)
    unit_of_work: Callable[[Engine, str], Any] | None = None
    oidc: bool = False
    cache: Cache = field(default_factory=Cache)
    accounts: Accounts = field(default_factory=NoAccounts)
    trusted_proxies: tuple[Any, ...] = ()  # networks whose X-Forwarded-For names the client (auth.client_address)

    def uow(self, actor: str = "portal") -> Any:
        """A unit of work of the composition root, acting as ``actor`` (the user, for writes)."""
        if self.unit_of_work is None:
            raise RuntimeError("the app was created without a unit of work (use mutua.bootstrap.create_app)")
        return self.unit_of_work(self.engine, actor)


def context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx
