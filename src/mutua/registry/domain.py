"""The registry: members, their engagements (BSM), and enterprise numbers.

Attributes of each record are documented on the record. Records are immutable; the service layer
builds new ones rather than changing them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stdnum.be import vat as be_enterprise
from stdnum.exceptions import ValidationError


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


def enterprise_number(text: str) -> str:
    """Validate a Belgian enterprise number (KBO/BCE) and return its 10 digits.

    Raises ``ValueError`` with a plain message when the number is wrong.
    """
    try:
        return str(be_enterprise.validate(text))
    except ValidationError as exc:
        raise ValueError(f"not a valid Belgian enterprise number: {text!r} ({exc})") from exc


def format_enterprise_number(digits: str) -> str:
    """``0203430576`` as people write it: ``0203.430.576``."""
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


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
