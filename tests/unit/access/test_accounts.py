"""The access context's use cases on in-memory accounts: adding, passwords, logging in, listing."""

from __future__ import annotations

import pytest
from tests.fakes import FakeUnitOfWork
from tests.fakes.access import FakeAccounts, FakeMembers

from mutua.access import service
from mutua.access.domain import Account
from mutua.kernel.access import Action, Permission, Role, User, permission_of
from mutua.kernel.problems import Conflict, NotFound, Rejected

MEMBER = "0200000043"


def accounts_uow(*accounts: Account, actor: str = "admin") -> FakeUnitOfWork:
    return FakeUnitOfWork(actor, accounts=FakeAccounts(*accounts), registry=FakeMembers([MEMBER]))


def local(
    username: str, password: str, role: Role = Role.CONTROLLER, member: str | None = None, active: bool = True
) -> Account:
    """A local account with the argon2 hash of ``password``."""
    hashed = service.hash_password(password)
    return Account(username, role, member, username, password_hash=hashed, active=active)


def test_an_added_account_keeps_an_argon2id_hash_not_the_password_and_the_audit_names_who_added_it() -> None:
    uow = accounts_uow(actor="lead")
    user = service.add_user(uow, "jan", Role.BUDGET_HOLDER, password="a long password", member=MEMBER)
    assert user == User("jan", Role.BUDGET_HOLDER, MEMBER, "jan", "")
    kept = uow.accounts.get("jan")
    assert kept.password_hash.startswith("$argon2id$")
    assert "a long password" not in kept.password_hash
    assert uow.committed
    [entry] = uow.audit.recorded
    assert (entry["actor"], entry["action"], entry["entity"], entry["entity_key"]) == ("lead", "add", "user", "jan")
    assert '"member": "0200000043"' in entry["detail"] and '"oidc": false' in entry["detail"]


def test_the_display_name_defaults_to_the_username() -> None:
    uow = accounts_uow()
    assert service.add_user(uow, "eva", Role.AUDITOR, password="long enough phrase").display_name == "eva"
    assert (
        service.add_user(uow, "tom", Role.AUDITOR, password="long enough phrase", display_name="Tom").display_name
        == "Tom"
    )


def test_a_bad_username_a_short_password_and_a_budget_holder_without_member_are_refused_together() -> None:
    uow = accounts_uow()
    with pytest.raises(Rejected) as refused:
        service.add_user(uow, " jan", Role.BUDGET_HOLDER, password="short")
    assert [p.field for p in refused.value.problems] == ["username", "password", "member"]
    assert uow.accounts.all() == [] and uow.audit.recorded == []


def test_a_controller_bound_to_a_member_is_refused() -> None:
    with pytest.raises(Rejected, match="user 'eva'"):
        service.add_user(accounts_uow(), "eva", Role.CONTROLLER, password="long enough phrase", member=MEMBER)


def test_a_budget_holder_bound_to_an_unknown_member_is_refused_and_nothing_is_written() -> None:
    uow = accounts_uow()
    with pytest.raises(Rejected) as refused:
        service.add_user(uow, "jan", Role.BUDGET_HOLDER, password="long enough phrase", member="0200791978")
    assert refused.value.problems[0].message == "no member with enterprise number 0200791978"
    assert uow.accounts.all() == [] and uow.audit.recorded == [] and not uow.committed


def test_a_username_taken_already_is_a_conflict_and_the_existing_account_is_untouched() -> None:
    existing = Account("jan", Role.AUDITOR, display_name="Jan")
    uow = accounts_uow(existing)
    with pytest.raises(Conflict, match="exists already"):
        service.add_user(uow, "jan", Role.ADMIN, password="long enough phrase")
    assert uow.accounts.all() == [existing] and uow.audit.recorded == []


