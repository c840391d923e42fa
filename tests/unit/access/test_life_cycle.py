"""The account life cycle on in-memory accounts: own password change, reset, disable and enable,
role change, logout; each audited, each raising the token version that ends sessions and tokens;
and the rules for new passwords and usernames."""

from __future__ import annotations

import pytest
from tests.fakes import FakeUnitOfWork
from tests.fakes.access import FakeAccounts, FakeMembers

from mutua.access import service
from mutua.access.domain import Account, normal_username, password_problems, username_problems
from mutua.kernel.access import Action, Permission, Role, User, permission_of
from mutua.kernel.problems import NotFound, Rejected

MEMBER = "0200000043"
PHRASE = "a long pass phrase"


def uow_with(*accounts: Account, actor: str = "root") -> FakeUnitOfWork:
    return FakeUnitOfWork(actor, accounts=FakeAccounts(*accounts), registry=FakeMembers([MEMBER]))


def jan(**changes: object) -> Account:
    return Account("jan", Role.AUDITOR, None, "Jan", password_hash=service.hash_password(PHRASE), **changes)  # type: ignore[arg-type]


def actions(uow: FakeUnitOfWork) -> list[tuple[str, str, str]]:
    return [(e["actor"], e["action"], e["entity_key"]) for e in uow.audit.recorded]


def test_each_use_case_of_the_life_cycle_declares_its_permission() -> None:
    assert permission_of(service.change_own_password) == Permission()
    assert permission_of(service.end_sessions) == Permission()
    for use_case in (service.set_password, service.set_active, service.change_role, service.list_accounts):
        assert permission_of(use_case) == Permission(Action.MANAGE_USERS)


def test_a_user_changes_its_own_password_knowing_the_current_one_and_its_sessions_end() -> None:
    uow = uow_with(jan(), actor="jan")
    user = User("jan", Role.AUDITOR, None, "Jan")
    assert service.session_user(uow, "jan", 0) == user
    with pytest.raises(Rejected, match="current password is wrong"):
        service.change_own_password(uow, user, "not the phrase", "a brand new phrase")
    with pytest.raises(Rejected, match="common"):
        service.change_own_password(uow, user, PHRASE, "1q2w3e4r5t6y")
    assert service.change_own_password(uow, user, PHRASE, "a brand new phrase") == 1
    assert service.session_user(uow, "jan", 0) is None and service.session_user(uow, "jan", 1) == user
    assert service.authenticate(uow, "jan", "a brand new phrase") == user
    assert actions(uow) == [("jan", "change_password", "jan")]


def test_disabling_resetting_a_role_change_and_logout_each_end_the_sessions_and_are_audited() -> None:
    uow = uow_with(jan())
    service.set_active(uow, "jan", False)
    assert service.find_user(uow, "jan") is None and service.token_version(uow, "jan") == 1
    service.set_active(uow, "jan", True)
    service.set_password(uow, "jan", "reset by the admin")
    service.change_role(uow, "jan", Role.BUDGET_HOLDER, MEMBER)
    service.end_sessions(uow, "jan")
    assert service.token_version(uow, "jan") == 5
    assert service.session_user(uow, "jan", 5) == User("jan", Role.BUDGET_HOLDER, MEMBER, "Jan")
    assert [a for _, a, _ in actions(uow)] == ["disable", "enable", "set_password", "change_role", "logout"]


def test_a_role_change_to_a_budget_holder_needs_an_existing_member_and_an_unknown_user_is_not_found() -> None:
    uow = uow_with(jan())
    with pytest.raises(Rejected, match="member"):
        service.change_role(uow, "jan", Role.BUDGET_HOLDER)
    with pytest.raises(Rejected, match="no member"):
        service.change_role(uow, "jan", Role.BUDGET_HOLDER, "0200791978")
    for call in (
        lambda: service.set_active(uow, "nobody", False),
        lambda: service.change_role(uow, "nobody", Role.AUDITOR),
        lambda: service.set_password(uow, "nobody", "reset by the admin"),
    ):
        with pytest.raises(NotFound):
            call()
    assert uow.audit.recorded == [] and service.token_version(uow, "jan") == 0


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short one", "at least 12"),
        ("qazwsxedcrfv", "common"),
        ("Password123456", "common"),
        ("jan.peeters.rocks", "username"),
        ("aaaaaaaaaaaaaaaa", "repeated"),
        ("mutua-demo-2025", "application"),
    ],
)
def test_a_new_password_is_long_uncommon_and_not_the_username(password: str, why: str) -> None:
    [problem] = password_problems(password, "jan.peeters")
    assert why in problem.message and problem.field == "password"


def test_usernames_are_nfkc_normalised_and_look_alikes_in_other_scripts_are_refused() -> None:
    assert normal_username("ｊａｎ") == "jan"
    assert username_problems("jan.peeters@example.be") == []
    for bad in ("аdmin", "admin\u200b", " admin", "x" * 101, "", "jan/../x"):  # a Cyrillic а, a zero-width space
        assert username_problems(normal_username(bad)), bad
    uow = uow_with()
    with pytest.raises(Rejected, match="ASCII"):
        service.add_user(uow, "аdmin", Role.ADMIN, password=PHRASE)
    service.add_user(uow, "ｊａｎ", Role.AUDITOR, password=PHRASE)
    assert [a.username for a in uow.accounts.all()] == ["jan"]
    assert service.authenticate(uow, "ｊａｎ", PHRASE) is not None
