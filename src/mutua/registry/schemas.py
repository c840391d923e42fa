"""Response shapes of the registry API, for its OpenAPI schema. Amounts are strings (exact decimals)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from mutua.platform.web.paging import Page
from mutua.registry.domain import Engagement, Member

Amount = str


class MemberOut(BaseModel):
    enterprise_number: str = Field(pattern=r"^\d{10}$")
    name: str
    category: str
    client_group: str
    language: str
    joined_on: str
    left_on: str | None
    vote_weight: str

    @classmethod
    def of(cls, m: Member) -> MemberOut:
        return cls(
            enterprise_number=m.enterprise_number,
            name=m.name,
            category=m.category.value,
            client_group=m.client_group.value,
            language=m.language.value,
            joined_on=m.joined_on.isoformat(),
            left_on=None if m.left_on is None else m.left_on.isoformat(),
            vote_weight=str(m.vote_weight),
        )


class MemberPage(Page[MemberOut]):
    """A page of members."""


class EngagementOut(BaseModel):
    code: str
    member: str
    kind: str
    title: str
    service: str | None
    budget: Amount
    starts_on: str
    ends_on: str | None
    buyer_reference: str
    weight: str

    @classmethod
    def of(cls, e: Engagement) -> EngagementOut:
        return cls(
            code=e.code,
            member=e.member,
            kind=e.kind.value,
            title=e.title,
            service=e.service,
            budget=str(e.budget),
            starts_on=e.starts_on.isoformat(),
            ends_on=None if e.ends_on is None else e.ends_on.isoformat(),
            buyer_reference=e.buyer_reference,
            weight=str(e.weight),
        )


class EngagementPage(Page[EngagementOut]):
    """A page of engagements."""