def test_the_right_password_logs_in_and_a_wrong_one_an_unknown_user_or_a_disabled_account_does_not() -> None:
    uow = accounts_uow(
        local("jan", "a long password", Role.BUDGET_HOLDER, member=MEMBER),
        local("old", "a long password", active=False),
        Account("kc", Role.AUDITOR, oidc_subject="kc-1"),
    )
    assert service.authenticate(uow, "jan", "a long password") == User("jan", Role.BUDGET_HOLDER, MEMBER, "jan")
    assert service.authenticate(uow, "jan", "a long passwort") is None
    assert service.authenticate(uow, "nobody", "a long password") is None
    assert service.authenticate(uow, "old", "a long password") is None
    assert service.authenticate(uow, "kc", "") is None  # an account from the identity provider has no password


def test_finding_a_user_skips_disabled_accounts() -> None:
    uow = accounts_uow(Account("jan", Role.AUDITOR), Account("old", Role.AUDITOR, active=False))
    assert service.find_user(uow, "jan") == User("jan", Role.AUDITOR)
    assert service.find_user(uow, "old") is None
    assert service.find_user(uow, "nobody") is None


def test_a_new_password_replaces_the_old_one_and_is_audited() -> None:
    uow = accounts_uow(local("jan", "the old password"))
    service.set_password(uow, "jan", "the new password")
    assert service.authenticate(uow, "jan", "the new password") is not None
    assert service.authenticate(uow, "jan", "the old password") is None
    assert [(e["action"], e["entity_key"]) for e in uow.audit.recorded] == [("set_password", "jan")]


def test_a_password_for_nobody_or_too_short_is_refused_and_nothing_is_audited() -> None:
    uow = accounts_uow(local("jan", "the old password"))
    with pytest.raises(NotFound, match="no user 'eva'"):
        service.set_password(uow, "eva", "long enough phrase")
    with pytest.raises(Rejected):
        service.set_password(uow, "jan", "short")
    assert uow.audit.recorded == []
    assert service.authenticate(uow, "jan", "the old password") is not None


def test_the_accounts_are_listed_by_username_disabled_ones_included() -> None:
    uow = accounts_uow(Account("zoe", Role.ADMIN), Account("ann", Role.AUDITOR, active=False))
    assert [u.username for u in service.list_users(uow)] == ["ann", "zoe"]


def test_me_tells_the_user_its_role_and_what_it_may_do() -> None:
    mine = service.me(User("eva", Role.CONTROLLER, display_name="Eva"))
    assert (mine.username, mine.display_name, mine.role, mine.member) == ("eva", "Eva", Role.CONTROLLER, None)
    assert mine.may == (Action.READ_ASSOCIATION, Action.READ_AUDIT, Action.CLOSE)
    assert service.me(User("jan", Role.BUDGET_HOLDER, MEMBER)).may == ()


def test_managing_accounts_needs_the_manage_users_action_and_me_only_a_login() -> None:
    for use_case in (service.add_user, service.list_users, service.set_password):
        assert permission_of(use_case) == Permission(Action.MANAGE_USERS)
    assert permission_of(service.me) == Permission()


def test_adding_an_account_holds_its_name_before_looking_for_it() -> None:
    calls: list[tuple[str, str]] = []  # outside the fake's state, which a rollback restores

    class Recording(FakeAccounts):
        def hold(self, username: str) -> None:
            calls.append(("hold", username))

        def get(self, username: str) -> Account | None:
            calls.append(("get", username))
            return super().get(username)

    uow = FakeUnitOfWork("admin", accounts=Recording(local("eva", "long enough phrase")), registry=FakeMembers([]))
    with pytest.raises(Conflict):
        service.add_user(uow, "eva", Role.AUDITOR, password="another long phrase")
    assert calls == [("hold", "eva"), ("get", "eva")]  # a second click waits, then finds the first account
    service.add_user(uow, "Tom", Role.AUDITOR, password="another long phrase")
    assert calls[2:] == [("hold", "Tom"), ("get", "Tom")]
