"""Authentication for the portal and the API: sessions, bearer tokens, CSRF, login throttling.

- The portal keeps the username, a CSRF token and the language in a signed session cookie
  (Starlette's ``SessionMiddleware``, ``itsdangerous``); every form POST carries the CSRF token.
- The API accepts the same session (then writes need the ``X-CSRF-Token`` header) or a bearer
  token from ``POST /api/v1/token`` (signed, 8 hours), which needs no CSRF token.
- Login is throttled per username and per client address: after ``limit`` failures within
  ``window`` seconds, further attempts are refused (429) until the window has passed. The counter
  lives in the process (one per portal process).
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import Depends
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request

from mutua.kernel.access import Forbidden, Role, Unauthenticated, User, permission_of
from mutua.kernel.problems import MutuaError

TOKEN_SECONDS = 8 * 3600


class TooManyAttempts(MutuaError):
    status = 429


class Accounts(Protocol):
    """The user accounts, as sessions, tokens and OpenID Connect need them. The access context
    implements it; the composition root hands it to the app (``Context.accounts``)."""

    def find(self, username: str) -> User | None:
        """The active user with this name, or None."""
        ...

    def from_identity(self, subject: str, username: str, role: Role, member: str | None, name: str) -> User:
        """The account of an OpenID Connect subject (created on first login; the role is the
        identity provider's)."""
        ...


class NoAccounts:
    """No accounts wired: nobody is found, nobody logs in."""

    def find(self, username: str) -> User | None:
        return None

    def from_identity(self, subject: str, username: str, role: Role, member: str | None, name: str) -> User:
        raise Unauthenticated("no user accounts in this application")


@dataclass
class LoginThrottle:
    """Failed logins per key (username, client address) within a sliding window."""

    limit: int = 5
    window: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str) -> deque[float]:
        now = self.clock()
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def check(self, *keys: str) -> None:
        for key in keys:
            if len(self._recent(key)) >= self.limit:
                raise TooManyAttempts("too many failed logins; try again later")

    def failed(self, *keys: str) -> None:
        for key in keys:
            self._recent(key).append(self.clock())

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)


class Tokens:
    """Signed, expiring API bearer tokens naming a user."""

    def __init__(self, secret: str) -> None:
        self._s = URLSafeTimedSerializer(secret, salt="mutua-api-token")

    def issue(self, username: str) -> str:
        return self._s.dumps({"u": username})

    def username(self, token: str) -> str | None:
        try:
            data = self._s.loads(token, max_age=TOKEN_SECONDS)
        except BadSignature:
            return None
        value = data.get("u") if isinstance(data, dict) else None
        return value if isinstance(value, str) else None


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


def login_session(request: Request, user: User) -> None:
    lang = request.session.get("lang")
    request.session.clear()
    request.session["user"] = user.username
    request.session["csrf"] = secrets.token_urlsafe(32)
    if lang:
        request.session["lang"] = lang


def current_user(request: Request, accounts: Accounts, tokens: Tokens) -> tuple[User, bool]:
    """The user making the request and whether it came through the session (cookie)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        name = tokens.username(header[7:].strip())
        user = accounts.find(name) if name else None
        if user is None:
            raise Unauthenticated("invalid or expired token")
        return user, False
    name = request.session.get("user")
    user = accounts.find(name) if isinstance(name, str) else None
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
