"""Reading the registry: the members a user may see, one member, a member's engagements; and the
rules a member or an engagement keeps on its own."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from tests.fakes import FakeUnitOfWork
from tests.fakes.registry import FakeRegistry, engagement, member

from mutua.kernel.access import Action, Forbidden, Permission, Role, User, permission_of
from mutua.kernel.problems import NotFound
from mutua.registry import service
from mutua.registry.domain import OfferedService, engagement_problems, member_problems

A, B = "0203430576", "0406798006"


def world() -> FakeUnitOfWork:
    registry = FakeRegistry(
        [member(B, "Commune B"), member(A, "Agency A")],
        [engagement("S2", A), engagement("S1", A), engagement("S3", B)],
    )
    return FakeUnitOfWork(registry=registry)


def test_every_member_is_listed_by_name_or_only_the_one_a_budget_holder_is_bound_to() -> None:
    assert [m.name for m in service.members(world())] == ["Agency A", "Commune B"]
    assert [m.enterprise_number for m in service.members(world(), A)] == [A]
    assert [m.name for m in service.association_members(world())] == ["Agency A", "Commune B"]


def test_a_member_and_its_engagements_are_found_by_enterprise_number() -> None:
    assert service.member(world(), B).name == "Commune B"
    assert [e.code for e in service.member_engagements(world(), A)] == ["S1", "S2"]


def test_an_unknown_member_is_not_found_and_neither_are_its_engagements() -> None:
    with pytest.raises(NotFound, match="no member with enterprise number 0200000043"):
        service.member(world(), "0200000043")
    with pytest.raises(NotFound):
        service.member_engagements(world(), "0200000043")


def test_a_budget_holder_may_read_its_own_member_only_and_not_the_association_list() -> None:
    holder = User("jan", Role.BUDGET_HOLDER, member=A)
    for use_case in (service.member, service.member_engagements):
        permission = permission_of(use_case)
        assert permission == Permission(member_scoped=True)
        permission.check(holder, A)
        with pytest.raises(NotFound):  # as an unknown member: it tells nothing
            permission.check(holder, B)
    permission_of(service.members).check(holder)
    assert permission_of(service.association_members) == Permission(Action.READ_ASSOCIATION)
    with pytest.raises(Forbidden):
        permission_of(service.association_members).check(holder)


def test_a_member_may_not_leave_before_it_joined() -> None:
    joined = member(A, joined_on=date(2020, 1, 1))
    assert member_problems(joined) == []
    assert member_problems(replace(joined, left_on=date(2019, 12, 31))) == [("left_on", "is before joined_on")]
    assert member_problems(replace(joined, left_on=date(2020, 1, 1))) == []


def test_an_engagement_names_a_known_service_not_charged_by_usage() -> None:
    catalogue = {"HOURS": OfferedService("HOURS", False), "VMH": OfferedService("VMH", True)}
    assert engagement_problems(engagement("P1", A, "HOURS"), catalogue) == []
    assert engagement_problems(engagement("C1", A), catalogue) == []
    assert engagement_problems(engagement("V1", A, "VMH"), catalogue) == [
        ("service", "VMH is charged by usage: usage rows name it, not the engagement")
    ]
    assert engagement_problems(engagement("X1", A, "NOPE"), catalogue) == [("service", "unknown service 'NOPE'")]
