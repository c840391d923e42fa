"""User accounts: the record, and the pure rules about them (no database, no framework).

An account is a :class:`mutua.kernel.access.User` as it is kept: with its argon2 hash (local
accounts), its OpenID Connect subject (accounts from the identity provider) and whether it is active.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from mutua.kernel.access import AccessError, Action, Role, User, check_user, may
from mutua.kernel.problems import Problem

MIN_PASSWORD = 12  # NIST SP 800-63B asks at least 8; a public body's reviewer asks 12
MAX_PASSWORD = 200
MAX_USERNAME = 100
# ASCII letters, digits and . - _ @ only: no look-alike of another account in another script
# ("аdmin" with a Cyrillic a), no invisible or combining characters.
USERNAME = re.compile(r"[A-Za-z0-9._@-]{1,100}")

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
    token_version: int = 0  # raised at logout, password or role change, disabling: ends every session and token

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


def normal_username(username: str) -> str:
    """The username as it is kept and looked up: Unicode NFKC (a full-width "ａｄｍｉｎ" is "admin").

    >>> normal_username("ａｄｍｉｎ")
    'admin'
    """
    return unicodedata.normalize("NFKC", username[: MAX_USERNAME * 4])


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common leaked passwords, lower case (package data: ``common_passwords.txt``)."""
    text = resources.files("mutua.access").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def password_problems(password: str, username: str | None = None) -> list[Problem]:
    """What NIST SP 800-63B asks of a chosen password: long enough (12), not a common or leaked one,
    not the username (or containing it), not one character repeated.

    >>> [p.message for p in password_problems("mutua-demo")]
    ['a password needs at least 12 characters']
    >>> password_problems("qwerty123456") != [], password_problems("jan.peeters-1990", "jan.peeters") != []
    (True, True)
    """

    def problem(message: str) -> list[Problem]:
        return [Problem("user", None, "password", message)]

    if len(password) < MIN_PASSWORD:
        return problem(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        return problem(f"a password has at most {MAX_PASSWORD} characters")
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip("0123456789!.") in common_passwords():
        return problem("this password is among the most common leaked passwords: choose another")
    if username and username.lower() in lowered:
        return problem("a password must not contain the username")
    if "mutua" in lowered or len(set(lowered)) < 4:
        return problem("a password must not be the application's name or a few characters repeated")
    return []


def username_problems(username: str) -> list[Problem]:
    """A username is 1-100 ASCII letters, digits and . - _ @ (after NFKC): no look-alikes."""
    if USERNAME.fullmatch(username) is None:
        return [Problem("user", None, "username", "a username of 1-100 characters: ASCII letters, digits and . - _ @")]
    return []


def account_problems(username: str, role: Role, member: str | None, password: str | None) -> list[Problem]:
    """What is wrong with a new account (before looking at the database)."""
    problems: list[Problem] = username_problems(username)
    if password is not None:
        problems.extend(password_problems(password, username))
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
