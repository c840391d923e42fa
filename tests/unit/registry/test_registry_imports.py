"""The registry's imports on in-memory repositories: members, engagements and commitments load
whole or not at all, every problem named by file, line and field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from tests.fakes import FakeUnitOfWork
from tests.fakes.registry import FakeCatalogue, FakeRegistry, engagement, member

from mutua.kernel.access import Action, Permission, permission_of
from mutua.kernel.periods import Period
from mutua.kernel.problems import Conflict, Rejected
from mutua.registry import service
from mutua.registry.domain import Category, ClientGroup, Commitment, EngagementKind, Language, OfferedService

A, B = "0203430576", "0406798006"
CATALOGUE = FakeCatalogue(OfferedService("HOURS", by_usage=False), OfferedService("VMH", by_usage=True))


def registry_uow(registry: FakeRegistry | None = None, actor: str = "ctrl") -> FakeUnitOfWork:
    return FakeUnitOfWork(actor, registry=registry or FakeRegistry(), costing=CATALOGUE)


def problems_of(call, *args) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(Rejected) as info:
        call(*args)
    return [str(p) for p in info.value.problems]


MEMBERS = f"""\
enterprise_number,name,category,client_group,language,joined_on,left_on,vote_weight
{A},Rijksdienst A,A,social_security,nl,2001-01-01,,10
{B},Commune B,B,other,fr,2010-05-01,,
"""


def test_members_are_registered_in_file_order_and_the_import_is_logged_as_a_batch_with_the_files_sha() -> None:
    uow = registry_uow()
    result = service.import_members_text(uow, MEMBERS, "members.csv")
    assert (result.kind, result.source, result.rows, result.batch_id) == ("members", "members.csv", 2, 1)
    first, second = uow.registry.added_members
    assert (first.enterprise_number, first.category, first.client_group, first.language) == (
        A,
        Category.A,
        ClientGroup.SOCIAL_SECURITY,
        Language.NL,
    )
    assert (first.joined_on, first.left_on, first.vote_weight) == (date(2001, 1, 1), None, Decimal("10"))
    assert second.vote_weight == Decimal(1)  # an empty vote weight is one vote
    assert uow.committed
    [(kind, source, sha, rows)] = uow.batches.batches
    assert (kind, source, rows, len(sha)) == ("members", "members.csv", 2, 64)


def test_a_member_registered_again_refuses_the_whole_file_and_nothing_is_written() -> None:
    uow = registry_uow(FakeRegistry([member(A, "Rijksdienst A")]))
    problems = problems_of(service.import_members_text, uow, MEMBERS, "again.csv")
    assert problems == [f"again.csv:2: enterprise_number: member {A} is already registered"]
    assert [m.enterprise_number for m in uow.registry.added_members] == [A]
    assert not uow.committed and uow.audit.recorded == []


def test_every_problem_of_a_members_file_is_named_at_once_by_line_and_field() -> None:
    text = (
        "enterprise_number,name,category,client_group,language,joined_on,left_on\n"
        f"{A},A,A,other,nl,2020-01-01,2019-12-31\n"
        f"{A},A again,A,other,nl,2020-01-01,\n"
        f"{B},B,D,other,nl,2020-01-01,\n"
    )
    problems = problems_of(service.import_members_text, registry_uow(), text, "members.csv")
    assert "members.csv:2: left_on: is before joined_on" in problems
    assert "members.csv:3: enterprise_number: duplicate enterprise number: also on line 2" in problems
    assert any(p.startswith("members.csv:4: category:") for p in problems)
    assert len(problems) == 3


def test_members_are_read_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text(MEMBERS, encoding="utf-8")
    uow = registry_uow()
    assert service.import_members(uow, path).source == str(path)
    assert len(uow.registry.added_members) == 2


ENGAGEMENTS = f"""\
code,member,kind,title,service,budget,starts_on,ends_on,buyer_reference,weight
P1,{A},project,Portal,HOURS,20000.00,2025-01-01,,PO-1,
C1,{A},service,Cloud A,,5000.00,2025-01-01,2025-12-31,,2.5
"""


def test_engagements_are_kept_with_their_terms_and_defaults() -> None:
    uow = registry_uow(FakeRegistry([member(A)]))
    assert service.import_engagements_text(uow, ENGAGEMENTS, "engagements.csv").rows == 2
    p1, c1 = uow.registry.added_engagements
    assert (p1.code, p1.member, p1.kind, p1.service, p1.budget) == (
        "P1",
        A,
        EngagementKind.PROJECT,
        "HOURS",
        Decimal("20000.00"),
    )
    assert (p1.buyer_reference, p1.weight, p1.ends_on) == ("PO-1", Decimal(1), None)
    assert (c1.service, c1.buyer_reference, c1.weight, c1.ends_on) == (None, "", Decimal("2.5"), date(2025, 12, 31))
    assert uow.committed and [b[0] for b in uow.batches.batches] == ["engagements"]


def test_an_engagement_of_an_unknown_member_naming_a_usage_service_is_refused_with_every_problem() -> None:
    text = (
        "code,member,kind,title,service,budget,starts_on,ends_on\n"
        f"P1,{A},project,Portal,HOURS,100.00,2025-01-01,\n"
        f"V1,{B},service,VMs,VMH,100.00,2025-01-01,\n"
        f"X1,{A},service,Unknown,NOPE,100.00,2025-02-01,2025-01-31\n"
    )
    uow = registry_uow(FakeRegistry([member(A)], [engagement("P1", A)]))
    problems = problems_of(service.import_engagements_text, uow, text, "engagements.csv")
    assert problems == [
        "engagements.csv:2: code: engagement P1 already exists",
        f"engagements.csv:3: member: no member with enterprise number {B}",
        "engagements.csv:3: service: VMH is charged by usage: usage rows name it, not the engagement",
        "engagements.csv:4: service: unknown service 'NOPE'",
        "engagements.csv:4: ends_on: is before starts_on",
    ]
    assert [e.code for e in uow.registry.added_engagements] == ["P1"] and not uow.committed


def test_engagements_cannot_be_imported_before_a_cost_model() -> None:
    class NoModel:
        def offered_services(self) -> dict[str, OfferedService]:
            raise Conflict("no cost model has been imported yet: run `mutua model import FILE`")

    uow = FakeUnitOfWork(registry=FakeRegistry([member(A)]), costing=NoModel())
    with pytest.raises(Conflict):
        service.import_engagements_text(uow, ENGAGEMENTS, "engagements.csv")
    assert uow.registry.added_engagements == []


def test_commitments_are_kept_for_existing_engagements() -> None:
    uow = registry_uow(FakeRegistry([member(A)], [engagement("P1", A)]))
    text = "engagement,period,amount,description\nP1,2025-11,5000.00,Go-live\n"
    service.import_commitments_text(uow, text, "commitments.csv")
    assert uow.registry.added_commitments == [Commitment("P1", Period(2025, 11), Decimal("5000.00"), "Go-live")]
    assert uow.committed


def test_a_commitment_of_an_unknown_engagement_refuses_the_whole_file() -> None:
    uow = registry_uow(FakeRegistry([member(A)], [engagement("P1", A)]))
    text = "engagement,period,amount,description\nP1,2025-11,5000.00,Go-live\nP9,2025-12,1.00,Typo\n"
    problems = problems_of(service.import_commitments_text, uow, text, "commitments.csv")
    assert problems == ["commitments.csv:3: engagement: unknown engagement 'P9'"]
    assert uow.registry.added_commitments == [] and uow.audit.recorded == []


def test_the_imports_are_the_controllers() -> None:
    for use_case in (
        service.import_members,
        service.import_members_text,
        service.import_engagements,
        service.import_engagements_text,
        service.import_commitments,
        service.import_commitments_text,
    ):
        assert permission_of(use_case) == Permission(Action.CLOSE)
