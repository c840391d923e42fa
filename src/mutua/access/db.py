"""The portal's tables: user accounts (local with an argon2 hash, or from OpenID Connect), and the
repository over them (:class:`SqlAccounts`, ``uow.accounts``)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    String,
    Table,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from mutua.access.domain import Account
from mutua.kernel.access import Role
from mutua.kernel.problems import Conflict
from mutua.kernel.throttle import Attempts, ThrottlePolicy, throttle_key
from mutua.platform.db.audit import AuditTrail, utcnow
from mutua.platform.db.locks import hold
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

# Failed logins per (username, client address), shared by every worker process: the pair is kept
# as a SHA-256 (no usernames or addresses in the table), times are seconds since the epoch (UTC).
login_attempts = Table(
    "portal_login_attempts",
    metadata,
    Column("pair", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("not_before", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
    Index("ix_portal_login_attempts_last_seen", "last_seen"),
)


class SqlLoginThrottle:
    """Login throttling counted in the database (``platform.web.auth.Throttle``), so the workers of
    ``mutua serve --workers N`` share one count: each attempt is one short transaction of its own
    (committed whether the password then proves right or wrong) that locks the pair's row (PostgreSQL:
    ``SELECT ... FOR UPDATE``; SQLite: the database's write lock) before judging it, so simultaneous
    guesses on any worker see each other. Pairs quiet for ``policy.forget`` seconds are deleted when a
    new pair arrives, and at most ``policy.max_keys`` pairs are kept (the least recently seen go)."""

    def __init__(
        self, engine: Engine, policy: ThrottlePolicy | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.engine = engine
        self.policy = policy or ThrottlePolicy()
        self.clock = clock

    @staticmethod
    def pair(username: str, address: str) -> str:
        name, where = throttle_key(username, address)
        return hashlib.sha256(f"{name}\0{where}".encode()).hexdigest()

    def attempt(self, username: str, address: str) -> None:
        pair = self.pair(username, address)
        t = login_attempts.c
        with self.engine.begin() as c:
            postgres = c.dialect.name == "postgresql"
            if not postgres:
                hold(c, "access.login_attempts")
            now = self.clock()
            insert = (postgresql_insert if postgres else sqlite_insert)(login_attempts)
            added = (
                c.execute(
                    insert.values(pair=pair, failures=0, not_before=0.0, last_seen=now)
                    .on_conflict_do_nothing(index_elements=["pair"])
                    .returning(t.pair)
                ).first()
                is not None
            )
            if added:
                self._prune(c, now)
            row = c.execute(select(t.failures, t.not_before).where(t.pair == pair).with_for_update()).one()
            state = self.policy.attempt(None if added else Attempts(int(row.failures), float(row.not_before)), now)
            # (too early: TooManyAttempts rolls the transaction back, and the pair is left as it was)
            c.execute(
                update(login_attempts)
                .where(t.pair == pair)
                .values(failures=state.failures, not_before=state.not_before, last_seen=now)
            )

    def succeeded(self, username: str, address: str) -> None:
        with self.engine.begin() as c:
            c.execute(delete(login_attempts).where(login_attempts.c.pair == self.pair(username, address)))

    def _prune(self, c: Connection, now: float) -> None:
        t = login_attempts.c
        c.execute(delete(login_attempts).where(t.last_seen < now - self.policy.forget))
        excess = int(c.execute(select(func.count()).select_from(login_attempts)).scalar_one()) - self.policy.max_keys
        if excess > 0:
            oldest = select(t.pair).order_by(t.last_seen).limit(excess).scalar_subquery()
            c.execute(delete(login_attempts).where(t.pair.in_(oldest)))

    def __len__(self) -> int:
        with self.engine.connect() as c:
            return int(c.execute(select(func.count()).select_from(login_attempts)).scalar_one())


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

    def hold(self, username: str) -> None:
        hold(self.c, f"access.user.{username}")

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
