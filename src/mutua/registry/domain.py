"""The registry: members, their engagements (BSM) and commitments, and enterprise numbers.

Attributes of each record are documented on the record. Records are immutable; the service layer
builds new ones rather than changing them. The rules a member or an engagement must keep on its
own (its dates, the service it names) are pure functions here: :func:`member_problems`,
:func:`engagement_problems`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mutua.kernel.ids import enterprise_number as enterprise_number
from mutua.kernel.ids import format_enterprise_number as format_enterprise_number
from mutua.kernel.periods import Period


class Category(enum.StrEnum):
    """Membership category; each category nominates directors to the Board."""

    A = "A"
    B = "B"
    C = "C"


class ClientGroup(enum.StrEnum):
    """The client groups the association reports its turnover by."""

    SOCIAL_SECURITY = "social_security"  # social-security institutions and federal parastatals
    FEDERAL_PUBLIC_SERVICE = "federal_public_service"
    OTHER = "other"


class Language(enum.StrEnum):
    NL = "nl"
    FR = "fr"
    EN = "en"


class EngagementKind(enum.StrEnum):
    """What the specific terms (BSM) cover."""

    PROJECT = "project"
    SERVICE = "service"
    SECONDMENT = "secondment"
    CONSULTANCY = "consultancy"


@dataclass(frozen=True, slots=True)
class Member:
    """A public body that is a member of the association.

    Attributes:
        enterprise_number: the 10-digit KBO/BCE number, the member's identity.
        name: the official name.
        category: A, B or C.
        client_group: the group its turnover is reported in.
        language: the language of its documents (nl, fr, en).
        joined_on: the day membership started.
        left_on: the day membership ended, or None.
        vote_weight: its weight in the General Assembly.
    """

    enterprise_number: str
    name: str
    category: Category
    client_group: ClientGroup
    language: Language
    joined_on: date
    left_on: date | None = None
    vote_weight: Decimal = Decimal(1)

    def is_member_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


@dataclass(frozen=True, slots=True)
class Engagement:
    """The specific terms (BSM) of one project, service subscription, secondment or order.

    Attributes:
        code: the engagement's unique code.
        member: the enterprise number of the member it is for.
        kind: project, service, secondment or consultancy.
        title: what it is about.
        service: the service its time, real costs or fixed share are charged under, if any.
        budget: the member's budget for it per year, in EUR.
        starts_on: first day.
        ends_on: last day, or None when open-ended.
        buyer_reference: the member's order or budget reference, quoted on invoices.
        weight: its weight in fixed-share allocation keys.
    """

    code: str
    member: str
    kind: EngagementKind
    title: str
    service: str | None
    budget: Decimal
    starts_on: date
    ends_on: date | None = None
    buyer_reference: str = ""
    weight: Decimal = Decimal(1)

    def is_active_between(self, first: date, last: date) -> bool:
        return self.starts_on <= last and (self.ends_on is None or self.ends_on >= first)


@dataclass(frozen=True, slots=True)
class Commitment:
    """An expected charge not in the run rate (a planned purchase, a milestone).

    Attributes:
        engagement: the code of the engagement it will be charged to.
        period: the month it is expected in.
        amount: the expected amount, in EUR.
        description: what it is.
    """

    engagement: str
    period: Period
    amount: Decimal
    description: str


@dataclass(frozen=True, slots=True)
class OfferedService:
    """A service of the catalogue as engagements see it (the costing context keeps the catalogue).

    Attributes:
        code: the service's code.
        by_usage: charged by metered usage or reserved capacity: usage rows name the service, so
            an engagement does not.
    """

    code: str
    by_usage: bool


def member_problems(member: Member) -> list[tuple[str, str]]:
    """What is wrong with a member on its own, as (field, message) pairs.

    >>> m = Member("0203430576", "A", Category.A, ClientGroup.OTHER, Language.NL, date(2020, 1, 1), date(2019, 1, 1))
    >>> member_problems(m)
    [('left_on', 'is before joined_on')]
    """
    if member.left_on is not None and member.left_on < member.joined_on:
        return [("left_on", "is before joined_on")]
    return []


def engagement_problems(engagement: Engagement, catalogue: Mapping[str, OfferedService]) -> list[tuple[str, str]]:
    """What is wrong with an engagement on its own, as (field, message) pairs: the service it names
    must be in the catalogue and not charged by usage; it must not end before it starts."""
    problems = []
    if engagement.service is not None:
        service = catalogue.get(engagement.service)
        if service is None:
            problems.append(("service", f"unknown service {engagement.service!r}"))
        elif service.by_usage:
            problems.append(("service", f"{service.code} is charged by usage: usage rows name it, not the engagement"))
    if engagement.ends_on is not None and engagement.ends_on < engagement.starts_on:
        problems.append(("ends_on", "is before starts_on"))
    return problems
