"""User accounts: the record, and the pure rules about them (no database, no framework).

An account is a :class:`mutua.kernel.access.User` as it is kept: with its argon2 hash (local
accounts), its OpenID Connect subject (accounts from the identity provider) and whether it is active.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from mutua.kernel.access import AccessError, Action, Role, User, check_user, may
from mutua.kernel.problems import Problem

MIN_PASSWORD = 8

DEMO_PASSWORD = "mutua-demo"  # noqa: S105 - documented in the README: demo accounts only

# The demo's accounts, one per role: (username, role, bound to the demo member, display name).
DEMO_ACCOUNTS: tuple[tuple[str, Role, bool, str], ...] = (
    ("admin", Role.ADMIN, False, "Demo admin"),
    ("controller", Role.CONTROLLER, False, "Demo controller"),
    ("auditor", Role.AUDITOR, False, "Demo auditor"),
    ("owner", Role.SERVICE_OWNER, False, "Demo service owner"),
    ("member", Role.BUDGET_HOLDER, True, "Demo budget holder"),
)


@dataclass(frozen=True, slots=True)
class Account:
    """A user account as it is kept.

    Attributes:
        username: unique login name (also the name in the audit trail).
        role: its role.
        member: the enterprise number a budget holder is bound to; None for the other roles.
        display_name: the name shown in the portal.
        language: the preferred language (nl, fr, en), or empty to follow the browser.
        password_hash: the argon2id hash of a local account's password; None for an OIDC account.
        oidc_subject: the identity provider's subject of an account from OpenID Connect, else None.
        active: False for a disabled account (it cannot log in).
    """

    username: str
    role: Role
    member: str | None = None
    display_name: str = ""
    language: str = ""
    password_hash: str | None = None
    oidc_subject: str | None = None
    active: bool = True

    @property
    def user(self) -> User:
        return User(self.username, self.role, self.member, self.display_name, self.language)


@dataclass(frozen=True, slots=True)
class Profile:
    """Who a user is and what it may do (``GET /api/v1/me``)."""

    username: str
    display_name: str
    role: Role
    member: str | None
    may: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A demo account and its (documented) password."""

    username: str
    password: str
    role: Role
    member: str | None


def profile(user: User) -> Profile:
    return Profile(user.username, user.display_name, user.role, user.member, tuple(a for a in Action if may(user, a)))


def password_problems(password: str) -> list[Problem]:
    if len(password) < MIN_PASSWORD:
        return [Problem("user", None, "password", f"a password needs at least {MIN_PASSWORD} characters")]
    return []


def account_problems(username: str, role: Role, member: str | None, password: str | None) -> list[Problem]:
    """What is wrong with a new account (before looking at the database)."""
    problems: list[Problem] = []
    if not username or len(username) > 100 or username != username.strip():
        problems.append(Problem("user", None, "username", "a username of 1-100 characters without outer spaces"))
    if password is not None:
        problems.extend(password_problems(password))
    try:
        check_user(role, member)
    except AccessError as exc:
        problems.append(Problem("user", None, "member", str(exc)))
    return problems


def most_engaged(members: Iterable[str]) -> str | None:
    """The member named most often (one name per engagement); the lowest enterprise number on a tie.

    >>> most_engaged(["0200000043", "0200791978", "0200791978"])
    '0200791978'
    """
    counts = Counter(members)
    if not counts:
        return None
    return min(counts, key=lambda m: (-counts[m], m))
