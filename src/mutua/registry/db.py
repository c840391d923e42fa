"""The registry's tables: members, their engagements (BSM) and commitments; and its repository."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Connection, Date, ForeignKey, Integer, String, Table, select

from mutua.kernel.periods import Period
from mutua.platform.db.audit import AuditTrail, insert_many
from mutua.platform.db.schema import Cents, Quantity, metadata
from mutua.registry.domain import Category, ClientGroup, Commitment, Engagement, EngagementKind, Language, Member

members = Table(
    "members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("enterprise_number", String(10), unique=True, nullable=False),
    Column("name", String(300), nullable=False),
    Column("category", String(1), nullable=False),
    Column("client_group", String(40), nullable=False),
    Column("language", String(2), nullable=False),
    Column("joined_on", Date, nullable=False),
    Column("left_on", Date, nullable=True),
    Column("vote_weight", Quantity(), nullable=False),
)


engagements = Table(
    "engagements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), unique=True, nullable=False),
    Column("member_id", ForeignKey("members.id"), index=True, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("title", String(300), nullable=False),
    Column("service", String(40), nullable=True),
    Column("budget", Cents(), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("buyer_reference", String(100), default="", nullable=False),
    Column("weight", Quantity(), nullable=False),
)


# An expected charge not in the run rate (a planned purchase, a milestone).
commitments = Table(
    "commitments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("engagement_id", ForeignKey("engagements.id"), index=True, nullable=False),
    Column("period_key", Integer, nullable=False),
    Column("amount", Cents(), nullable=False),
    Column("description", String(300), nullable=False),
)


class SqlRegistry:
    """Members, engagements and commitments over the unit of work's connection."""

    def __init__(self, connection: Connection, audit: AuditTrail) -> None:
        self.c = connection
        self.audit = audit

    def member_ids(self) -> dict[str, int]:
        return {r.enterprise_number: r.id for r in self.c.execute(select(members.c.enterprise_number, members.c.id))}

    def enterprise_numbers(self) -> set[str]:
        return set(self.c.execute(select(members.c.enterprise_number)).scalars())

    def engagement_codes(self) -> set[str]:
        return set(self.c.execute(select(engagements.c.code)).scalars())

    def add_members(self, found: Sequence[Member]) -> None:
        """Insert members, in the given order (their ids follow it)."""
        insert_many(
            self.c,
            members,
            [
                {
                    "enterprise_number": m.enterprise_number,
                    "name": m.name,
                    "category": m.category.value,
                    "client_group": m.client_group.value,
                    "language": m.language.value,
                    "joined_on": m.joined_on,
                    "left_on": m.left_on,
                    "vote_weight": m.vote_weight,
                }
                for m in found
            ],
        )

    def add_engagements(self, found: Sequence[Engagement]) -> None:
        """Insert engagements of registered members, in the given order."""
        ids = self.member_ids()
        insert_many(
            self.c,
            engagements,
            [
                {
                    "code": e.code,
                    "member_id": ids[e.member],
                    "kind": e.kind.value,
                    "title": e.title,
                    "service": e.service,
                    "budget": e.budget,
                    "starts_on": e.starts_on,
                    "ends_on": e.ends_on,
                    "buyer_reference": e.buyer_reference,
                    "weight": e.weight,
                }
                for e in found
            ],
        )

    def add_commitments(self, found: Sequence[Commitment]) -> None:
        """Insert commitments of existing engagements."""
        ids = self.engagement_ids()
        insert_many(
            self.c,
            commitments,
            [
                {
                    "engagement_id": ids[c.engagement][0],
                    "period_key": c.period.key,
                    "amount": c.amount,
                    "description": c.description,
                }
                for c in found
            ],
        )

    def members(self) -> list[Member]:
        rows = self.c.execute(select(members).order_by(members.c.name))
        return [_member(r) for r in rows]

    def member(self, enterprise_number: str) -> Member | None:
        row = self.c.execute(select(members).where(members.c.enterprise_number == enterprise_number)).first()
        return None if row is None else _member(row)

    def engagement_ids(self) -> dict[str, tuple[int, str]]:
        """Engagement code -> (id, member enterprise number)."""
        q = select(engagements.c.code, engagements.c.id, members.c.enterprise_number).join(
            members, members.c.id == engagements.c.member_id
        )
        return {r.code: (r.id, r.enterprise_number) for r in self.c.execute(q)}

    def engagements(self, member: str | None = None, code: str | None = None) -> list[Engagement]:
        q = (
            select(engagements, members.c.enterprise_number)
            .join(members, members.c.id == engagements.c.member_id)
            .order_by(engagements.c.code)
        )
        if member is not None:
            q = q.where(members.c.enterprise_number == member)
        if code is not None:
            q = q.where(engagements.c.code == code)
        return [
            Engagement(
                r.code,
                r.enterprise_number,
                EngagementKind(r.kind),
                r.title,
                r.service,
                r.budget,
                r.starts_on,
                r.ends_on,
                r.buyer_reference,
                r.weight,
            )
            for r in self.c.execute(q)
        ]

    def engagement(self, code: str) -> Engagement | None:
        found = self.engagements(code=code)
        return found[0] if found else None

    def commitments(self, year: int) -> dict[str, list[tuple[Period, Decimal, str]]]:
        q = (
            select(engagements.c.code, commitments.c.period_key, commitments.c.amount, commitments.c.description)
            .join(engagements, engagements.c.id == commitments.c.engagement_id)
            .where(commitments.c.period_key.between(year * 100 + 1, year * 100 + 12))
        )
        result: dict[str, list[tuple[Period, Decimal, str]]] = {}
        for r in self.c.execute(q):
            result.setdefault(r.code, []).append((Period.from_key(r.period_key), r.amount, r.description))
        return result


def _member(r: Any) -> Member:
    return Member(
        r.enterprise_number,
        r.name,
        Category(r.category),
        ClientGroup(r.client_group),
        Language(r.language),
        r.joined_on,
        r.left_on,
        r.vote_weight,
    )
