"""Users and roles: who may read and write what. Pure functions, no framework.

Roles:

- ``admin``: everything, including user accounts;
- ``controller``: reads everything; runs, reviews and locks the close and the true-up;
- ``service_owner``: reads the association's data (catalogue, tariffs, usage, allocation, report);
- ``budget_holder``: reads the data of ONE member (the one the account is bound to), nothing else;
- ``auditor``: reads everything, including the audit trail; writes nothing;
- ``buyer``: a member's purchaser: joins framework agreements and orders under them for ONE member
  (like a budget holder, bound to it), and reads that member's data;
- ``purchasing_officer``: the association's purchasing team: manages agreements, lots, catalogues,
  accessions and commission statements, and orders on behalf of any member; reads everything.

Example::

    >>> holder = User("jan", Role.BUDGET_HOLDER, member="0123456749")
    >>> may_read_member(holder, "0123456749"), may_read_member(holder, "0987654312")
    (True, False)
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from mutua.kernel.problems import MutuaError, NotFound

F = TypeVar("F", bound=Callable[..., Any])


class Role(enum.StrEnum):
    ADMIN = "admin"
    CONTROLLER = "controller"
    SERVICE_OWNER = "service_owner"
    BUDGET_HOLDER = "budget_holder"
    AUDITOR = "auditor"
    BUYER = "buyer"
    PURCHASING_OFFICER = "purchasing_officer"


MEMBER_ROLES = frozenset({Role.BUDGET_HOLDER, Role.BUYER})
"""The roles bound to one member (and reading only that member's data)."""


class Action(enum.StrEnum):
    """Things a user may do beyond reading one member's data."""

    READ_ASSOCIATION = "read_association"  # all members, the report, the allocation, the close
    READ_AUDIT = "read_audit"
    CLOSE = "close"  # preview, run and lock a close; the true-up
    MANAGE_USERS = "manage_users"
    PURCHASE = "purchase"  # join framework agreements and order under them (for one member: member-scoped)
    MANAGE_PURCHASING = "manage_purchasing"  # agreements, lots, catalogues, accessions, commissions


_GRANTS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.CONTROLLER: frozenset({Action.READ_ASSOCIATION, Action.READ_AUDIT, Action.CLOSE}),
    Role.SERVICE_OWNER: frozenset({Action.READ_ASSOCIATION}),
    Role.AUDITOR: frozenset({Action.READ_ASSOCIATION, Action.READ_AUDIT}),
    Role.BUDGET_HOLDER: frozenset(),
    Role.BUYER: frozenset({Action.PURCHASE}),
    Role.PURCHASING_OFFICER: frozenset({Action.READ_ASSOCIATION, Action.PURCHASE, Action.MANAGE_PURCHASING}),
}


class Unauthenticated(MutuaError):
    """No valid session or token."""

    status = 401


class Forbidden(MutuaError):
    """The user is known but may not do this."""

    status = 403


class AccessError(ValueError):
    """A user record that breaks the rules (a budget holder without a member, ...)."""


@dataclass(frozen=True, slots=True)
class User:
    """A person using the portal or the API.

    Attributes:
        username: unique login name (also the name written in the audit trail).
        role: one of :class:`Role`.
        member: the enterprise number a budget holder or buyer is bound to; None for every other role.
        display_name: the name shown in the portal.
        language: the preferred language (nl, fr, en), or empty to follow the browser.
    """

    username: str
    role: Role
    member: str | None = None
    display_name: str = ""
    language: str = ""

    def __post_init__(self) -> None:
        check_user(self.role, self.member)


def check_user(role: Role, member: str | None) -> None:
    """A budget holder or a buyer is bound to exactly one member; the other roles to none."""
    if role in MEMBER_ROLES and not member:
        raise AccessError(f"a {role.value.replace('_', ' ')} must be bound to a member")
    if role not in MEMBER_ROLES and member:
        raise AccessError(f"a {role.value} is not bound to a member")


def may(user: User, action: Action) -> bool:
    return action in _GRANTS[user.role]


def may_read_member(user: User, member: str) -> bool:
    """True if the user may read this member's data (its engagements, usage, statements, invoices)."""
    return may(user, Action.READ_ASSOCIATION) or (user.role in MEMBER_ROLES and user.member == member)


def member_scope(user: User) -> str | None:
    """The only member a user may see, or None when the user may see every member."""
    return None if may(user, Action.READ_ASSOCIATION) else user.member


def require(user: User, action: Action) -> None:
    if not may(user, action):
        raise Forbidden(f"{user.username} ({user.role.value}) may not {action.value.replace('_', ' ')}")


def require_member(user: User, member: str, missing: str = "not found") -> None:
    """Refuse another member's data with ``missing``: the very answer (404, same message) that the
    caller gives for an object that does not exist, so that it tells nothing."""
    if not may_read_member(user, member):
        raise NotFound(missing)


@dataclass(frozen=True, slots=True)
class Permission:
    """What a use case asks of its user; declared once, on the use case (:func:`requires`).

    Attributes:
        action: the action needed, or None when any logged-in user may use it.
        member_scoped: the use case reads one member's data: a user without ``READ_ASSOCIATION``
            may use it only for the member it is bound to (the caller names that member).
    """

    action: Action | None = None
    member_scoped: bool = False

    def check(self, user: User, member: str | None = None, missing: str | None = None) -> None:
        """Refuse ``user`` unless allowed (for ``member`` when the use case is member-scoped; another
        member's is answered ``missing``, as an unknown one is: by default "no member ...")."""
        if self.action is not None:
            require(user, self.action)
        if self.member_scoped and member is not None:
            require_member(user, member, missing or f"no member with enterprise number {member}")


def requires(permission: Permission) -> Callable[[F], F]:
    """Declare the permission of a use case: routes and pages check it through the use case."""

    def mark(use_case: F) -> F:
        use_case.permission = permission  # type: ignore[attr-defined]
        return use_case

    return mark


def permission_of(use_case: Callable[..., Any]) -> Permission:
    found = getattr(use_case, "permission", None)
    if not isinstance(found, Permission):
        raise TypeError(f"{use_case.__qualname__} declares no permission (decorate it with @requires)")
    return found
