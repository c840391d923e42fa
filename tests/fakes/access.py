"""In-memory fakes of the access context's ports (``mutua.access.ports``): the accounts, and the
little of the registry that access reads (which members exist, who has engagements)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from mutua.access.domain import Account
from mutua.kernel.access import Role
from mutua.registry.domain import Category, ClientGroup, Engagement, EngagementKind, Language, Member


class FakeAccounts:
    """``mutua.access.ports.Accounts`` in a dict by username."""

    def __init__(self, *accounts: Account) -> None:
        self.by_name: dict[str, Account] = {a.username: a for a in accounts}
        self.held: list[str] = []  # the names held, in order (hold comes before the check)

    def hold(self, username: str) -> None:
        self.held.append(username)

    def get(self, username: str) -> Account | None:
        return self.by_name.get(username)

    def with_subject(self, subject: str) -> Account | None:
        return next((a for a in self.by_name.values() if a.oidc_subject == subject), None)

    def all(self) -> list[Account]:
        return [self.by_name[n] for n in sorted(self.by_name)]

    def add(self, account: Account) -> None:
        assert account.username not in self.by_name, "the service checks for an existing username first"
        self.by_name[account.username] = account

    def _change(self, username: str, **values: object) -> bool:
        found = self.by_name.get(username)
        if found is None:
            return False
        self.by_name[username] = dataclasses.replace(
            found,
            token_version=found.token_version + 1,
            **values,  # type: ignore[arg-type]
        )
        return True

    def set_password_hash(self, username: str, password_hash: str) -> bool:
        return self._change(username, password_hash=password_hash)

    def set_role(self, username: str, role: Role, member: str | None) -> None:
        self._change(username, role=role, member=member)

    def set_active(self, username: str, active: bool) -> bool:
        return self._change(username, active=active)

    def end_sessions(self, username: str) -> bool:
        return self._change(username)


def member(enterprise_number: str, name: str = "") -> Member:
    return Member(
        enterprise_number,
        name or f"Member {enterprise_number}",
        Category.A,
        ClientGroup.OTHER,
        Language.NL,
        date(2001, 1, 1),
    )


def engagement(code: str, member: str) -> Engagement:
    return Engagement(
        code, member, EngagementKind.SERVICE, f"Engagement {code}", None, Decimal("1000.00"), date(2025, 1, 1)
    )


class FakeMembers:
    """``mutua.access.ports.Members``: members, and engagements as ``(code, member)`` pairs."""

    def __init__(self, members: list[str] | None = None, engagements: list[tuple[str, str]] | None = None) -> None:
        self._members = [member(m) for m in members or []]
        self._engagements = [engagement(code, m) for code, m in engagements or []]

    def members(self) -> list[Member]:
        return sorted(self._members, key=lambda m: m.name)

    def member(self, enterprise_number: str) -> Member | None:
        return next((m for m in self._members if m.enterprise_number == enterprise_number), None)

    def engagements(self) -> list[Engagement]:
        return sorted(self._engagements, key=lambda e: e.code)
