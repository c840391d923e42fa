"""Use cases for user accounts: add, find, authenticate (argon2), and accounts from OpenID Connect.

Every write is in the audit trail with the acting user. Passwords are only ever stored as argon2id
hashes; an unknown user costs the same verification time as a wrong password.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Engine, select, update

from mutua.access.db import users
from mutua.kernel.access import AccessError, Role, User, check_user
from mutua.kernel.problems import Conflict, NotFound, Problem, Rejected
from mutua.legacy_store import Store
from mutua.platform.db.audit import utcnow
from mutua.platform.db.engine import UnitOfWork


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


def _user(row: Any) -> User:
    return User(row.username, Role(row.role), row.member, row.display_name, row.language)


def add_user(
    engine: Engine,
    username: str,
    role: Role,
    *,
    password: str | None = None,
    member: str | None = None,
    display_name: str = "",
    language: str = "",
    oidc_subject: str | None = None,
    actor: str = "system",
) -> User:
    """Create an account; a budget holder is bound to an existing member."""
    problems: list[Problem] = []
    if not username or len(username) > 100 or username != username.strip():
        problems.append(Problem("user", None, "username", "a username of 1-100 characters without outer spaces"))
    if password is not None and len(password) < 8:
        problems.append(Problem("user", None, "password", "a password needs at least 8 characters"))
    try:
        check_user(role, member)
    except AccessError as exc:
        problems.append(Problem("user", None, "member", str(exc)))
    if problems:
        raise Rejected(problems, f"user {username!r}")
    with UnitOfWork(engine) as uow:
        store = Store(uow.connection, actor)
        if member is not None and store.member(member) is None:
            raise Rejected([Problem("user", None, "member", f"no member with enterprise number {member}")], "user")
        if uow.connection.execute(select(users.c.id).where(users.c.username == username)).first() is not None:
            raise Conflict(f"user {username!r} exists already")
        uow.connection.execute(
            users.insert().values(
                username=username,
                display_name=display_name or username,
                role=role.value,
                member=member,
                language=language,
                password_hash=None if password is None else hash_password(password),
                oidc_subject=oidc_subject,
                active=True,
                created_at=utcnow(),
                created_by=actor,
            )
        )
        store.audit("add", "user", username, role=role.value, member=member, oidc=oidc_subject is not None)
        uow.commit()
    return User(username, role, member, display_name or username, language)


def set_password(engine: Engine, username: str, password: str, actor: str = "system") -> None:
    if len(password) < 8:
        raise Rejected([Problem("user", None, "password", "a password needs at least 8 characters")], "password")
    with UnitOfWork(engine) as uow:
        done = uow.connection.execute(
            update(users).where(users.c.username == username).values(password_hash=hash_password(password))
        )
        if done.rowcount == 0:
            raise NotFound(f"no user {username!r}")
        Store(uow.connection, actor).audit("set_password", "user", username)
        uow.commit()


def find_user(engine: Engine, username: str) -> User | None:
    """The active user with this name, or None."""
    with UnitOfWork(engine) as uow:
        row = uow.connection.execute(
            select(users).where(users.c.username == username, users.c.active.is_(True))
        ).first()
    return None if row is None else _user(row)


def list_users(engine: Engine) -> list[User]:
    with UnitOfWork(engine) as uow:
        rows = uow.connection.execute(select(users).order_by(users.c.username)).all()
    return [_user(r) for r in rows]


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The user if the password is right, else None (same cost either way)."""
    with UnitOfWork(engine) as uow:
        row = uow.connection.execute(
            select(users).where(users.c.username == username, users.c.active.is_(True))
        ).first()
    if row is None or row.password_hash is None:
        _verify(_dummy_hash(), password)
        return None
    return _user(row) if _verify(row.password_hash, password) else None


def oidc_user(engine: Engine, subject: str, username: str, role: Role, member: str | None, name: str) -> User:
    """The account of an OpenID Connect subject, created on first login with the role the
    identity provider's claims give it."""
    with UnitOfWork(engine) as uow:
        row = uow.connection.execute(select(users).where(users.c.oidc_subject == subject)).first()
    if row is not None:
        if not row.active:
            raise NotFound(f"user {row.username!r} is disabled")
        if (row.role, row.member) != (role.value, member):  # the identity provider decides the role
            check_user(role, member)
            with UnitOfWork(engine) as uow:
                uow.connection.execute(update(users).where(users.c.id == row.id).values(role=role.value, member=member))
                Store(uow.connection, f"oidc:{row.username}").audit(
                    "update", "user", row.username, role=role.value, member=member, was=row.role
                )
                uow.commit()
            return User(row.username, role, member, row.display_name, row.language)
        return _user(row)
    return add_user(
        engine, username, role, member=member, display_name=name, oidc_subject=subject, actor=f"oidc:{username}"
    )


DEMO_PASSWORD = "mutua-demo"  # noqa: S105 - documented in the README: demo accounts only


def demo_member(engine: Engine) -> str:
    """The member with the most engagements (the demo's budget holder is bound to it)."""
    from sqlalchemy import func

    from mutua.registry import db as registry_db

    with UnitOfWork(engine) as uow:
        row = uow.connection.execute(
            select(registry_db.members.c.enterprise_number, func.count(registry_db.engagements.c.id).label("n"))
            .join(registry_db.engagements, registry_db.engagements.c.member_id == registry_db.members.c.id)
            .group_by(registry_db.members.c.enterprise_number)
            .order_by(func.count(registry_db.engagements.c.id).desc(), registry_db.members.c.enterprise_number)
            .limit(1)
        ).first()
    if row is None:
        raise NotFound("no member with an engagement: build the demo first (mutua demo)")
    return str(row.enterprise_number)


def add_demo_users(engine: Engine, actor: str = "demo") -> list[dict[str, str | None]]:
    """One account per role with the demo password; the budget holder is bound to
    :func:`demo_member`. Accounts that exist already are left alone."""
    member = demo_member(engine)
    wanted = [
        ("admin", Role.ADMIN, None, "Demo admin"),
        ("controller", Role.CONTROLLER, None, "Demo controller"),
        ("auditor", Role.AUDITOR, None, "Demo auditor"),
        ("owner", Role.SERVICE_OWNER, None, "Demo service owner"),
        ("member", Role.BUDGET_HOLDER, member, "Demo budget holder"),
    ]
    result: list[dict[str, str | None]] = []
    for username, role, bound, name in wanted:
        if find_user(engine, username) is None:
            add_user(engine, username, role, password=DEMO_PASSWORD, member=bound, display_name=name, actor=actor)
        result.append({"username": username, "password": DEMO_PASSWORD, "role": role.value, "member": bound})
    return result
