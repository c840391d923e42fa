"""The registry's tables: members, their engagements (BSM) and commitments; and its repository."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Date, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from mutua.kernel.periods import Period
from mutua.platform.db.audit import AuditTrail, insert_many
from mutua.platform.db.schema import Base, Cents, Quantity, table
from mutua.registry.domain import Category, ClientGroup, Commitment, Engagement, EngagementKind, Language, Member


class MemberRow(Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_number: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(1))
    client_group: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(2))
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    vote_weight: Mapped[Decimal] = mapped_column(Quantity())


class EngagementRow(Base):
    __tablename__ = "engagements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    service: Mapped[str | None] = mapped_column(String(40), nullable=True)
    budget: Mapped[Decimal] = mapped_column(Cents())
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    buyer_reference: Mapped[str] = mapped_column(String(100), default="")
    weight: Mapped[Decimal] = mapped_column(Quantity())


class CommitmentRow(Base):
    """An expected charge not in the run rate (a planned purchase, a milestone)."""

    __tablename__ = "commitments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id"), index=True)
    period_key: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Cents())
    description: Mapped[str] = mapped_column(String(300))


members = table(MemberRow)
engagements = table(EngagementRow)
commitments = table(CommitmentRow)


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
