"""Response shapes of the API, for its OpenAPI schema. Amounts are strings (exact decimals)."""

from __future__ import annotations

from pydantic import BaseModel, Field

Amount = str


class ProblemItem(BaseModel):
    source: str
    line: int | None
    field: str | None
    message: str


class ProblemDetail(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=["about:blank"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str
    instance: str
    problems: list[ProblemItem] | None = None


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the token type, not a secret
    expires_in: int


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    member: str | None
    may: list[str]


class MemberOut(BaseModel):
    enterprise_number: str = Field(pattern=r"^\d{10}$")
    name: str
    category: str
    client_group: str
    language: str
    joined_on: str
    left_on: str | None
    vote_weight: str


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


class UsageOut(BaseModel):
    engagement: str
    service: str
    period: str
    quantity: str


class ServiceOut(BaseModel):
    service: str
    name: str
    centre: str
    activity: str
    charging: str
    unit: str
    unit_code: str


class Grade(BaseModel):
    grade: str
    rate: Amount


class TariffOut(BaseModel):
    service: str
    name: str
    charging: str
    unit: str
    year: int
    price: Amount | None
    markup: str | None
    annual: Amount | None
    grades: list[Grade]


class InvoiceOut(BaseModel):
    number: str
    member: str
    kind: str
    period: str
    issued_on: str
    total: Amount
    formats: list[str]


class PeriodStatus(BaseModel):
    period: str
    status: str


class TrueUpRun(BaseModel):
    mode: str
    at: str
    by: str


class CloseStatus(BaseModel):
    year: int
    periods: list[PeriodStatus]
    true_up: TrueUpRun | None


class UserOut(BaseModel):
    username: str
    role: str
    member: str | None
    display_name: str = ""
