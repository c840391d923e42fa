"""In-memory fakes of the registry's ports (``mutua.registry.ports``): members, engagements and
commitments in lists, in the order they were added."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from mutua.registry.domain import (
    Category,
    ClientGroup,
    Commitment,
    Engagement,
    EngagementKind,
    Language,
    Member,
    OfferedService,
)


class FakeRegistry:
    """``mutua.registry.ports.Registry`` in memory."""

    def __init__(self, members: Sequence[Member] = (), engagements: Sequence[Engagement] = ()) -> None:
        self.added_members: list[Member] = list(members)
        self.added_engagements: list[Engagement] = list(engagements)
        self.added_commitments: list[Commitment] = []

    def members(self) -> list[Member]:
        return sorted(self.added_members, key=lambda m: m.name)

    def member(self, enterprise_number: str) -> Member | None:
        return next((m for m in self.added_members if m.enterprise_number == enterprise_number), None)

    def engagements(self, member: str | None = None, code: str | None = None) -> list[Engagement]:
        return sorted(
            (
                e
                for e in self.added_engagements
                if (member is None or e.member == member) and (code is None or e.code == code)
            ),
            key=lambda e: e.code,
        )

    def enterprise_numbers(self) -> set[str]:
        return {m.enterprise_number for m in self.added_members}

    def engagement_codes(self) -> set[str]:
        return {e.code for e in self.added_engagements}

    def add_members(self, members: Sequence[Member]) -> None:
        assert not {m.enterprise_number for m in members} & self.enterprise_numbers(), "the service checks first"
        self.added_members.extend(members)

    def add_engagements(self, engagements: Sequence[Engagement]) -> None:
        assert {e.member for e in engagements} <= self.enterprise_numbers(), "the service checks the members"
        assert not {e.code for e in engagements} & self.engagement_codes(), "the service checks the codes"
        self.added_engagements.extend(engagements)

    def add_commitments(self, commitments: Sequence[Commitment]) -> None:
        assert {c.engagement for c in commitments} <= self.engagement_codes(), "the service checks the engagements"
        self.added_commitments.extend(commitments)


class FakeCatalogue:
    """``mutua.registry.ports.Catalogue``: the services an engagement may name."""

    def __init__(self, *services: OfferedService) -> None:
        self.services = {s.code: s for s in services}

    def offered_services(self) -> dict[str, OfferedService]:
        return dict(self.services)


def member(enterprise_number: str, name: str = "", joined_on: date = date(2001, 1, 1)) -> Member:
    return Member(
        enterprise_number, name or f"Member {enterprise_number}", Category.A, ClientGroup.OTHER, Language.NL, joined_on
    )


def engagement(code: str, member: str, service: str | None = None) -> Engagement:
    return Engagement(
        code, member, EngagementKind.SERVICE, f"Engagement {code}", service, Decimal("1000.00"), date(2025, 1, 1)
    )
