"""Who may read and write what: the pure rules of mutua.kernel.access."""

from __future__ import annotations

import pytest

from mutua.kernel.access import (
    MEMBER_ROLES,
    AccessError,
    Action,
    Forbidden,
    Role,
    User,
    may,
    may_read_member,
    member_scope,
    require,
    require_member,
)
from mutua.kernel.problems import NotFound

A, B = "0200000043", "0200791978"


def test_a_budget_holder_reads_its_own_member_and_no_other() -> None:
    holder = User("jan", Role.BUDGET_HOLDER, member=A)
    assert may_read_member(holder, A)
    assert not may_read_member(holder, B)
    assert member_scope(holder) == A
    with pytest.raises(NotFound, match="no engagement 'SVC-B'"):  # as an unknown one: it tells nothing
        require_member(holder, B, "no engagement 'SVC-B'")


def test_a_budget_holder_must_be_bound_to_a_member_and_other_roles_must_not() -> None:
    with pytest.raises(AccessError):
        User("jan", Role.BUDGET_HOLDER)
    with pytest.raises(AccessError):
        User("eva", Role.CONTROLLER, member=A)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CONTROLLER, Role.SERVICE_OWNER, Role.AUDITOR])
def test_the_association_staff_read_every_member(role: Role) -> None:
    user = User("staff", role)
    assert may_read_member(user, A) and may_read_member(user, B)
    assert member_scope(user) is None


def test_only_the_controller_and_the_admin_may_close() -> None:
    allowed = {r for r in Role if may(User("u", r, member=A if r in MEMBER_ROLES else None), Action.CLOSE)}
    assert allowed == {Role.CONTROLLER, Role.ADMIN}


def test_the_auditor_reads_the_audit_trail_but_writes_nothing() -> None:
    auditor = User("a", Role.AUDITOR)
    assert may(auditor, Action.READ_AUDIT)
    for action in (Action.CLOSE, Action.MANAGE_USERS):
        with pytest.raises(Forbidden):
            require(auditor, action)


def test_only_the_admin_manages_users() -> None:
    assert [r for r in Role if r not in MEMBER_ROLES and may(User("u", r), Action.MANAGE_USERS)] == [Role.ADMIN]
