"""Use cases for user accounts: add, find, authenticate (argon2), and accounts from OpenID Connect.

Every write is in the audit trail with the acting user (the unit of work's actor). Passwords are
only ever stored as argon2id hashes; an unknown user costs the same verification time as a wrong
password.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from mutua.access.domain import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    Account,
    DemoAccount,
    Profile,
    account_problems,
    most_engaged,
    normal_username,
    password_problems,
    profile,
)
from mutua.access.ports import AccessUnitOfWork
from mutua.kernel.access import AccessError, Action, Permission, Role, User, check_user, requires
from mutua.kernel.problems import Conflict, NotFound, Problem, Rejected

__all__ = [
    "DEMO_PASSWORD",
    "AccountDirectory",
    "add_demo_users",
    "add_user",
    "association_exists",
    "authenticate",
    "change_own_password",
    "change_role",
    "demo_member",
    "end_sessions",
    "find_user",
    "hash_password",
    "list_accounts",
    "list_users",
    "me",
    "oidc_user",
    "session_user",
    "set_active",
    "set_password",
    "sign_in",
    "token_version",
    "users_exist",
]


@cache
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return str(_hasher().hash("no such user"))


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def _verify(hash_: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return bool(_hasher().verify(hash_, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _add(
    uow: AccessUnitOfWork,
    username: str,
    role: Role,
    *,
    password: str | None,
    member: str | None,
    display_name: str,
    language: str,
    oidc_subject: str | None,
    check_password: bool = True,
) -> User:
    """Add an account in the open transaction (the checks of :func:`add_user`)."""
    username = normal_username(username)
    problems = account_problems(username, role, member, password if check_password else None)
    if problems:
        raise Rejected(problems, f"user {username!r}")
    if member is not None and uow.registry.member(member) is None:
        raise Rejected([Problem("user", None, "member", f"no member with enterprise number {member}")], "user")
    uow.accounts.hold(username)  # a concurrent addition of the name waits here, then finds it (409)
    if uow.accounts.get(username) is not None:
        raise Conflict(f"user {username!r} exists already")
    account = Account(
        username,
        role,
        member,
        display_name or username,
        language,
        None if password is None else hash_password(password),
        oidc_subject,
    )
    uow.accounts.add(account)
    uow.audit.record("add", "user", username, role=role.value, member=member, oidc=oidc_subject is not None)
    return account.user


@requires(Permission(Action.MANAGE_USERS))
def add_user(
    uow: AccessUnitOfWork,
    username: str,
    role: Role,
    *,
    password: str | None = None,
    member: str | None = None,
    display_name: str = "",
    language: str = "",
    oidc_subject: str | None = None,
) -> User:
    """Create an account; a budget holder is bound to an existing member."""
    with uow:
        user = _add(
            uow,
            username,
            role,
            password=password,
            member=member,
            display_name=display_name,
            language=language,
            oidc_subject=oidc_subject,
        )
        uow.commit()
    return user


@requires(Permission(Action.MANAGE_USERS))
def set_password(uow: AccessUnitOfWork, username: str, password: str) -> None:
    """An administrator resets another's password; every session and token of that account ends."""
    problems = password_problems(password, username)
    if problems:
        raise Rejected(problems, "password")
    with uow:
        if not uow.accounts.set_password_hash(username, hash_password(password)):
            raise NotFound(f"no user {username!r}")
        uow.audit.record("set_password", "user", username)
        uow.commit()


@requires(Permission())
def change_own_password(uow: AccessUnitOfWork, user: User, current: str, new: str) -> int:
    """A user changes its own password (knowing the current one); every session and token of the
    account ends. Returns the account's new token version (the caller's new session carries it)."""
    with uow:
        account = uow.accounts.get(user.username)
    if account is None or account.password_hash is None:
        raise Rejected([Problem("user", None, "password", "this account has no local password")], "password")
    if not _verify(account.password_hash, current):
        raise Rejected([Problem("user", None, "current_password", "the current password is wrong")], "password")
    problems = password_problems(new, user.username)
    if problems:
        raise Rejected(problems, "password")
    with uow:
        uow.accounts.set_password_hash(user.username, hash_password(new))
        uow.audit.record("change_password", "user", user.username)
        uow.commit()
        changed = uow.accounts.get(user.username)
    return changed.token_version if changed is not None else 0


