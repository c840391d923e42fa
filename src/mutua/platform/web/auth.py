"""Authentication for the portal and the API: sessions, bearer tokens, CSRF, login throttling.

- The portal keeps the username, a CSRF token and the language in a signed session cookie
  (Starlette's ``SessionMiddleware``, ``itsdangerous``); every form POST carries the CSRF token.
- The API accepts the same session (then writes need the ``X-CSRF-Token`` header) or a bearer
  token from ``POST /api/v1/token`` (signed, 8 hours), which needs no CSRF token.
- Login is throttled per (username, client address) with an exponential delay: after ``limit``
  failed attempts the next one must wait ``base`` seconds, then twice as long after each further
  failure (at most ``ceiling``); a success forgets the pair. The real user at another address is
  never locked out by someone guessing elsewhere. Checking and counting happen under one lock, so
  simultaneous guesses get no more password checks than allowed; the table keeps at most
  ``max_keys`` pairs (least recently used first out) and usernames longer than 100 characters
  are refused before anything is kept. The client address is the connection's, or
  ``X-Forwarded-For``'s only when the connection comes from a trusted proxy
  (``MUTUA_TRUSTED_PROXIES``).
- Every account has a token version, carried in the session cookie and in bearer tokens and
  checked on every request: logout, a password or role change and disabling raise it, ending
  every session and token of the account (a copied cookie stops working).
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import Depends
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request

from mutua.kernel.access import Forbidden, Role, Unauthenticated, User, permission_of
from mutua.kernel.throttle import Attempts, ThrottlePolicy, throttle_key

TOKEN_SECONDS = 8 * 3600


class Accounts(Protocol):
    """The user accounts, as sessions, tokens and OpenID Connect need them. The access context
    implements it; the composition root hands it to the app (``Context.accounts``)."""

    def find(self, username: str) -> User | None:
        """The active user with this name, or None."""
        ...

    def signed_in(self, username: str, version: int) -> User | None:
        """The active user with this name if sessions and tokens of token version ``version`` are
        still valid (not ended by a logout, password or role change, or disabling), else None."""
        ...

    def version(self, username: str) -> int | None:
        """The account's token version (a new session or token carries it)."""
        ...

    def end_sessions(self, username: str) -> None:
        """End every session and token of the account (logout)."""
        ...

    def from_identity(self, subject: str, username: str, role: Role, member: str | None, name: str) -> User:
        """The account of an OpenID Connect subject (created on first login; the role is the
        identity provider's)."""
        ...


class NoAccounts:
    """No accounts wired: nobody is found, nobody logs in."""

    def find(self, username: str) -> User | None:
        return None

    def signed_in(self, username: str, version: int) -> User | None:
        return None

    def version(self, username: str) -> int | None:
        return None

    def end_sessions(self, username: str) -> None:
        return None

    def from_identity(self, subject: str, username: str, role: Role, member: str | None, name: str) -> User:
        raise Unauthenticated("no user accounts in this application")


class Throttle(Protocol):
    """Where failed logins are counted (the rule is :class:`mutua.kernel.throttle.ThrottlePolicy`).
    The served portal counts them in the database (the access context's ``SqlLoginThrottle``), so
    every worker process sees the same guesses; :class:`LoginThrottle` counts them in memory."""

    def attempt(self, username: str, address: str) -> None:
        """Allow one password check for the pair now, or raise :class:`TooManyAttempts` (429)."""
        ...

    def succeeded(self, username: str, address: str) -> None:
        """Forget the pair's failures (the password was right)."""
        ...


