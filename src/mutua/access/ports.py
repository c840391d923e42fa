"""What the access context's use cases need: its accounts, and a little of the registry."""

from __future__ import annotations

from typing import Protocol

from mutua.access.domain import Account
from mutua.kernel.access import Role
from mutua.kernel.ports import Transaction
from mutua.registry.domain import Engagement, Member


class Accounts(Protocol):
    """The user accounts (active or not)."""

    def get(self, username: str) -> Account | None: ...

    def with_subject(self, subject: str) -> Account | None:
        """The account of an OpenID Connect subject."""
        ...

    def all(self) -> list[Account]:
        """Every account, by username."""
        ...

    def hold(self, username: str) -> None:
        """Wait until no other transaction adds an account of this name; held until this transaction
        ends (then the check for the name sees the other's account: two clicks add one)."""
        ...

    def add(self, account: Account) -> None:
        """Keep a new account (created now, by the unit of work's actor)."""
        ...

    def set_password_hash(self, username: str, password_hash: str) -> bool:
        """Keep a new hash and end the account's sessions and tokens; False when there is no such account."""
        ...

    def set_role(self, username: str, role: Role, member: str | None) -> None:
        """Change the role (and bound member) and end the account's sessions and tokens."""
        ...

    def set_active(self, username: str, active: bool) -> bool:
        """Enable or disable, ending the account's sessions and tokens; False when there is no such account."""
        ...

    def end_sessions(self, username: str) -> bool:
        """Raise the account's token version: every session and token issued before stops working."""
        ...


class Members(Protocol):
    """What access reads of the registry: whether a member exists, and who has engagements."""

    def members(self) -> list[Member]: ...

    def member(self, enterprise_number: str) -> Member | None: ...

    def engagements(self) -> list[Engagement]: ...


class AccessUnitOfWork(Transaction, Protocol):
    """What the access context's use cases ask of a unit of work."""

    @property
    def accounts(self) -> Accounts: ...

    @property
    def registry(self) -> Members: ...