@requires(Permission(Action.MANAGE_USERS))
def set_active(uow: AccessUnitOfWork, username: str, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions and tokens."""
    with uow:
        if not uow.accounts.set_active(username, active):
            raise NotFound(f"no user {username!r}")
        uow.audit.record("enable" if active else "disable", "user", username)
        uow.commit()


@requires(Permission(Action.MANAGE_USERS))
def change_role(uow: AccessUnitOfWork, username: str, role: Role, member: str | None = None) -> None:
    """Give an account another role (a budget holder: bound to an existing member); its sessions
    and tokens end."""
    try:
        check_user(role, member)
    except AccessError as exc:
        raise Rejected([Problem("user", None, "member", str(exc))], "user") from None
    with uow:
        account = uow.accounts.get(username)
        if account is None:
            raise NotFound(f"no user {username!r}")
        if member is not None and uow.registry.member(member) is None:
            raise Rejected([Problem("user", None, "member", f"no member with enterprise number {member}")], "user")
        uow.accounts.set_role(username, role, member)
        uow.audit.record("change_role", "user", username, role=role.value, member=member, was=account.role.value)
        uow.commit()


@requires(Permission())
def end_sessions(uow: AccessUnitOfWork, username: str) -> None:
    """End every session and token of the account (logout)."""
    with uow:
        if uow.accounts.end_sessions(username):
            uow.audit.record("logout", "user", username)
            uow.commit()


def find_user(uow: AccessUnitOfWork, username: str) -> User | None:
    """The active user with this name, or None."""
    with uow:
        account = uow.accounts.get(username)
    return account.user if account is not None and account.active else None


def session_user(uow: AccessUnitOfWork, username: str, version: int) -> User | None:
    """The active user with this name whose sessions and tokens of ``version`` are still valid."""
    with uow:
        account = uow.accounts.get(username)
    if account is None or not account.active or account.token_version != version:
        return None
    return account.user


def token_version(uow: AccessUnitOfWork, username: str) -> int | None:
    """The account's token version (sessions and tokens carry it), None when there is no account."""
    with uow:
        account = uow.accounts.get(username)
    return None if account is None else account.token_version


def users_exist(uow: AccessUnitOfWork) -> bool:
    """True once there is an account."""
    with uow:
        return bool(uow.accounts.all())


@requires(Permission(Action.MANAGE_USERS))
def list_accounts(uow: AccessUnitOfWork) -> list[Account]:
    """Every account with whether it is active (the administrator's page)."""
    with uow:
        return uow.accounts.all()


@requires(Permission(Action.MANAGE_USERS))
def list_users(uow: AccessUnitOfWork) -> list[User]:
    """Every account (active or not), by username."""
    with uow:
        accounts = uow.accounts.all()
    return [a.user for a in accounts]


@requires(Permission())
def me(user: User) -> Profile:
    """Who the user is and what it may do."""
    return profile(user)


def sign_in(uow: AccessUnitOfWork, username: str, password: str) -> tuple[User, int] | None:
    """The user and its token version if the password is right, else None (same cost either way)."""
    with uow:
        account = uow.accounts.get(normal_username(username))
    if account is None or not account.active or account.password_hash is None:
        _verify(_dummy_hash(), password)
        return None
    return (account.user, account.token_version) if _verify(account.password_hash, password) else None


def authenticate(uow: AccessUnitOfWork, username: str, password: str) -> User | None:
    """The user if the password is right, else None (same cost either way)."""
    found = sign_in(uow, username, password)
    return None if found is None else found[0]


def oidc_user(uow: AccessUnitOfWork, subject: str, username: str, role: Role, member: str | None, name: str) -> User:
    """The account of an OpenID Connect subject, created on first login with the role the
    identity provider's claims give it (the identity provider decides the role at every login).

    The unit of work acts as ``oidc:<username>``.
    """
    with uow:
        account = uow.accounts.with_subject(subject)
        if account is None:
            user = _add(
                uow,
                username,
                role,
                password=None,
                member=member,
                display_name=name,
                language="",
                oidc_subject=subject,
            )
            uow.commit()
            return user
        if not account.active:
            raise NotFound(f"user {account.username!r} is disabled")
        if (account.role, account.member) == (role, member):
            return account.user
        check_user(role, member)
        uow.accounts.set_role(account.username, role, member)
        uow.audit.record("update", "user", account.username, role=role.value, member=member, was=account.role.value)
        uow.commit()
    return User(account.username, role, member, account.display_name, account.language)


def association_exists(uow: AccessUnitOfWork) -> bool:
    """True once the registry has a member (the portal has something to show)."""
    with uow:
        return bool(uow.registry.members())


def demo_member(uow: AccessUnitOfWork) -> str:
    """The member with the most engagements (the demo's budget holder is bound to it)."""
    with uow:
        found = most_engaged(e.member for e in uow.registry.engagements())
    if found is None:
        raise NotFound("no member with an engagement: build the demo first (mutua demo)")
    return found


def add_demo_users(uow: AccessUnitOfWork) -> list[DemoAccount]:
    """One account per role with the demo password; the budget holder is bound to
    :func:`demo_member`. Accounts that exist already are left alone."""
    member = demo_member(uow)
    result: list[DemoAccount] = []
    with uow:
        for username, role, bound, name in DEMO_ACCOUNTS:
            found = uow.accounts.get(username)
            if found is None:
                _add(
                    uow,
                    username,
                    role,
                    password=DEMO_PASSWORD,
                    member=member if bound else None,
                    display_name=name,
                    language="",
                    oidc_subject=None,
                    check_password=False,  # the demo's published password: demo accounts only
                )
            result.append(DemoAccount(username, DEMO_PASSWORD, role, member if bound else None))
        uow.commit()
    return result


@dataclass(frozen=True)
class AccountDirectory:
    """The accounts as the web's sign-in needs them (``mutua.platform.web.auth.Accounts``): each
    call runs in a unit of work of ``unit_of_work`` (a factory taking the actor), wired by the
    composition root."""

    unit_of_work: Callable[[str], AccessUnitOfWork]

    def find(self, username: str) -> User | None:
        return find_user(self.unit_of_work("portal"), username)

    def signed_in(self, username: str, version: int) -> User | None:
        return session_user(self.unit_of_work("portal"), username, version)

    def version(self, username: str) -> int | None:
        return token_version(self.unit_of_work("portal"), username)

    def end_sessions(self, username: str) -> None:
        end_sessions(self.unit_of_work(username), username)

    def from_identity(self, subject: str, username: str, role: Role, member: str | None, name: str) -> User:
        return oidc_user(self.unit_of_work(f"oidc:{username}"), subject, username, role, member, name)
