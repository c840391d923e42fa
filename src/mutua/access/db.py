"""The portal's tables: user accounts (local with an argon2 hash, or from OpenID Connect), and the
repository over them (:class:`SqlAccounts`, ``uow.accounts``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Connection, DateTime, Integer, String, Table, select, update
from sqlalchemy.exc import IntegrityError

from mutua.access.domain import Account
from mutua.kernel.access import Role
from mutua.kernel.problems import Conflict
from mutua.platform.db.audit import AuditTrail, utcnow
from mutua.platform.db.schema import metadata

# A user. ``member`` is the enterprise number a budget holder is bound to.
users = Table(
    "portal_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), unique=True, nullable=False),
    Column("display_name", String(200), default="", nullable=False),
    Column("role", String(20), nullable=False),
    Column("member", String(10), nullable=True),
    Column("language", String(2), default="", nullable=False),
    Column("password_hash", String(200), nullable=True),
    Column("oidc_subject", String(200), nullable=True, unique=True),
    Column("active", Boolean, default=True, nullable=False),
    Column("token_version", Integer, default=0, server_default="0", nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
)


class SqlAccounts:
    """The user accounts over the unit of work's connection (``mutua.access.ports.Accounts``)."""

    def __init__(self, connection: Connection, audit: AuditTrail) -> None:
        self.c = connection
        self.audit = audit

    def get(self, username: str) -> Account | None:
        row = self.c.execute(select(users).where(users.c.username == username)).first()
        return None if row is None else _account(row)

    def with_subject(self, subject: str) -> Account | None:
        row = self.c.execute(select(users).where(users.c.oidc_subject == subject)).first()
        return None if row is None else _account(row)

    def all(self) -> list[Account]:
        return [_account(r) for r in self.c.execute(select(users).order_by(users.c.username))]

    def add(self, account: Account) -> None:
        """Store a new account; a username (or OpenID subject) taken already, also by another
        transaction at the same time, is a Conflict: the unique columns refuse it."""
        try:
            self.c.execute(
                users.insert().values(
                    username=account.username,
                    display_name=account.display_name,
                    role=account.role.value,
                    member=account.member,
                    language=account.language,
                    password_hash=account.password_hash,
                    oidc_subject=account.oidc_subject,
                    active=account.active,
                    created_at=utcnow(),
                    created_by=self.audit.actor,
                )
            )
        except IntegrityError:
            raise Conflict(f"user {account.username!r} exists already") from None

    def _change(self, username: str, **values: Any) -> bool:
        """Update the account and raise its token version in one statement (ends its sessions)."""
        done = self.c.execute(
            update(users).where(users.c.username == username).values(token_version=users.c.token_version + 1, **values)
        )
        return bool(done.rowcount)

    def set_password_hash(self, username: str, password_hash: str) -> bool:
        return self._change(username, password_hash=password_hash)

    def set_role(self, username: str, role: Role, member: str | None) -> None:
        self._change(username, role=role.value, member=member)

    def set_active(self, username: str, active: bool) -> bool:
        return self._change(username, active=active)

    def end_sessions(self, username: str) -> bool:
        return self._change(username)


def _account(row: Any) -> Account:
    return Account(
        row.username,
        Role(row.role),
        row.member,
        row.display_name,
        row.language,
        row.password_hash,
        row.oidc_subject,
        bool(row.active),
        int(row.token_version),
    )