@dataclass
class LoginThrottle:
    """Failed logins per (username, client address) in this process's memory, under a lock: for
    an app without a database throttle (tests, a single process). Pairs quiet for ``forget`` seconds
    are dropped; at most ``max_keys`` pairs are kept (the least recently used is dropped first)."""

    limit: int = 5
    base: float = 1.0
    ceiling: float = 900.0
    forget: float = 3600.0
    max_keys: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _table: OrderedDict[tuple[str, str], Attempts] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def policy(self) -> ThrottlePolicy:
        return ThrottlePolicy(self.limit, self.base, self.ceiling, self.forget, self.max_keys)

    def delay(self, failures: int) -> float:
        """The wait after ``failures`` failed attempts."""
        return self.policy.delay(failures)

    def attempt(self, username: str, address: str) -> None:
        """Allow one password check for the pair now, or refuse (429, with the seconds to wait)."""
        key = throttle_key(username, address)
        policy = self.policy
        with self._lock:
            try:
                self._table[key] = policy.attempt(self._table.get(key), self.clock())
            finally:
                if key in self._table:
                    self._table.move_to_end(key)
            while len(self._table) > self.max_keys:
                self._table.popitem(last=False)

    def succeeded(self, username: str, address: str) -> None:
        key = throttle_key(username, address)
        with self._lock:
            self._table.pop(key, None)

    def __len__(self) -> int:
        return len(self._table)


def trusted_networks(spec: str | Iterable[str] | None) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The proxies whose ``X-Forwarded-For`` is believed: addresses or networks, comma-separated."""
    items = spec.split(",") if isinstance(spec, str) else list(spec or ())
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


def _is_trusted(address: str, networks: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: Request, trusted: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network] = ()) -> str:
    """The client's address: the connection's, or, when the connection comes from a trusted proxy,
    the last address in ``X-Forwarded-For`` that is not itself a trusted proxy."""
    networks = tuple(trusted)
    address = request.client.host if request.client else "?"
    if not networks or not _is_trusted(address, networks):
        return address
    forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",") if a.strip()]
    for hop in reversed(forwarded):
        if not _is_trusted(hop, networks):
            return hop[:64]
    return forwarded[0][:64] if forwarded else address


class Tokens:
    """Signed, expiring API bearer tokens naming a user."""

    def __init__(self, secret: str) -> None:
        self._s = URLSafeTimedSerializer(secret, salt="mutua-api-token")

    def issue(self, username: str, version: int = 0) -> str:
        return self._s.dumps({"u": username, "v": version})

    def holder(self, token: str) -> tuple[str, int] | None:
        """The username and token version a valid token names, else None."""
        try:
            data = self._s.loads(token, max_age=TOKEN_SECONDS)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        name, version = data.get("u"), data.get("v")
        if not isinstance(name, str) or not isinstance(version, int):
            return None
        return name, version

    def username(self, token: str) -> str | None:
        found = self.holder(token)
        return None if found is None else found[0]


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, sent: str | None) -> None:
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not sent or not secrets.compare_digest(expected, sent):
        raise Forbidden("missing or wrong CSRF token: reload the page and try again")


def login_session(request: Request, user: User, version: int | None = None) -> None:
    """Start a new session of ``user`` carrying its token version (looked up when not given)."""
    if version is None:
        version = request.app.state.ctx.accounts.version(user.username) or 0
    lang = request.session.get("lang")
    request.session.clear()
    request.session["user"] = user.username
    request.session["v"] = version
    request.session["csrf"] = secrets.token_urlsafe(32)
    if lang:
        request.session["lang"] = lang


def end_session(request: Request) -> None:
    """Forget the session (keeping the chosen language)."""
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang


def current_user(request: Request, accounts: Accounts, tokens: Tokens) -> tuple[User, bool]:
    """The user making the request and whether it came through the session (cookie). The session
    or token must carry the account's current token version."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = tokens.holder(header[7:].strip())
        user = accounts.signed_in(*found) if found else None
        if user is None:
            raise Unauthenticated("invalid or expired token")
        return user, False
    name, version = request.session.get("user"), request.session.get("v")
    user = accounts.signed_in(name, version) if isinstance(name, str) and isinstance(version, int) else None
    if user is None:
        raise Unauthenticated("log in first")
    return user, True


def permitting(use_case: Callable[..., Any], user_of: Callable[..., User]) -> Any:
    """A dependency giving the user (found by ``user_of``) allowed to run ``use_case``: its declared
    :class:`Permission`, checked against the path's ``enterprise_number`` for a member-scoped one."""
    permission = permission_of(use_case)

    def allowed(request: Request, user: User = Depends(user_of)) -> User:  # noqa: B008 - FastAPI's way
        permission.check(user, request.path_params.get("enterprise_number"))
        return user

    allowed.permission = permission  # type: ignore[attr-defined]  # read by the isolation walk
    return Depends(allowed)
