"""Accounts from OpenID Connect, the demo's accounts, and the directory the web signs in with."""

from __future__ import annotations

import json

import pytest
from tests.fakes import FakeUnitOfWork
from tests.fakes.access import FakeAccounts, FakeMembers

from mutua.access import service
from mutua.access.domain import DEMO_PASSWORD, Account, most_engaged
from mutua.kernel.access import AccessError, Role, User
from mutua.kernel.problems import NotFound

A, B, C = "0200000043", "0200791978", "0207501710"


def uow_with(
    *accounts: Account, actor: str = "test", engagements: list[tuple[str, str]] | None = None
) -> FakeUnitOfWork:
    return FakeUnitOfWork(actor, accounts=FakeAccounts(*accounts), registry=FakeMembers([A, B, C], engagements))


def test_a_first_oidc_login_creates_the_account_bound_to_the_member_the_claims_name() -> None:
    uow = uow_with(actor="oidc:kc-holder")
    user = service.oidc_user(uow, "kc-123", "kc-holder", Role.BUDGET_HOLDER, B, "KC Holder")
    assert user == User("kc-holder", Role.BUDGET_HOLDER, B, "KC Holder")
    kept = uow.accounts.get("kc-holder")
    assert (kept.oidc_subject, kept.password_hash) == ("kc-123", None)
    [entry] = uow.audit.recorded
    assert (entry["actor"], entry["action"], entry["entity_key"]) == ("oidc:kc-holder", "add", "kc-holder")
    assert json.loads(entry["detail"])["oidc"] is True


def test_the_identity_provider_decides_the_role_at_every_login() -> None:
    uow = uow_with(Account("eva", Role.AUDITOR, display_name="Eva", language="fr", oidc_subject="kc-1"))
    user = service.oidc_user(uow, "kc-1", "eva", Role.CONTROLLER, None, "Eva")
    assert user == User("eva", Role.CONTROLLER, None, "Eva", "fr")
    assert uow.accounts.get("eva").role is Role.CONTROLLER
    [entry] = uow.audit.recorded
    assert entry["action"] == "update"
    assert json.loads(entry["detail"]) == {"member": None, "role": "controller", "was": "auditor"}


def test_a_login_with_the_same_role_writes_nothing() -> None:
    uow = uow_with(Account("eva", Role.AUDITOR, display_name="Eva", oidc_subject="kc-1"))
    assert service.oidc_user(uow, "kc-1", "eva", Role.AUDITOR, None, "Eva") == User("eva", Role.AUDITOR, None, "Eva")
    assert uow.audit.recorded == [] and not uow.committed


def test_a_disabled_oidc_account_cannot_log_in() -> None:
    uow = uow_with(Account("eva", Role.AUDITOR, oidc_subject="kc-1", active=False))
    with pytest.raises(NotFound, match="disabled"):
        service.oidc_user(uow, "kc-1", "eva", Role.AUDITOR, None, "Eva")


def test_claims_that_make_a_budget_holder_of_no_member_are_refused_and_the_role_is_kept() -> None:
    uow = uow_with(Account("eva", Role.AUDITOR, oidc_subject="kc-1"))
    with pytest.raises(AccessError):
        service.oidc_user(uow, "kc-1", "eva", Role.BUDGET_HOLDER, None, "Eva")
    assert uow.accounts.get("eva").role is Role.AUDITOR and uow.audit.recorded == []


def test_the_demo_member_is_the_one_with_the_most_engagements_the_lowest_number_on_a_tie() -> None:
    engagements = [("E1", C), ("E2", B), ("E3", C), ("E4", B), ("E5", A)]
    assert service.demo_member(uow_with(engagements=engagements)) == B
    assert most_engaged([C, A, C, A]) == A
    assert most_engaged([]) is None


def test_without_engagements_there_is_no_demo_member_and_no_demo_account() -> None:
    uow = uow_with()
    with pytest.raises(NotFound, match="mutua demo"):
        service.add_demo_users(uow)
    assert uow.accounts.all() == [] and uow.audit.recorded == []


def test_the_demo_has_one_account_per_role_and_its_budget_holder_is_bound_to_the_demo_member() -> None:
    uow = uow_with(actor="demo", engagements=[("E1", A), ("E2", B), ("E3", B)])
    made = service.add_demo_users(uow)
    assert [(a.username, a.role, a.member, a.password) for a in made] == [
        ("admin", Role.ADMIN, None, DEMO_PASSWORD),
        ("controller", Role.CONTROLLER, None, DEMO_PASSWORD),
        ("auditor", Role.AUDITOR, None, DEMO_PASSWORD),
        ("owner", Role.SERVICE_OWNER, None, DEMO_PASSWORD),
        ("member", Role.BUDGET_HOLDER, B, DEMO_PASSWORD),
    ]
    assert service.authenticate(uow, "member", DEMO_PASSWORD) == User(
        "member", Role.BUDGET_HOLDER, B, "Demo budget holder"
    )
    assert {e["actor"] for e in uow.audit.recorded} == {"demo"} and len(uow.audit.recorded) == 5


def test_demo_accounts_that_exist_already_are_left_alone() -> None:
    mine = Account("admin", Role.ADMIN, display_name="The real admin", password_hash="kept")
    uow = uow_with(mine, engagements=[("E1", A)])
    service.add_demo_users(uow)
    assert uow.accounts.get("admin") == mine
    assert "admin" not in {e["entity_key"] for e in uow.audit.recorded}
    service.add_demo_users(uow)
    assert len(uow.audit.recorded) == 4  # the second time adds nothing


def test_the_association_exists_once_the_registry_has_a_member() -> None:
    assert service.association_exists(uow_with())
    assert not service.association_exists(FakeUnitOfWork(accounts=FakeAccounts(), registry=FakeMembers()))


def test_the_web_directory_finds_users_as_the_portal_and_provisions_oidc_accounts_as_their_login() -> None:
    accounts = FakeAccounts(Account("jan", Role.AUDITOR))
    made: list[FakeUnitOfWork] = []

    def unit_of_work(actor: str) -> FakeUnitOfWork:
        made.append(FakeUnitOfWork(actor, accounts=accounts, registry=FakeMembers([A])))
        return made[-1]

    directory = service.AccountDirectory(unit_of_work)
    assert directory.find("jan") == User("jan", Role.AUDITOR)
    assert directory.from_identity("kc-9", "kc-eva", Role.AUDITOR, None, "Eva") == User(
        "kc-eva", Role.AUDITOR, None, "Eva"
    )
    assert [u.actor for u in made] == ["portal", "oidc:kc-eva"]
    assert made[-1].audit.recorded[0]["actor"] == "oidc:kc-eva"
