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

    type: str = Field(examples=["/api/v1/docs#problem-not-found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str
    instance: str
    problems: list[ProblemItem] | None = None
